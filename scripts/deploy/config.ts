/**
 * What `npm run deploy` needs to know from wrangler.toml, read by wrangler's
 * own config reader (so environments inherit exactly as wrangler deploys
 * them): the Worker's name, its D1 database, vars, cron schedules and the
 * Durable Object migration tags.
 *
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export interface DeployConfig {
  /** `undefined` for the top-level (production) Worker. */
  envName: string | undefined;
  workerName: string;
  database: { binding: string; name: string };
  /** `NAME → ClassName` of every Durable Object binding. */
  durableObjectBindings: string[];
  vars: Record<string, string>;
  crons: string[];
  durableObjectMigrationTags: string[];
  assetsDirectory: string;
  /** Environments declared under `[env.*]`. */
  environments: string[];
}

interface RawConfig {
  env?: Record<string, unknown>;
}

interface ReadConfig {
  name?: string;
  d1_databases?: { binding: string; database_name?: string }[];
  durable_objects?: { bindings?: { name: string; class_name: string }[] };
  vars?: Record<string, unknown>;
  triggers?: { crons?: string[] };
  migrations?: { tag: string }[];
  assets?: { directory?: string };
}

interface WranglerConfigApi {
  unstable_readConfig(args: { config: string; env?: string }): ReadConfig;
  experimental_readRawConfig(args: { config: string }): { rawConfig: RawConfig };
}

/** The ENVIRONMENT value that turns on development-only switches (.dev.vars and tests only). */
const DEVELOPMENT = "development";

/** A problem in wrangler.toml the user must fix before deploying. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Reads wrangler.toml for `envName` (undefined: the top level). Quiet: wrangler's own warnings are dropped. */
export function readDeployConfig(root: string, envName: string | undefined): DeployConfig {
  const path = join(root, "wrangler.toml");
  const wrangler = createRequire(join(root, "package.json"))("wrangler") as WranglerConfigApi;
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  Object.assign(console, { log: () => undefined, info: () => undefined, warn: () => undefined, debug: () => undefined });
  let raw: RawConfig;
  let config: ReadConfig;
  try {
    raw = wrangler.experimental_readRawConfig({ config: path }).rawConfig;
    const environments = Object.keys(raw.env ?? {});
    if (envName !== undefined && !environments.includes(envName)) {
      throw new ConfigError(
        `wrangler.toml has no [env.${envName}] section. Known environments: ${environments.length > 0 ? environments.join(", ") : "none"}.`,
      );
    }
    config = wrangler.unstable_readConfig({ config: path, env: envName });
  } finally {
    Object.assign(console, saved);
  }
  const d1 = config.d1_databases?.find((d) => d.binding === "DB");
  if (!d1?.database_name) throw new ConfigError(`wrangler.toml${envName ? ` [env.${envName}]` : ""} needs a [[d1_databases]] binding "DB" with a database_name.`);
  if (!config.name) throw new ConfigError("wrangler.toml needs a Worker `name`.");
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.vars ?? {})) vars[k] = typeof v === "string" ? v : JSON.stringify(v);
  // Development switches (first sign-up without the setup token, brokers on plain-http loopback,
  // fault injection) are honoured only when ENVIRONMENT is "development": never on a deployment.
  if (vars.ENVIRONMENT === DEVELOPMENT) {
    throw new ConfigError(
      `wrangler.toml${envName ? ` [env.${envName}]` : ""} sets ENVIRONMENT = "development", which would let anyone create the first account without the setup token and let connections reach plain-http brokers on loopback. Deployments run with ENVIRONMENT = "production" (the repository's value); "development" belongs in .dev.vars only.`,
    );
  }
  return {
    envName,
    workerName: config.name,
    database: { binding: d1.binding, name: d1.database_name },
    durableObjectBindings: (config.durable_objects?.bindings ?? []).map((b) => `${b.name} → ${b.class_name}`),
    vars,
    crons: config.triggers?.crons ?? [],
    durableObjectMigrationTags: (config.migrations ?? []).map((m) => m.tag),
    assetsDirectory: join(root, config.assets?.directory ?? "ui/dist"),
    environments: Object.keys(raw.env ?? {}),
  };
}
