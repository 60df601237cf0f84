/**
 * A broker plugin and `definePlugin`, the one way to make one. A plugin is
 * data (manifest, capabilities), a symbol map, and `connect()`, which returns
 * a client bound to one connection.
 *
 * @module
 */
import type { z } from "zod";
import { defaultCanSubmit, type SubmitCheck, type SubmitRefusal } from "./can-submit";
import type { Capabilities } from "./capabilities";
import type { BrokerClient, ClientFor } from "./client";
import type { PluginContext } from "./context";
import type { PluginManifest } from "./manifest";
import type { AssetClass, OrderRequest } from "./models";
import type { PluginSession } from "./session";

/** A plugin as the core and the registry see it (types erased). Build one with {@link definePlugin}. */
export interface BrokerPlugin<TCredentials extends z.ZodType = z.ZodType> {
  readonly manifest: PluginManifest<TCredentials>;
  readonly capabilities: Capabilities;
  /** Maps a TradingView-style ticker (`AAPL`, `BTCUSD`, `EURUSD`) to the broker's instrument symbol. */
  symbol(ticker: string, assetClass: AssetClass): string;
  /**
   * Pre-send check: the shared capability rules, then the plugin's venue
   * rules. Set by {@link definePlugin}; the host falls back on the shared
   * rules for a plugin object made by hand.
   */
  canSubmit?(intent: OrderRequest): SubmitCheck;
  /**
   * How sessions start and renew at this broker (see session.ts). Present for
   * brokers whose requests carry a renewable access token; the core's token
   * owner calls these hooks, never the client.
   */
  readonly session?: PluginSession<z.infer<TCredentials>>;
  connect(context: PluginContext<z.infer<TCredentials>>): BrokerClient;
}

/** Credentials type of a manifest (its zod schema's output). */
export type CredentialsOf<M extends PluginManifest> = z.output<M["auth"]["credentials"]>;

/** Settings type of a manifest: its settings schema's output, or the raw bag. */
export type SettingsOf<M extends PluginManifest> = M extends { settings: infer S extends z.ZodType } ? z.output<S> : Record<string, unknown>;

/** What a plugin author writes. */
export interface PluginDefinition<M extends PluginManifest, C extends Capabilities> {
  manifest: M;
  /** Declare inline or `as const satisfies Capabilities`, so the method map's literals reach the type checker. */
  capabilities: C;
  symbol(ticker: string, assetClass: AssetClass): string;
  /**
   * Must return every mandatory method and exactly the optional methods the
   * capabilities declare (see {@link ClientFor}); anything else is a type error.
   */
  connect(context: PluginContext<CredentialsOf<M>, SettingsOf<M>>): ClientFor<C>;
  /**
   * Venue rules beyond the capability matrix (minimum notional known
   * offline, lot multiples...). Runs after the shared check; return null to accept.
   */
  venueRules?(intent: OrderRequest): SubmitRefusal | null;
  /** Session hooks for token-based brokers (see session.ts); OAuth brokers may leave them to the standard grants. */
  session?: PluginSession<CredentialsOf<M>>;
}

/**
 * Marks plugins made by {@link definePlugin}. Not exported: the registry
 * accepts only branded plugins, so every installed plugin went through the
 * type checks of `definePlugin`.
 */
const DEFINED: unique symbol = Symbol("tradeloop.definePlugin");

/** Any plugin made by {@link definePlugin}: what the registry holds. */
export interface RegisteredPlugin extends BrokerPlugin {
  readonly [DEFINED]: true;
  canSubmit(intent: OrderRequest): SubmitCheck;
}

/** A plugin made by {@link definePlugin}, keeping its precise types for tests. */
export interface DefinedPlugin<M extends PluginManifest, C extends Capabilities> extends RegisteredPlugin {
  readonly manifest: M;
  readonly capabilities: C;
  connect(context: PluginContext<CredentialsOf<M>, SettingsOf<M>>): ClientFor<C>;
}

/**
 * Makes a plugin. Generic over the manifest and the capabilities so the type
 * checker can demand each optional method the capabilities declare, and give
 * `connect` typed credentials and settings. Adds the shared `canSubmit`.
 */
export function definePlugin<const M extends PluginManifest, const C extends Capabilities>(
  definition: PluginDefinition<M, C>,
): DefinedPlugin<M, C> {
  const { manifest, capabilities, venueRules } = definition;
  return {
    [DEFINED]: true,
    manifest,
    capabilities,
    symbol: (ticker, assetClass) => definition.symbol(ticker, assetClass),
    canSubmit(intent: OrderRequest): SubmitCheck {
      const shared = defaultCanSubmit(capabilities, intent);
      if (!shared.ok) return shared;
      const venue = venueRules?.(intent) ?? null;
      return venue ? { ok: false, reason: venue } : shared;
    },
    ...(definition.session !== undefined && { session: definition.session as PluginSession }),
    connect: (context) => definition.connect(context),
  };
}
