/**
 * Where a connection's requests (and so its decrypted credentials) may go.
 *
 * A connection normally talks to its plugin's environment URL. `settings.baseUrl`
 * overrides it, and because the broker keys travel with every request, the
 * override is held to two rules, checked when it is saved AND again when a
 * client is built for it (a row written before these rules, or edited in D1,
 * gets no exemption):
 *
 * 1. **Declared hosts.** The host must be one the plugin's manifest declares
 *    (`manifest.hosts`), unless the plugin says users run their own API host
 *    (`userChosenHosts`, e.g. an Interactive Brokers gateway); such a URL is
 *    accepted with a warning the API shows.
 * 2. **No SSRF.** Never an IP literal, a private, loopback, link-local, CGNAT
 *    or ULA address, a single-label name, an internal suffix (`.internal`,
 *    `.local`, `.lan`, `.home.arpa`...), a cloud metadata name, or a
 *    wildcard-DNS name that spells an IP (`10.0.0.1.nip.io`). Only https.
 *
 * Local development (`ENVIRONMENT=development` with `ALLOW_HTTP_LOOPBACK=true`,
 * both set by `npm start` and the test config) may also use this machine
 * (`localhost`, 127.0.0.0/8, `[::1]`, http or https) for fake brokers.
 *
 * DNS is not resolved here (Workers cannot), so a public name that resolves
 * to a private address is not caught; rule 1 is what keeps credentials away
 * from arbitrary hosts, and a Worker's fetch cannot reach a private network.
 *
 * @module
 */
import ipaddr from "ipaddr.js";
import type { BrokerPlugin } from "../../plugins/sdk";
import { AppError } from "../errors";
import { devFlag } from "../lib/environment";

/** The settings key. */
export const BASE_URL_SETTING = "baseUrl";

const FIELD = `settings.${BASE_URL_SETTING}`;
const MAX_LENGTH = 2048;

/** Suffixes of names that only resolve inside a private network (RFC 6762, RFC 8375, common LAN defaults). */
const INTERNAL_SUFFIXES = [".internal", ".local", ".localhost", ".localdomain", ".lan", ".home", ".home.arpa", ".intranet", ".corp", ".private"];
/** Cloud instance-metadata names (the IP forms are caught as IP literals). */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog", "metadata.azure.com", "metadata.tencentyun.com", "instance-data", "instance-data.ec2.internal"]);
/** Public wildcard-DNS services whose names resolve to the IP written in them. */
const IP_ECHO_DOMAINS = [".nip.io", ".sslip.io", ".xip.io", ".traefik.me", ".localtest.me", ".lvh.me"];

/** Readable names of ipaddr.js's special ranges. */
const RANGE_NAMES: Readonly<Record<string, string>> = {
  private: "private",
  uniqueLocal: "private (ULA)",
  loopback: "loopback",
  linkLocal: "link-local (cloud metadata)",
  carrierGradeNat: "carrier-grade NAT",
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  reserved: "reserved",
};

/** True when the Worker may send to this machine over plain http (development only). */
export function httpLoopbackAllowed(env: object): boolean {
  return devFlag(env, "ALLOW_HTTP_LOOPBACK");
}

/** The bare host of a URL's `hostname` (IPv6 literals come bracketed). */
function bare(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** 127.0.0.0/8, `localhost` (and `*.localhost`, loopback by RFC 6761), `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bare(hostname);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (!ipaddr.isValid(host)) return false;
  // The URL parser already normalized IPv4 spellings (127.1, 0x7f.1) to dotted quads.
  return ipaddr.process(host).range() === "loopback";
}

/** Why a host name may not receive credentials, or null when it may (before the declared-hosts rule). */
export function unsafeHostReason(hostname: string): string | null {
  const host = bare(hostname);
  if (ipaddr.isValid(host)) {
    const range = ipaddr.process(host).range();
    return range === "unicast" ? "an IP address; use the broker's host name" : `an IP address in the ${RANGE_NAMES[range] ?? range} range`;
  }
  if (!host.includes(".")) return "a single-label name, which only resolves inside a private network";
  if (METADATA_HOSTS.has(host)) return "a cloud metadata service";
  if (INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) return "an internal name, which only resolves inside a private network";
  if (IP_ECHO_DOMAINS.some((s) => host.endsWith(s))) return "a wildcard-DNS name that stands for an IP address";
  return null;
}

/** What a plugin allows as a destination. */
export interface DestinationRules {
  /** The broker's display name, for messages. */
  broker: string;
  /** `manifest.hosts`. */
  declaredHosts: readonly string[];
  /** `manifest.userChosenHosts`. */
  userChosenHosts: boolean;
  /** Development with ALLOW_HTTP_LOOPBACK: this machine is allowed too. */
  loopbackAllowed: boolean;
}

/** The rules for one plugin in this Worker. */
export function destinationRules(env: object, plugin: BrokerPlugin): DestinationRules {
  return {
    broker: plugin.manifest.displayName,
    declaredHosts: plugin.manifest.hosts,
    userChosenHosts: plugin.manifest.userChosenHosts === true,
    loopbackAllowed: httpLoopbackAllowed(env),
  };
}

/** A checked base URL; `warning` is set for a host the user chose (shown to the user). */
export interface CheckedBaseUrl {
  url: string;
  /** "declared": one of the broker's hosts; "loopback": this machine (development); "user-chosen": the user's own host. */
  kind: "declared" | "loopback" | "user-chosen";
  warning?: string;
}

function invalid(message: string): AppError {
  return new AppError("invalid-request", message, { field: FIELD });
}

/**
 * Validates a base URL override against a plugin's destination rules and
 * returns it normalized (no trailing slash). Throws a 400 naming the field.
 */
export function checkBaseUrl(value: unknown, rules: DestinationRules): CheckedBaseUrl {
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_LENGTH) {
    throw invalid(`${FIELD} must be an absolute URL such as https://${rules.declaredHosts[0] ?? "broker.example.com"}.`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(`${FIELD} is not a valid URL; write it in full, e.g. https://${rules.declaredHosts[0] ?? "broker.example.com"}.`);
  }
  if (url.username || url.password) throw invalid(`${FIELD} must not contain a user name or password; credentials belong in the connection's credentials.`);
  if (url.search || url.hash) throw invalid(`${FIELD} must not have a query string or fragment.`);
  const normalized = url.href.replace(/\/+$/, "");
  const host = url.hostname.toLowerCase();

  if (isLoopbackHost(host)) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(`${FIELD} must use https.`);
    if (!rules.loopbackAllowed) throw invalid(`${FIELD} points at this machine (${host}), which is only allowed when Tradeloop runs in development.`);
    return { url: normalized, kind: "loopback" };
  }
  if (url.protocol === "http:") throw invalid(`${FIELD} must use https; plain http is only allowed to this machine (localhost) in development.`);
  if (url.protocol !== "https:") throw invalid(`${FIELD} must use https.`);
  const unsafe = unsafeHostReason(host);
  if (unsafe) throw invalid(`${FIELD} cannot be ${host}: it is ${unsafe}.`);
  if (rules.declaredHosts.some((h) => h.toLowerCase() === host)) return { url: normalized, kind: "declared" };
  if (rules.userChosenHosts) {
    return {
      url: normalized,
      kind: "user-chosen",
      warning: `Your ${rules.broker} credentials are sent to ${host}, a host you chose rather than one of ${rules.broker}'s own; make sure you run it.`,
    };
  }
  throw invalid(`${FIELD} must be on one of ${rules.broker}'s own hosts (${rules.declaredHosts.join(", ")}); your credentials are never sent anywhere else.`);
}

/**
 * The host names a connection's requests may go to, for the transport's
 * send-time check: the declared hosts, plus the base URL's host when it
 * passes {@link checkBaseUrl} today. A stored base URL that no longer passes
 * adds nothing, so every request to it is refused before it is sent.
 */
export function allowedHostsFor(rules: DestinationRules, baseUrl: unknown): { hosts: string[]; baseUrl: CheckedBaseUrl | null } {
  const hosts = rules.declaredHosts.map((h) => h.toLowerCase());
  if (baseUrl === undefined || baseUrl === null) return { hosts, baseUrl: null };
  try {
    const checked = checkBaseUrl(baseUrl, rules);
    const host = new URL(checked.url).hostname.toLowerCase();
    return { hosts: hosts.includes(host) ? hosts : [...hosts, host], baseUrl: checked };
  } catch {
    return { hosts, baseUrl: null };
  }
}
