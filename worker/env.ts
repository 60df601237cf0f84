/**
 * The Worker's bindings and secrets. Secrets are checked with zod once per
 * isolate so a missing `.dev.vars` fails with a clear message, not a crash
 * deep inside crypto code.
 *
 * @module
 */
import { z } from "zod";

declare global {
  namespace Cloudflare {
    /**
     * Settings that neither wrangler.toml nor worker/required-secrets.env
     * declares, because most deployments leave them unset. Declared on
     * `Cloudflare.Env` itself, so the tests' `env` knows them too.
     */
    interface Env {
      /** Absolute base for webhook URLs, e.g. `https://tradeloop.example.com`. Defaults to the request origin. */
      PUBLIC_URL?: string;
      /** One-time token the first sign-up of a deployment must present (outside development). */
      SETUP_TOKEN?: string;
      /** Development only: lets connections send to plain-http brokers on loopback (connections/base-url.ts). */
      ALLOW_HTTP_LOOPBACK?: string;
      /** Development only: honours a connection's `settings.faults` (connections/fault-injection.ts). */
      ALLOW_FAULT_INJECTION?: string;
      /** Per-user caps (worker/limits/caps.ts); unset = the defaults there. */
      MAX_STRATEGIES_PER_USER?: string;
      MAX_CONNECTIONS_PER_USER?: string;
      MAX_SUBSCRIPTIONS_PER_STRATEGY?: string;
      /** "reseal" makes the vault job re-encrypt stale rows with fresh data keys instead of re-wrapping (worker/jobs/vault-rewrap.ts). */
      VAULT_ROTATION_MODE?: string;
      /** SnapTrade's partner keys (operator secrets; unset = SnapTrade connections refused with `partner-not-configured`). */
      SNAPTRADE_CLIENT_ID?: string;
      SNAPTRADE_CONSUMER_KEY?: string;
      /*
       * Brokers' OAuth apps: `<BROKER>_CLIENT_ID` / `<BROKER>_CLIENT_SECRET` secrets, named in each
       * plugin's manifest (`auth.oauth.secrets`), and aggregators' partner keys (`auth.partner.secrets`,
       * SnapTrade's above), are read by name (worker/connections/oauth-config.ts).
       */
    }
  }
}

/**
 * The Worker's environment. Bindings, `[vars]` (ENVIRONMENT, SIGNUP_OPEN,
 * SIGNAL_RETENTION_DAYS) and the required secrets (JWT_SECRET, VAULT_KEYS,
 * PASSWORD_PEPPER, named in worker/required-secrets.env) come from `wrangler
 * types` (worker/worker-configuration.d.ts, regenerated with `npm run types`
 * after a wrangler.toml change; `npm run typecheck` fails while it is out of
 * date); the optional settings are declared above.
 */
export type Env = Cloudflare.Env;

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
