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
import type { Notifier } from "./notifications/notifier";
import type { AccountReconciler } from "./execution/reconciler";

export interface Env {
  DB: D1Database;
  SUBSCRIPTION_QUEUE: DurableObjectNamespace<SubscriptionQueue>;
  PAPER_LEDGER: DurableObjectNamespace<PaperLedger>;
  /** One token owner per session-based connection (OAuth brokers, Tradovate). */
  CONNECTION_SESSION: DurableObjectNamespace<ConnectionSession>;
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
}

const SecretsSchema = z.object({
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters; run `npm start` to generate .dev.vars, or `wrangler secret put JWT_SECRET`"),
  VAULT_KEYS: z.string().regex(/^[\w-]+:[A-Za-z0-9+/=]+(,[\w-]+:[A-Za-z0-9+/=]+)*$/, "VAULT_KEYS must look like `k1:<base64 32-byte key>`; run `npm start` to generate .dev.vars, or `wrangler secret put VAULT_KEYS`"),
});

let checked = false;

/** Throws a readable error once if a required secret is missing or malformed. */
export function assertSecrets(env: Env): void {
  if (checked) return;
  const result = SecretsSchema.safeParse(env);
  if (!result.success) throw new Error(`Tradeloop is misconfigured: ${result.error.issues.map((i) => i.message).join("; ")}`);
  checked = true;
}

/** Hono generics for every router. */
export interface AppBindings {
  Bindings: Env;
  Variables: { userId: string };
}
