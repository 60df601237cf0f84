/**
 * Clock and nonce. Plugins read time and nonces from their context, never
 * from `Date.now()`, so static request tests can fix both and compare exact
 * signatures.
 *
 * @module
 */

/**
 * A nonce source that only ever goes up: microseconds since the epoch, or
 * the previous nonce + 1 when the clock stalls or steps back (NTP). Venues
 * such as Kraken refuse a nonce that is not larger than the last one.
 */
export function monotonicNonce(now: () => Date): () => string {
  let last = 0;
  return () => {
    // Microseconds since 1970 stay below 2^53 until the year 2255, so a number is exact.
    const candidate = now().getTime() * 1000;
    last = candidate > last ? candidate : last + 1;
    return String(last);
  };
}

/** A fixed clock for tests: always `at`. */
export function fixedClock(at: Date): () => Date {
  return () => new Date(at.getTime());
}
