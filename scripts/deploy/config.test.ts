/**
 * `[env.staging]` must stay a full copy of the production Worker: wrangler
 * does not inherit bindings or vars into an environment, so a Durable Object
 * binding or a var added at the top of wrangler.toml and not under
 * `[env.staging]` would make the staging Worker fail at runtime. This test
 * names what is missing.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readDeployConfig } from "./config.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("wrangler.toml [env.staging]", () => {
  const production = readDeployConfig(ROOT, undefined);
  const staging = readDeployConfig(ROOT, "staging");

  it("is its own Worker with its own database", () => {
    expect(staging.workerName).not.toBe(production.workerName);
    expect(staging.database.name).not.toBe(production.database.name);
    expect(staging.database.binding).toBe(production.database.binding);
  });

  it("declares every Durable Object binding and every var production has", () => {
    expect(staging.durableObjectBindings.sort()).toEqual(production.durableObjectBindings.sort());
    expect(Object.keys(staging.vars).sort()).toEqual(Object.keys(production.vars).sort());
  });

  it("runs the same Durable Object migrations and cron triggers (inherited)", () => {
    expect(staging.durableObjectMigrationTags).toEqual(production.durableObjectMigrationTags);
    expect(staging.crons).toEqual(production.crons);
  });
});
