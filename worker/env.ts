/**
 * The Worker's bindings and secrets. Secrets are checked with zod once per
 * isolate so a missing `.dev.vars` fails with a clear message, not a crash
 * deep inside crypto code.
 *
 * @module
 */
import { z } from "zod";

/**
 * The Worker's environment. Bindings, `[vars]` and the secrets named in
 * `.dev.vars.example` come from `wrangler types` (worker/worker-configuration.d.ts,
 * regenerated with `npm run types` after a wrangler.toml change; `npm run
 * typecheck` fails while it is out of date). Below: optional settings that
 * neither file declares, because they are absent from most deployments.
 */
export interface Env extends Cloudflare.Env {
  /** Absolute base for webhook URLs, e.g. `https://tradeloop.example.com`. Defaults to the request origin. */
  PUBLIC_URL?: string;
  /** Development only: lets connections send to plain-http brokers on loopback (connections/base-url.ts). */
  ALLOW_HTTP_LOOPBACK?: string;
  /** Rehearsal only: honours a connection's `settings.faults` (connections/fault-injection.ts). */
  ALLOW_FAULT_INJECTION?: string;
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
