/**
 * Per-strategy source restrictions (TradersPost's "Limit to TradingView" and
 * "Limit to IP addresses"): a strategy may accept signals only from
 * TradingView's alert servers, from its own list of addresses and CIDR
 * ranges, or both. Checked after the secret, so a caller without it learns
 * nothing about the restriction.
 *
 * @module
 */
import ipaddr from "ipaddr.js";

/**
 * The addresses TradingView sends webhook alerts from, as TradingView
 * publishes them in "How to configure webhook alerts"
 * (https://www.tradingview.com/support/solutions/43000529348, also its
 * localized copies); TradingView sends over IPv4 only. Update this list when
 * that page changes.
 */
export const TRADINGVIEW_WEBHOOK_IPS: readonly string[] = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"];

/** A strategy's source restriction, as stored in its settings. */
export interface AllowedSources {
  /** Accept TradingView's published alert servers. */
  tradingView?: boolean;
  /** IPv4/IPv6 addresses or CIDR ranges to accept. */
  ipAddresses?: readonly string[];
}

function contains(entry: string, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  try {
    const [range, bits] = ipaddr.isValidCIDR(entry) ? ipaddr.parseCIDR(entry) : [ipaddr.process(entry), -1];
    const normalizedRange = range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress() ? (range as ipaddr.IPv6).toIPv4Address() : range;
    if (normalizedRange.kind() !== address.kind()) return false;
    if (bits === -1) return normalizedRange.toString() === address.toString();
    return address.match(normalizedRange, bits);
  } catch {
    return false;
  }
}

/**
 * Whether a request from `ip` may use the webhook. Answers the TradersPost
 * code for a refusal: `not-trading-view` when the strategy accepts only
 * TradingView, `invalid-ip-address` when it has its own list.
 */
export function checkSource(rules: AllowedSources | undefined, ip: string | null): { ok: true } | { ok: false; messageCode: "not-trading-view" | "invalid-ip-address"; message: string } {
  const tradingView = rules?.tradingView === true;
  const own = rules?.ipAddresses ?? [];
  if (!tradingView && own.length === 0) return { ok: true };
  const address = ip && ipaddr.isValid(ip) ? ipaddr.process(ip) : null;
  if (address) {
    if (tradingView && TRADINGVIEW_WEBHOOK_IPS.includes(address.toString())) return { ok: true };
    if (own.some((entry) => contains(entry, address))) return { ok: true };
  }
  if (tradingView && own.length === 0) {
    return {
      ok: false,
      messageCode: "not-trading-view",
      message: "The signal did not come from TradingView's servers, and this strategy accepts signals only from TradingView.",
    };
  }
  return {
    ok: false,
    messageCode: "invalid-ip-address",
    message: `The signal came from ${address?.toString() ?? "an unknown address"}, which is not among the addresses this strategy accepts.`,
  };
}
