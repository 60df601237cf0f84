/**
 * Memoizes a parse of JSON-shaped input by its JSON text. Used for settings
 * objects: a queue resolves the same settings for every signal, several times
 * per trade, and the zod parse showed in the bench's CPU profile. Results are
 * frozen (callers share them) and the cache is bounded (cleared when full).
 *
 * @module
 */
export function memoizeByJson<T extends object>(parse: (input: unknown) => T, max = 256): (input: unknown) => Readonly<T> {
  const cache = new Map<string, Readonly<T>>();
  return (input) => {
    const key = JSON.stringify(input ?? {});
    let value = cache.get(key);
    if (!value) {
      value = Object.freeze(parse(input));
      if (cache.size >= max) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}
