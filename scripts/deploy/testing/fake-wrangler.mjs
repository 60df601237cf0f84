#!/usr/bin/env node
// A stand-in for the `wrangler` CLI, for testing `npm run deploy` without a
// Cloudflare account. It answers the commands the deploy uses the way
// wrangler 4.164 does (exit codes, JSON shapes, the lines the deploy reads),
// keeps an account's state in a JSON file, and records every call.
//
//   FAKE_WRANGLER_STATE  the account: { loggedIn, accounts, databases, workers, timeTravelUnavailable }
//   FAKE_WRANGLER_LOG    one JSON line per call: { args, stdin }
//   FAKE_WRANGLER_URL    the URL `deploy` prints for the Worker (a test server)
//   FAKE_WRANGLER_BUNDLE_BYTES  size of the module `deploy --dry-run` writes
//
// Worker names follow the repository's wrangler.toml: "tradeloop", and
// "tradeloop-staging" under `--env staging`.
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const statePath = process.env.FAKE_WRANGLER_STATE;
const logPath = process.env.FAKE_WRANGLER_LOG;
const stdin = process.stdin.isTTY ? "" : readFileSync(0, "utf8");
if (logPath) appendFileSync(logPath, `${JSON.stringify({ args, stdin })}\n`);

const state = statePath ? JSON.parse(readFileSync(statePath, "utf8")) : { loggedIn: false };
state.databases ??= [];
state.workers ??= {};
const save = () => statePath && writeFileSync(statePath, JSON.stringify(state, null, 2));

const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const envName = flag("--env") ?? flag("-e");
const workerName = envName ? `tradeloop-${envName}` : "tradeloop";
const databaseName = envName ? `tradeloop-${envName}` : "tradeloop";
const out = (text) => process.stdout.write(`${text}\n`);
const fail = (text, code = 1) => {
  process.stderr.write(`✘ [ERROR] ${text}\n`);
  process.exit(code);
};
const banner = () => out("\n ⛅️ wrangler 4.164.0\n───────────────────");
const requireLogin = () => {
  if (!state.loggedIn) fail("You are not authenticated. Please run `wrangler login`.");
};

const [cmd, sub, third] = args;

if (cmd === "--version" || cmd === "-v") {
  out("4.164.0");
} else if (cmd === "whoami") {
  if (!state.loggedIn) {
    out(JSON.stringify({ loggedIn: false }));
    process.exit(1);
  }
  out(JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: "owner@example.com", accounts: state.accounts ?? [{ id: "acc-1", name: "Owner's Account" }] }, null, 2));
} else if (cmd === "d1" && sub === "list") {
  requireLogin();
  out(JSON.stringify(state.databases, null, 2));
} else if (cmd === "d1" && sub === "create") {
  requireLogin();
  const name = third;
  if (state.databases.some((d) => d.name === name)) fail(`A database with that name already exists [code: 7502]`);
  const uuid = randomUUID();
  state.databases.push({ uuid, name, created_at: new Date().toISOString(), version: "production", num_tables: 0, file_size: 12288 });
  save();
  banner();
  out(`✅ Successfully created DB '${name}' in region WEUR`);
  out("To access your new D1 Database in your Worker, add the following snippet to your configuration file:");
  out(`[[d1_databases]]\nbinding = "${name}"\ndatabase_name = "${name}"\ndatabase_id = "${uuid}"`);
} else if (cmd === "d1" && sub === "time-travel" && third === "info") {
  requireLogin();
  const db = state.databases.find((d) => d.name === databaseName);
  if (!db) fail(`Couldn't find a D1 DB named '${databaseName}' (bound as 'DB') in the API. Run 'wrangler d1 create ${databaseName}' to create it.`);
  if (!args.includes("--json")) fail("this fake answers `d1 time-travel info` with --json only", 2);
  if (state.timeTravelUnavailable) fail("A request to the Cloudflare API (/accounts/acc-1/d1/database/x/time_travel/bookmark) failed. [code: 7500]");
  out(JSON.stringify({ bookmark: `0000000${db.migrated ? 2 : 1}-00000001-00004f8e-${db.uuid.slice(0, 8)}` }, null, 2));
} else if (cmd === "d1" && sub === "migrations" && third === "apply") {
  requireLogin();
  const db = state.databases.find((d) => d.name === databaseName);
  if (!db) fail(`Couldn't find a D1 DB named '${databaseName}' (bound as 'DB') in the API. Run 'wrangler d1 create ${databaseName}' to create it.`);
  banner();
  if (db.migrated) {
    out("✅ No migrations to apply!");
  } else {
    db.migrated = true;
    save();
    out(`Migrations to be applied:\n┌───────────────┐\n│ name          │\n├───────────────┤\n│ 0000_init.sql │\n└───────────────┘`);
    out(`🌀 Executing on remote database DB (${db.uuid}):`);
    out(`┌───────────────┬────────┐\n│ name          │ status │\n├───────────────┼────────┤\n│ 0000_init.sql │ ✅     │\n└───────────────┴────────┘`);
  }
} else if (cmd === "secret" && sub === "list") {
  requireLogin();
  const worker = state.workers[workerName];
  if (!worker) fail(`Worker "${workerName}"${envName ? ` (env: ${envName})` : ""} not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`);
  out(JSON.stringify(Object.keys(worker.secrets).map((name) => ({ name, type: "secret_text" })), null, "  "));
} else if (cmd === "secret" && sub === "put") {
  requireLogin();
  if (!stdin) fail("No secret value on stdin");
  const worker = (state.workers[workerName] ??= { deployed: false, secrets: {} });
  worker.secrets[third] = stdin;
  save();
  banner();
  out(`🌀 Creating the secret for the Worker "${workerName}"`);
  out(`✨ Success! Uploaded secret ${third}`);
} else if (cmd === "deploy" && args.includes("--dry-run")) {
  const outdir = flag("--outdir");
  if (!outdir) fail("--outdir is required in this fake");
  mkdirSync(outdir, { recursive: true });
  const bytes = Number(process.env.FAKE_WRANGLER_BUNDLE_BYTES ?? "200000");
  // Base64 of random bytes: gzip only wins back the unused bits (about 3/4 of the raw size remains).
  writeFileSync(join(outdir, "index.js"), randomBytes(bytes).toString("base64").slice(0, bytes));
  writeFileSync(join(outdir, "index.js.map"), "{}");
  writeFileSync(join(outdir, "README.md"), "This folder contains the built output assets for the worker.");
  banner();
  out(`Total Upload: ${(bytes / 1024).toFixed(2)} KiB / gzip: ${(bytes / 1024).toFixed(2)} KiB`);
  out("--dry-run: exiting now.");
} else if (cmd === "deploy") {
  requireLogin();
  const worker = (state.workers[workerName] ??= { deployed: false, secrets: {} });
  worker.deployed = true;
  worker.deploys = (worker.deploys ?? 0) + 1;
  save();
  banner();
  out(`Total Upload: 1747.78 KiB / gzip: 352.15 KiB`);
  out(`Uploaded ${workerName} (3.21 sec)`);
  out(`Deployed ${workerName} triggers (0.85 sec)`);
  out(`  ${process.env.FAKE_WRANGLER_URL ?? `https://${workerName}.owner.workers.dev`}`);
  out(`  schedule: */5 * * * *`);
  out(`Current Version ID: ${randomUUID()}`);
} else {
  fail(`The fake wrangler does not know: ${args.join(" ")}`, 2);
}
