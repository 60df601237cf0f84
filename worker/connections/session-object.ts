/**
 * ConnectionSession: one Durable Object per session-based connection (OAuth
 * brokers, Tradovate). It is the ONLY owner of the connection's tokens:
 *
 * - queues, API reads and tests ask it for a valid access token
 *   (`current`) and tell it when the broker refused one (`renew`); nobody
 *   else ever refreshes, so two refreshes can never race (several brokers
 *   revoke a session when they do, and Tradovate ends the oldest session when
 *   a third login opens);
 * - its alarm renews about 15 minutes before expiry, retries with backoff
 *   when the broker is unreachable, marks the connection `expiring` a day
 *   before a scheduled re-authorisation (Schwab's 7 days), and `expired`
 *   when a renewal is refused for good (subscriptions paused, event logged);
 * - tokens are stored SEALED with the credential vault (AES-GCM, bound to the
 *   connection id); the decrypted tokens live in memory only.
 *
 * - a session that keeps failing to renew for now (the broker or the user's
 *   IBKR gateway unreachable) turns the connection to `error` with the
 *   reason after {@link FAILURES_BEFORE_ERROR} tries, and back to
 *   `connected` when a renewal works again;
 * - it also keeps the connection's order journal (`ctx.journal`): which
 *   broker order id a client order id was sent as, for venues that take no
 *   client order id (Polymarket's order hash), so a lost reply can be
 *   reconciled. Journal entries outlive a `forget` (new credentials), and go
 *   with `disconnect`.
 *
 * The refresh logic itself is the SDK's TokenKeeper (the same code the
 * conformance kit tests plugins with); this object adds storage, the alarm
 * and the lifecycle.
 *
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { getPlugin } from "../../plugins";
import { BrokerError, errorMessage, SessionTokensSchema, TokenKeeper, type BrokerErrorKind, type RegisteredPlugin, type SessionTokens } from "../../plugins/sdk";
import { createSessionContext } from "../../plugins/sdk/host";
import { getDb } from "../db/client";
import { allowedHostsFor, destinationRules } from "./base-url";
import { connections } from "../db/schema";
import type { Env } from "../env";
import { log, newRequestId, withLogContext } from "../lib/log";
import { expireConnection, markExpiring, recordEvent, setConnectionStatus } from "./lifecycle";
import { oauthClientFromEnv } from "./oauth-config";
import { openCredentials, sealCredentials, type SealedCredentials } from "./vault";

/** A session call's outcome across RPC (a BrokerError loses its class on the way, so it travels as data). */
export type SessionResult = { ok: true; tokens: SessionTokens } | { ok: false; error: { message: string; code: string; kind: BrokerErrorKind } };

/** Warn this long before the grant ends (`expiring`). */
export const EXPIRING_NOTICE_MS = 24 * 3_600_000;
/** Backoff of failed renewals: 1 min, doubling, at most 15 min. */
const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 15 * 60_000;
/** Failed renewals in a row before the connection shows `error` (a blip is not worth telling). */
export const FAILURES_BEFORE_ERROR = 3;
/** Journal entries are kept this long (reconciliation happens within minutes; a month is generous). */
const JOURNAL_TTL_MS = 30 * 24 * 3_600_000;
const JOURNAL = "j:";
/** The last nonce handed out (see `nextNonce`). */
const NONCE = "nonce";

interface Meta {
  connectionId: string;
  failures: number;
  /** The grant end the `expiring` notice was given for (so it is given once). */
  expiringNotifiedFor: number | null;
  /** Whether this object set the connection to `error` (so it sets it back when renewals work again). */
  markedError?: boolean;
}

const SEALED = "sealed";
const META = "meta";

/** Turns a result back into tokens, or the BrokerError it carried. */
export function unwrapSession(result: SessionResult): SessionTokens {
  if (result.ok) return result.tokens;
  throw new BrokerError(result.error.message, { code: result.error.code, kind: result.error.kind });
}

function failure(e: unknown): SessionResult {
  if (e instanceof BrokerError) return { ok: false, error: { message: e.message, code: e.code, kind: e.kind } };
  log.error("connection session: unexpected failure", { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  return { ok: false, error: { message: "Tradeloop could not renew the broker session; it will try again.", code: "session-unavailable", kind: "retryable" } };
}

export class ConnectionSession extends DurableObject<Env> {
  private keeper: TokenKeeper | null = null;
  private plugin: RegisteredPlugin | null = null;
  private meta: Meta | null = null;
  private lastNonce: bigint | null = null;

  /** Valid tokens (renewed first when due). */
  async current(connectionId: string): Promise<SessionResult> {
    try {
      const keeper = await this.keeperFor(connectionId);
      const tokens = await keeper.current();
      await this.schedule();
      return { ok: true, tokens };
    } catch (e) {
      return failure(e);
    }
  }

  /** The broker refused `rejectedAccessToken`: renew once (shared with concurrent callers). */
  async renew(connectionId: string, rejectedAccessToken: string): Promise<SessionResult> {
    try {
      const keeper = await this.keeperFor(connectionId);
      const tokens = await keeper.renew(rejectedAccessToken);
      await this.schedule();
      return { ok: true, tokens };
    } catch (e) {
      return failure(e);
    }
  }

  /** Installs tokens from the OAuth callback (connect or reconnect) and arms the alarm. */
  async install(connectionId: string, tokens: SessionTokens): Promise<void> {
    const keeper = await this.keeperFor(connectionId);
    await keeper.install(SessionTokensSchema.parse(tokens));
    this.meta = { connectionId, failures: 0, expiringNotifiedFor: null };
    await this.ctx.storage.put(META, this.meta);
    await this.schedule();
  }

  /**
   * Disconnect: revokes at the broker where it has an endpoint (best effort:
   * a broker that cannot be reached must not keep the user connected), then
   * deletes the sealed tokens and the alarm.
   */
  async disconnect(connectionId: string): Promise<{ revoked: boolean; error?: string }> {
    let revoked = false;
    let error: string | undefined;
    try {
      const keeper = await this.keeperFor(connectionId);
      if (keeper.peek()) {
        await keeper.revoke();
        revoked = true;
      }
    } catch (e) {
      error = errorMessage(e);
    }
    this.keeper = null;
    this.meta = null;
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
    return { revoked, ...(error !== undefined && { error }) };
  }

  /**
   * Forgets the session without revoking it (new credentials, or a test of an
   * expired login connection after the user logged in again): the next call
   * logs in afresh. The order journal stays.
   */
  async forget(): Promise<void> {
    this.keeper = null;
    this.meta = null;
    await this.ctx.storage.delete([SEALED, META]);
    await this.ctx.storage.deleteAlarm();
  }

  /** Remembers which broker order id a client order id was (or is about to be) sent as. */
  async journalRecord(clientOrderId: string, brokerOrderId: string): Promise<void> {
    const now = Date.now();
    await this.ctx.storage.put(`${JOURNAL}${clientOrderId}`, { brokerOrderId, at: now });
    // Prune now and then: the oldest entries are long past any reconciliation.
    if (Math.random() < 0.01) {
      const old = [...(await this.ctx.storage.list<{ at: number }>({ prefix: JOURNAL })).entries()].filter(([, v]) => v.at < now - JOURNAL_TTL_MS).map(([k]) => k);
      for (let i = 0; i < old.length; i += 128) await this.ctx.storage.delete(old.slice(i, i + 128));
    }
  }

  /**
   * The connection's next nonce: above every one handed out before (kept in
   * storage, so it survives eviction) and at least `floor` (the caller's
   * clock in microseconds, so a fresh object never starts below what the
   * venue has seen). The object is the one writer for the connection, and
   * nothing is awaited between reading and raising the counter, so two
   * isolates can never get the same or a falling nonce.
   */
  async nextNonce(floor: string): Promise<string> {
    const stored = this.lastNonce ?? BigInt((await this.ctx.storage.get<string>(NONCE)) ?? "0");
    const last = this.lastNonce !== null && this.lastNonce > stored ? this.lastNonce : stored;
    const wanted = BigInt(/^\d{1,30}$/.test(floor) ? floor : "0");
    const next = wanted > last ? wanted : last + 1n;
    this.lastNonce = next;
    // Not awaited before answering: the output gate holds the answer until the write is durable.
    void this.ctx.storage.put(NONCE, next.toString());
    return next.toString();
  }

  /** The broker order id recorded for a client order id, or null. */
  async journalLookup(clientOrderId: string): Promise<string | null> {
    const entry = await this.ctx.storage.get<{ brokerOrderId: string }>(`${JOURNAL}${clientOrderId}`);
    return entry?.brokerOrderId ?? null;
  }

  /** What the object holds, without secrets (tests, diagnostics). */
  async describe(): Promise<{ hasTokens: boolean; expiresAt: number | null; refreshExpiresAt: number | null; failures: number; alarmAt: number | null; storedKeys: string[] }> {
    const sealed = await this.ctx.storage.get<SealedCredentials>(SEALED);
    const held = this.keeper?.peek() ?? null;
    const meta = this.meta ?? (await this.ctx.storage.get<Meta>(META)) ?? null;
    return {
      hasTokens: sealed !== undefined,
      expiresAt: held?.expiresAt ?? null,
      refreshExpiresAt: held?.refreshExpiresAt ?? null,
      failures: meta?.failures ?? 0,
      alarmAt: await this.ctx.storage.getAlarm(),
      storedKeys: [...(await this.ctx.storage.list()).keys()],
    };
  }

  /** Renews when due, warns of a grant ending, expires the connection when the grant is dead. Safe to run twice. */
  override async alarm(): Promise<void> {
    // A renewal is its own unit of work in the logs (no HTTP request started it).
    return withLogContext({ requestId: newRequestId("session") }, () => this.renewOnAlarm());
  }

  private async renewOnAlarm(): Promise<void> {
    const meta = this.meta ?? (await this.ctx.storage.get<Meta>(META)) ?? null;
    if (!meta) return;
    const keeper = await this.keeperFor(meta.connectionId);
    const outcome = await keeper.renewIfDue();
    if (!outcome.ok && !outcome.permanent) {
      meta.failures += 1;
      if (meta.failures >= FAILURES_BEFORE_ERROR && !meta.markedError) meta.markedError = await this.markError(meta.connectionId, outcome.error.message);
      await this.ctx.storage.put(META, meta);
      const wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (meta.failures - 1));
      log.warn("connection session: renewal failed, retrying", { connectionId: meta.connectionId, code: outcome.error.code, retryInSeconds: wait / 1000 });
      await this.ctx.storage.setAlarm(Date.now() + wait);
      return;
    }
    // A permanent failure already expired the connection (onDead).
    if (outcome.ok && meta.failures > 0) {
      meta.failures = 0;
      if (meta.markedError) {
        await this.markRecovered(meta.connectionId);
        meta.markedError = false;
      }
      await this.ctx.storage.put(META, meta);
    }
    await this.noticeExpiring(meta, keeper.peek());
    await this.schedule();
  }

  /** The session keeps failing to renew: `error` with the reason, once, when the connection was connected. */
  private async markError(connectionId: string, reason: string): Promise<boolean> {
    const db = getDb(this.env.DB);
    const row = await db.select({ userId: connections.userId, name: connections.name, status: connections.status }).from(connections).where(eq(connections.id, connectionId)).get();
    if (!row || (row.status !== "connected" && row.status !== "expiring")) return false;
    const sentence = `The "${row.name}" connection's session cannot be renewed right now (${reason}); Tradeloop keeps trying.`;
    await setConnectionStatus(db, connectionId, "error", sentence);
    await recordEvent(db, { userId: row.userId, kind: "connection-error", connectionId, message: sentence });
    return true;
  }

  /** Renewals work again after this object marked the connection `error`: back to `connected`. */
  private async markRecovered(connectionId: string): Promise<void> {
    const db = getDb(this.env.DB);
    const row = await db.select({ userId: connections.userId, name: connections.name, status: connections.status }).from(connections).where(eq(connections.id, connectionId)).get();
    if (row?.status !== "error") return;
    await setConnectionStatus(db, connectionId, "connected", null);
    await recordEvent(db, { userId: row.userId, kind: "connection-connected", connectionId, message: `The "${row.name}" connection's session works again.` });
  }

  private async noticeExpiring(meta: Meta, tokens: SessionTokens | null): Promise<void> {
    const endsAt = tokens?.refreshExpiresAt;
    if (endsAt === undefined || meta.expiringNotifiedFor === endsAt) return;
    if (endsAt - Date.now() > EXPIRING_NOTICE_MS) return;
    await markExpiring(getDb(this.env.DB), meta.connectionId, endsAt, Date.now(), this.env);
    meta.expiringNotifiedFor = endsAt;
    await this.ctx.storage.put(META, meta);
  }

  /** The next wake-up: renewal time, the expiring notice, or nothing when there is nothing to keep alive. */
  private async schedule(): Promise<void> {
    const tokens = this.keeper?.peek() ?? null;
    if (!tokens || this.keeper?.deadReason()) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const meta = this.meta;
    const candidates: number[] = [];
    if (tokens.expiresAt !== undefined) candidates.push(tokens.expiresAt - (this.keeper?.renewBeforeMs ?? 0));
    if (tokens.refreshExpiresAt !== undefined && meta?.expiringNotifiedFor !== tokens.refreshExpiresAt) candidates.push(tokens.refreshExpiresAt - EXPIRING_NOTICE_MS);
    if (candidates.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.max(Date.now() + 1_000, Math.min(...candidates));
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < Date.now()) await this.ctx.storage.setAlarm(at);
  }

  /** Builds (once per instance) the keeper for this connection from its D1 row and sealed storage. */
  private async keeperFor(connectionId: string): Promise<TokenKeeper> {
    if (this.keeper) return this.keeper;
    const db = getDb(this.env.DB);
    const row = await db.select().from(connections).where(eq(connections.id, connectionId)).get();
    if (!row) throw new BrokerError("This connection no longer exists.", { code: "connection-not-found", kind: "rejected" });
    const plugin = getPlugin(row.broker);
    if (!plugin) throw new BrokerError(`Broker "${row.broker}" is not installed on this Tradeloop.`, { code: "unknown-broker", kind: "unsupported" });
    this.plugin = plugin;
    const environment = row.settings.environment === "live" ? "live" : "paper";
    const authMethod = row.authMethod === "oauth" ? "oauth" : "credentials";
    const credentials =
      authMethod === "credentials" && row.credentialsCiphertext && row.credentialsKeyId
        ? await openCredentials(this.env.VAULT_KEYS, row.id, { ciphertext: row.credentialsCiphertext, keyId: row.credentialsKeyId })
        : undefined;
    const baseUrl = (typeof row.settings.baseUrl === "string" ? row.settings.baseUrl : undefined) ?? plugin.manifest.environments[environment] ?? "";
    const oauthClient = plugin.manifest.auth.oauth ? oauthClientFromEnv(this.env, plugin.manifest.auth.oauth) : undefined;
    const context = createSessionContext(
      {
        plugin,
        connectionId,
        credentials,
        settings: row.settings,
        environment,
        baseUrl,
        authMethod,
        transport: (request) => fetch(request),
        timeoutMs: 10_000,
        // Logins and refreshes carry passwords and refresh tokens: the same declared-hosts rule as every broker request.
        allowedHosts: allowedHostsFor(destinationRules(this.env, plugin), row.settings.baseUrl).hosts,
      },
      oauthClient ?? undefined,
    );
    const sealed = await this.ctx.storage.get<SealedCredentials>(SEALED);
    const initial = sealed ? SessionTokensSchema.parse(await openCredentials(this.env.VAULT_KEYS, connectionId, sealed)) : null;
    this.meta = (await this.ctx.storage.get<Meta>(META)) ?? { connectionId, failures: 0, expiringNotifiedFor: null };
    this.keeper = new TokenKeeper({
      hooks: plugin.session,
      context,
      initial,
      // Sealed before anyone sees the new token: a rotated refresh token is never lost, never stored in clear.
      onChange: async (tokens) => {
        if (tokens) await this.ctx.storage.put(SEALED, await sealCredentials(this.env.VAULT_KEYS, connectionId, tokens));
        else await this.ctx.storage.delete(SEALED);
      },
      onDead: async (error) => {
        await this.ctx.storage.delete(SEALED);
        await expireConnection(this.env, connectionId, `${plugin.manifest.displayName} refused to renew the session (${error.message})`);
      },
    });
    return this.keeper;
  }
}
