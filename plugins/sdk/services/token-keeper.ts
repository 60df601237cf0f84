/**
 * The token owner's logic, without its storage: holds one session's tokens,
 * renews them ahead of expiry, and never runs two renewals (or logins) at
 * once. The core's ConnectionSession Durable Object wraps it with sealed
 * persistence and an alarm; the conformance kit uses it in memory, so
 * plugins are tested through the same rules the core runs.
 *
 * Why single-flight: several brokers revoke a session when two refreshes
 * race (a rotated refresh token used twice), and Tradovate ends the oldest
 * session when a third login opens. Every caller that needs a renewal while
 * one is running waits for that one.
 *
 * @module
 */
import { BrokerError } from "../errors";
import { DEFAULT_RENEW_BEFORE_MS, type PluginSession, type SessionAccess, type SessionContext, type SessionTokens } from "../session";
import { exchangeAuthorizationCode, refreshWithRefreshToken, revokeTokens } from "./oauth";

export interface TokenKeeperOptions<C = unknown> {
  hooks: PluginSession<C> | undefined;
  context: SessionContext<C>;
  /** Tokens to start from (loaded from storage, or from the OAuth callback). */
  initial?: SessionTokens | null;
  /** Called after every change, BEFORE the new tokens are handed to anyone (persist them here). */
  onChange?(tokens: SessionTokens | null): Promise<void> | void;
  /** Called once when the session is dead for good (the user must connect again). */
  onDead?(error: BrokerError): Promise<void> | void;
}

/** True when `error` means the grant is dead (renewing again will not help). */
export function isPermanentSessionFailure(error: unknown): error is BrokerError {
  return error instanceof BrokerError && (error.kind === "auth-expired" || error.kind === "rejected" || error.kind === "unsupported");
}

/** One session's tokens and their renewal. */
export class TokenKeeper<C = unknown> implements SessionAccess {
  private tokens: SessionTokens | null;
  private inflight: Promise<SessionTokens> | null = null;
  private dead: BrokerError | null = null;
  private renewalCount = 0;

  constructor(private readonly options: TokenKeeperOptions<C>) {
    this.tokens = options.initial ?? null;
  }

  /** How long before expiry a renewal starts. */
  get renewBeforeMs(): number {
    return this.options.hooks?.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
  }

  /** The tokens held now (no renewal), for the owner's scheduling. */
  peek(): SessionTokens | null {
    return this.tokens;
  }

  /** How many renewals (or logins) this keeper ran: concurrent callers share one. */
  get renewals(): number {
    return this.renewalCount;
  }

  /** Why the session is dead, if it is. */
  deadReason(): BrokerError | null {
    return this.dead;
  }

  /** Replaces the tokens (OAuth callback, reconnect): the session is alive again. */
  async install(tokens: SessionTokens): Promise<void> {
    await this.inflight?.catch(() => undefined);
    this.dead = null;
    await this.options.onChange?.(tokens);
    this.tokens = tokens;
  }

  /** Forgets the tokens (disconnect). */
  async clear(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    await this.options.onChange?.(null);
    this.tokens = null;
  }

  private now(): number {
    return this.options.context.now().getTime();
  }

  private usable(tokens: SessionTokens | null): tokens is SessionTokens {
    return tokens !== null && (tokens.expiresAt === undefined || tokens.expiresAt > this.now());
  }

  private dueForRenewal(tokens: SessionTokens): boolean {
    return tokens.expiresAt !== undefined && tokens.expiresAt - this.now() <= this.renewBeforeMs;
  }

  /** Valid tokens: the held ones, renewed first when they are due (or already expired). */
  async current(): Promise<SessionTokens> {
    if (this.dead) throw this.dead;
    const held = this.tokens;
    if (held && !this.dueForRenewal(held)) return held;
    try {
      return await this.renewOnce();
    } catch (e) {
      // A renewal that failed for now (network, 5xx) leaves a still-valid token usable.
      if (!isPermanentSessionFailure(e) && this.usable(this.tokens)) return this.tokens;
      throw e;
    }
  }

  /** The broker refused `rejected`: renew unless someone already did, then answer the new tokens. */
  async renew(rejected: string): Promise<SessionTokens> {
    if (this.dead) throw this.dead;
    if (this.tokens && this.tokens.accessToken !== rejected) return this.tokens;
    return this.renewOnce(true);
  }

  /**
   * Renews now if due (the owner's alarm). Returns the outcome instead of
   * throwing, so the caller can schedule a retry or report the death.
   */
  async renewIfDue(): Promise<{ ok: true; tokens: SessionTokens | null } | { ok: false; error: BrokerError; permanent: boolean }> {
    if (this.dead) return { ok: false, error: this.dead, permanent: true };
    const held = this.tokens;
    if (held && !this.dueForRenewal(held)) return { ok: true, tokens: held };
    if (!held && !this.options.hooks?.login) return { ok: true, tokens: null };
    try {
      return { ok: true, tokens: await this.renewOnce() };
    } catch (e) {
      const error = e instanceof BrokerError ? e : new BrokerError(String(e), { code: "session-renewal-failed", kind: "retryable" });
      return { ok: false, error, permanent: isPermanentSessionFailure(error) };
    }
  }

  /** Exchanges an authorization code with the plugin's hook (or the standard grant) and installs the tokens. */
  async exchangeCode(grant: Parameters<NonNullable<PluginSession["exchangeCode"]>>[1]): Promise<SessionTokens> {
    const hooks = this.options.hooks;
    const tokens = hooks?.exchangeCode ? await hooks.exchangeCode(this.options.context, grant) : await exchangeAuthorizationCode(this.options.context, grant);
    await this.install(tokens);
    return tokens;
  }

  /** Revokes at the broker (best effort is the caller's choice) and forgets the tokens. */
  async revoke(): Promise<void> {
    const held = this.tokens;
    if (held) {
      const hooks = this.options.hooks;
      if (hooks?.revoke) await hooks.revoke(this.options.context, held);
      else if (this.options.context.oauth) await revokeTokens(this.options.context, held);
    }
    await this.clear();
  }

  /** One renewal (or login) at a time: concurrent callers share it. */
  private renewOnce(forced = false): Promise<SessionTokens> {
    if (!this.inflight) this.renewalCount++;
    this.inflight ??= this.runRenewal(forced).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async runRenewal(forced: boolean): Promise<SessionTokens> {
    const { hooks, context } = this.options;
    const held = this.tokens;
    // Another caller renewed while this one waited to start: nothing to do.
    if (held && !forced && !this.dueForRenewal(held)) return held;
    let next: SessionTokens;
    try {
      if (held && (hooks?.refresh || held.refreshToken || context.oauth)) {
        next = hooks?.refresh ? await hooks.refresh(context, held) : await refreshWithRefreshToken(context, held);
      } else if (hooks?.login) {
        next = await hooks.login(context);
      } else {
        throw new BrokerError("This connection has no session; connect it again.", { code: "session-missing", kind: "auth-expired" });
      }
    } catch (e) {
      // The access token itself may have died while renewal is impossible for now: the only way
      // forward for a login broker is a fresh login, which the hook decides; for OAuth, wait.
      if (isPermanentSessionFailure(e)) {
        // A login broker can start over from its credentials when renewing failed for good.
        if (held && hooks?.login && e.code !== "login-refused") {
          try {
            next = await hooks.login(context);
            await this.options.onChange?.(next);
            this.tokens = next;
            return next;
          } catch (loginError) {
            if (isPermanentSessionFailure(loginError)) await this.die(loginError);
            throw loginError;
          }
        }
        await this.die(e);
      }
      throw e;
    }
    // Persist before anyone uses the new token: a rotated refresh token must never be lost.
    await this.options.onChange?.(next);
    this.tokens = next;
    return next;
  }

  private async die(error: BrokerError): Promise<void> {
    if (this.dead) return;
    this.dead = error;
    await this.options.onDead?.(error);
  }
}
