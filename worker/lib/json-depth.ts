/**
 * Nesting depth of JSON text, measured before `JSON.parse` runs: a 2,000-deep
 * `[[[[...]]]]` parses fine, is stored, and is served back to the dashboard,
 * where every renderer and serializer walks it recursively. A linear scan
 * refuses it first, without building anything.
 *
 * @module
 */

/**
 * True when `text` nests objects/arrays deeper than `max` (brackets inside
 * strings do not count). Malformed text is scanned the same way; the parser
 * reports the syntax error afterwards.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth--;
  }
  return false;
}
