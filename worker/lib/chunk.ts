/**
 * Splits a list into consecutive parts of at most `size` items: SQL
 * statements bind one parameter per item, and D1 allows 100 per statement.
 *
 * @module
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
