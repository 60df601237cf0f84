/**
 * The Worker's bindings and secrets. Secrets are checked with zod once per
 * isolate so a missing `.dev.vars` fails with a clear message, not a crash
 * deep inside crypto code.
 *
 * @module
 */
import { z } from "zod";
import type { PaperLedger } from "../plugins/paper/ledger-object";
import type { ConnectionSession } from "./connections/session-object";
import type { SubscriptionQueue } from "./execution/subscription-queue";
import type { RateLimiter } from "./limits/rate-limiter";
import type { Notifier } from "./notifications/notifier";
import type { AccountReconciler } from "./execution/reconciler";

export interface Env {
  DB: D1Database;
  SUBSCRIPTION_QUEUE: DurableObjectNamespace<SubscriptionQueue>;
  PAPER_LEDGER: DurableObjectNamespace<PaperLedger>;
  /** One token owner per session-based connection (OAuth brokers, Tradovate). */
  CONNECTION_SESSION: DurableObjectNamespace<ConnectionSession>;
  /** Token buckets for throttling, one object per key (worker/limits/). */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** One Notifier per user delivers its events to its channels. */
  NOTIFIER: DurableObjectNamespace<Notifier>;
  /** One AccountReconciler per broker account compares the broker with Tradeloop's fills. */
  ACCOUNT_RECONCILER: DurableObjectNamespace<AccountReconciler>;
  ASSETS?: Fetcher;
  /** HMAC key for session JWTs (base64, 32+ bytes). */
  JWT_SECRET: string;
  /** Credential vault keys: `kid1:base64key,kid2:base64key`; the first one seals. */
  VAULT_KEYS: string;
  /** "true" lets anyone sign up; otherwise only the first user can. */
  SIGNUP_OPEN?: string;
  /** Absolute base for webhook URLs, e.g. `https://tradeloop.example.com`. Defaults to the request origin. */
  PUBLIC_URL?: string;
  /*
   * Brokers' OAuth apps: `<BROKER>_CLIENT_ID` / `<BROKER>_CLIENT_SECRET` secrets, named in each
   * plugin's manifest (`auth.oauth.secrets`) and read by name (worker/connections/oauth-config.ts).
   */
  // --- Security settings (docs/security.md) ---
  /** "production" (wrangler.toml) or "development" (.dev.vars, tests); development switches need the latter. */
  ENVIRONMENT?: string;
  /** HMAC key mixed into every password hash (32+ characters); never stored in D1. */
  PASSWORD_PEPPER: string;
  /** One-time token the first sign-up of a deployment must present (outside development). */
  SETUP_TOKEN?: string;
  /** Development only: connections may use a broker on this machine. */
  ALLOW_HTTP_LOOPBACK?: string;
  /** Development only: `settings.faults` wraps a connection's broker fetch. */
  ALLOW_FAULT_INJECTION?: string;
  /** Per-user caps (worker/limits/caps.ts); unset = the defaults there. */
  MAX_STRATEGIES_PER_USER?: string;
  MAX_CONNECTIONS_PER_USER?: string;
  MAX_SUBSCRIPTIONS_PER_STRATEGY?: string;
  /** Days of signal log kept (worker/jobs/signal-retention.ts); default 90, "0" keeps everything. */
  SIGNAL_RETENTION_DAYS?: string;
  /** "reseal" makes the vault job re-encrypt stale rows with fresh data keys instead of re-wrapping (worker/jobs/vault-rewrap.ts). */
  VAULT_ROTATION_MODE?: string;
}

const SecretsSchema = z.object({
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters; run `npm start` to generate .dev.vars, or `wrangler secret put JWT_SECRET`"),
  VAULT_KEYS: z.string().regex(/^[\w-]+:[A-Za-z0-9+/=]+(,[\w-]+:[A-Za-z0-9+/=]+)*$/, "VAULT_KEYS must look like `k1:<base64 32-byte key>`; run `npm start` to generate .dev.vars, or `wrangler secret put VAULT_KEYS`"),
  PASSWORD_PEPPER: z.string().min(32, "PASSWORD_PEPPER must be at least 32 characters; run `npm start` to add it to .dev.vars, or `wrangler secret put PASSWORD_PEPPER`"),
});

let checked = false;

/** Throws a readable error once if a required secret is missing or malformed. */
export function assertSecrets(env: Env): void {
  if (checked) return;
  const result = SecretsSchema.safeParse(env);
  if (!result.success) throw new Error(`Tradeloop is misconfigured: ${result.error.issues.map((i) => i.message).join("; ")}`);
  checked = true;
}

/** How the request authenticated (worker/auth/middleware.ts). */
export type AuthContext =
  | { kind: "session"; sessionId: string; via: "bearer" | "cookie" }
  | { kind: "api-token"; tokenId: string; scopes: readonly ("read" | "trade")[] };

/** Hono generics for every router. */
export interface AppBindings {
  Bindings: Env;
  Variables: { userId: string; auth: AuthContext };
}
