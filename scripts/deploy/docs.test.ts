/**
 * docs/deploy.md stays in step with what `npm run deploy` does: every secret
 * it uploads (worker/secrets.ts), every API token permission it asks for,
 * every cron trigger wrangler.toml attaches, and every option of the command.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { WORKER_SECRETS } from "../../worker/secrets.ts";
import { readDeployConfig } from "./config.ts";
import { API_TOKEN_PERMISSIONS } from "./run.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const doc = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`docs/deploy.md has no "## ${title}" section`);
  const end = doc.indexOf("\n## ", start + 4);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** First cells of the table rows in `text`, backticks removed. */
function firstCells(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("| "))
    .map((l) => l.slice(1).split("|")[0]!.trim().replace(/`/g, ""));
}

describe("docs/deploy.md", () => {
  it("documents every secret the deploy uploads, and no other", () => {
    const table = firstCells(section("3. Deploy")).filter((c) => /^[A-Z_]+$/.test(c));
    expect(table).toEqual(WORKER_SECRETS.map((s) => s.name));
  });

  it("lists every API token permission the deploy asks for", () => {
    const table = firstCells(section("2. Log in to Cloudflare"));
    for (const permission of API_TOKEN_PERMISSIONS) expect(table).toContain(permission);
  });

  it("lists every cron trigger wrangler.toml attaches, in production and staging", () => {
    const crons = new Set(["staging", undefined].flatMap((env) => readDeployConfig(ROOT, env).crons));
    const documented = firstCells(section("Cron triggers")).filter((c) => c !== "Cron" && !c.startsWith("---"));
    if (crons.size === 0) expect(documented).toEqual(["(none on this version)"]);
    else expect(documented.sort()).toEqual([...crons].sort());
  });

  it("shows every option of npm run deploy", () => {
    for (const option of ["--dry-run", "--env staging", "--new-setup-token"]) expect(doc).toContain(`npm run deploy -- ${option}`);
  });
});
