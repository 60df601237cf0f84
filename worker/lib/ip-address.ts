/**
 * IP address syntax, shared by the strategy settings' schema (trading/) and
 * the webhook's source rules (webhook/source-rules.ts), so the rule for what
 * counts as an address lives below both.
 *
 * @module
 */
import ipaddr from "ipaddr.js";

/** True when `value` is an IPv4/IPv6 address or CIDR range. */
export function isAddressOrRange(value: string): boolean {
  return ipaddr.isValid(value) || ipaddr.isValidCIDR(value);
}
