/**
 * Connection portals: brokers reached through an aggregator whose own web
 * page links the user's brokerage (SnapTrade's Connection Portal). The
 * operator holds partner keys at the aggregator (Worker secrets, manifest
 * `auth.partner`); each Tradeloop user gets one identity at the aggregator
 * (registered on their first connect, kept sealed by the core, one per user
 * and broker); each Tradeloop connection is one brokerage authorization the
 * user made in the portal.
 *
 * Who does what:
 * - the plugin says how the aggregator's flow goes ({@link PortalFlow}):
 *   register an identity, ask for the portal URL, read the callback, remove
 *   an authorization;
 * - the core runs it (worker/api/oauth.ts, the same start/callback routes
 *   as OAuth): it keeps the identity sealed, binds the flow to the browser
 *   that started it, creates the connection and stores its credentials.
 *
 * The connection's credentials as the client sees them are the identity
 * merged with what `complete` returned (the identity's fields first).
 *
 * @module
 */
import type { Logger, PluginFetch } from "./context";

/** A user's identity at the aggregator (SnapTrade: user id and user secret). Secret: sealed at rest, never logged. */
export type PortalIdentity = Readonly<Record<string, string>>;

/** What a portal hook gets: the shared services, the operator's partner keys, the environment. */
export interface PortalContext {
  environment: "paper" | "live";
  baseUrl: string;
  fetch: PluginFetch;
  now: () => Date;
  log: Logger;
  /** The operator's partner keys (manifest `auth.partner`), by field name. */
  partner: Readonly<Record<string, string>>;
}

/** The manifest's description of a portal flow (data only). */
export interface PortalSpec {
  /** Where the operator gets partner keys. */
  registrationUrl: string;
  /** One sentence for the connect screen. */
  connectNote?: string;
}

/** The operator's partner keys at an aggregator, as Worker secret names (manifest `auth.partner`). */
export interface PartnerSpec {
  /** Field name the plugin reads in `ctx.partner` → the Worker secret holding it, e.g. `{ consumerKey: "SNAPTRADE_CONSUMER_KEY" }`. */
  secrets: Readonly<Record<string, string>>;
  /** Where the operator registers for the keys. */
  registrationUrl: string;
}

/** How one aggregator's portal works. Every hook throws BrokerError only. */
export interface PortalFlow<TCredentials = unknown> {
  /**
   * Registers the Tradeloop user at the aggregator. The core calls it once,
   * on the user's first connect, and keeps what it returns sealed.
   * `tradeloopUserId` is stable and unique per user (the plugin derives the
   * aggregator's user id from it).
   */
  register(ctx: PortalContext, input: { tradeloopUserId: string }): Promise<PortalIdentity>;
  /**
   * The URL of the portal to send the user's browser to. `redirectUri` is
   * where the aggregator sends the browser back (the core's callback);
   * `reconnect` is the connection being repaired, when it is a reconnect.
   */
  start(ctx: PortalContext, input: { identity: PortalIdentity; redirectUri: string; reconnect?: TCredentials }): Promise<{ url: string }>;
  /**
   * Reads the aggregator's redirect back: the credentials of the new
   * connection (without the identity's fields), or a BrokerError when the
   * user did not finish (`rejected`) or the aggregator failed (`retryable`).
   */
  complete(ctx: PortalContext, input: { identity: PortalIdentity; callbackParameters: URLSearchParams }): Promise<Record<string, string>>;
  /** Removes the connection's authorization at the aggregator (disconnect). */
  revoke(ctx: PortalContext, input: { credentials: TCredentials }): Promise<void>;
}
