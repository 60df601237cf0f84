/**
 * A broker app's OAuth client (id and secret) from the Worker secrets the
 * plugin's manifest names (`TRADESTATION_CLIENT_ID`, ...). Each self-hosted
 * deployment registers its own app at each broker; until the operator sets
 * the secrets, the OAuth flow answers 400 `oauth-not-configured` naming them.
 *
 * @module
 */
import type { OAuthClientCredentials, OAuthSpec } from "../../plugins/sdk";
import type { Env } from "../env";
import { AppError } from "../errors";

function secret(env: Env, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The app's client, or null when a secret is missing. */
export function oauthClientFromEnv(env: Env, spec: OAuthSpec): OAuthClientCredentials | null {
  const clientId = secret(env, spec.secrets.clientId);
  const clientSecret = secret(env, spec.secrets.clientSecret);
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

/** The app's client, or 400 `oauth-not-configured` with the secrets to set. */
export function requireOAuthClient(env: Env, spec: OAuthSpec, brokerName: string): OAuthClientCredentials {
  const client = oauthClientFromEnv(env, spec);
  if (client) return client;
  const missing = [spec.secrets.clientId, spec.secrets.clientSecret].filter((name) => !secret(env, name));
  throw new AppError(
    "oauth-not-configured",
    `Connecting ${brokerName} needs this Tradeloop's own ${brokerName} app: register it (see docs/brokers), then set the Worker secret${missing.length > 1 ? "s" : ""} ${missing.join(" and ")} (wrangler secret put ${missing[0]}).`,
    { status: 400 },
  );
}
