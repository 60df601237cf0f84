/**
 * Where the Worker runs, and the development-only switches that depend on it.
 *
 * `ENVIRONMENT` is "production" in wrangler.toml's [vars] and "development"
 * in .dev.vars (written by `npm start`) and the test config. A switch that
 * weakens a protection for local work (plain-http loopback brokers, broker
 * fault injection, sign-up without the setup token) is honoured only when
 * ENVIRONMENT is exactly "development": copying a .dev.vars line into a
 * deployed Worker's settings does nothing but log a warning. An unset
 * ENVIRONMENT counts as production (fail closed).
 *
 * @module
 */

/** Switches that only work in development. */
export const DEV_FLAGS = ["ALLOW_HTTP_LOOPBACK", "ALLOW_FAULT_INJECTION"] as const;
export type DevFlag = (typeof DEV_FLAGS)[number];

function read(env: object, name: string): unknown {
  return name in env ? (env as Record<string, unknown>)[name] : undefined;
}

/** True only when `ENVIRONMENT` is exactly "development". */
export function isDevelopment(env: object): boolean {
  return read(env, "ENVIRONMENT") === "development";
}

/** A development switch: set to "true" AND the Worker runs in development. */
export function devFlag(env: object, flag: DevFlag): boolean {
  return isDevelopment(env) && read(env, flag) === "true";
}

let warned = false;

/**
 * Logs one warning per isolate when development switches are set on a Worker
 * that is not in development (they are ignored there). Called on the first
 * request an isolate serves; returns the ignored flags (for tests).
 */
export function warnIgnoredDevFlags(env: object, log: (message: string) => void = console.warn): DevFlag[] {
  if (isDevelopment(env)) return [];
  const set = DEV_FLAGS.filter((flag) => read(env, flag) !== undefined && read(env, flag) !== "" && read(env, flag) !== "false");
  if (set.length > 0 && !warned) {
    warned = true;
    log(`tradeloop: ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but ignored: development switches work only when ENVIRONMENT is "development" (it is ${JSON.stringify(read(env, "ENVIRONMENT") ?? "unset")}).`);
  }
  return set;
}

/** Lets a test see the warning again. */
export function resetDevFlagWarning(): void {
  warned = false;
}
