/**
 * Deterministic client order ids.
 *
 * The id of every order is a pure function of (signal, subscription, leg). A
 * retried or resumed step therefore asks the broker for the very same id it
 * may already have sent, and the broker's own uniqueness rule makes a second
 * submission impossible. This is the heart of "never double-submit".
 *
 * Format: `tl` + 32 hex chars (128 bits of SHA-256). 34 characters of
 * `[a-z0-9]` fit every broker we know (Alpaca allows 48, Binance 36,
 * Coinbase a UUID-ish 36+, Tradier uses `tag`).
 *
 * @module
 */
import { sha256Hex } from "../auth/encoding";

export async function clientOrderIdFor(signalId: string, subscriptionId: string, leg: string): Promise<string> {
  const digest = await sha256Hex(`${signalId}\u0000${subscriptionId}\u0000${leg}`);
  return `tl${digest.slice(0, 32)}`;
}
