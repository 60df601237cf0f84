/**
 * `npm run deploy`: Tradeloop onto the user's own Cloudflare account, in one
 * guided, idempotent command. Every step says what it did; re-running it is
 * an upgrade.
 *
 *   1. tools      Node 22.12+ (scripts/deploy.sh brings it) and wrangler
 *   2. login      `wrangler whoami`; without one, exactly what to do
 *   3. dashboard  `npm run build:ui` into ui/dist (the Worker's static assets)
 *   4. bundle     `wrangler deploy --dry-run --outdir`: size raw and gzipped
 *   5. database   the D1 database by name, created when missing (wrangler.toml
 *                 holds no id, so nothing tracked is ever edited)
 *   6. migrations applied before any new code goes live, with the Time
 *                 Travel bookmark to restore the database as it was before
 *   7. secrets    each missing one generated and uploaded; existing ones are
 *                 never replaced (worker/secrets.ts lists them)
 *   8. deploy     the Worker with its assets, Durable Object migrations and
 *                 cron triggers
 *   9. health     GET /healthz on the new deployment
 *
 * `--dry-run` runs 1, 3 and 4 (nothing that needs an account) and fails
 * when the bundle is over budget, which is what CI runs. Every Cloudflare
 * call goes through the wrangler runner (./wrangler.ts), so the tests run
 * this same code against a fake `wrangler`.
 *
 * No secret is ever printed, except the one-time setup link
 * `<origin>/#/setup?token=<SETUP_TOKEN>` right after the token is created
 * (a URL fragment never reaches a server log or a Referer).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SETUP_TOKEN_SECRET, WORKER_SECRETS } from "../../worker/secrets.ts";
import { formatBytes, measureAssets, measureBundle, sizeProblems, GZIP_BUDGET_BYTES, PLATFORM_LIMIT_BYTES, type BundleSize } from "./bundle-size.ts";
import { ConfigError, readDeployConfig, type DeployConfig } from "./config.ts";
import {
  applyMigrations,
  bundle,
  createDatabase,
  deploy,
  listDatabases,
  listSecrets,
  putSecret,
  timeTravelBookmark,
  whoami,
  WranglerError,
  WranglerRunner,
  wranglerVersion,
  type Deployed,
} from "./wrangler.ts";

export interface DeployOptions {
  /** Only the steps that need no account; fail when the bundle is over budget. */
  dryRun: boolean;
  /** A `[env.<name>]` of wrangler.toml (e.g. `staging`); undefined for production. */
  envName: string | undefined;
  /** Replace SETUP_TOKEN and print a fresh setup link (the first one was lost). */
  newSetupToken: boolean;
}

/** Everything the deploy touches outside its own logic, so a test can supply it. */
export interface DeployIo {
  /** The repository root. */
  root: string;
  /** Environment for wrangler (PATH decides which `wrangler` runs). */
  env: NodeJS.ProcessEnv;
  /** One line of progress output. */
  print(line: string): void;
  /** Builds the dashboard into the assets directory. */
  buildDashboard(): Promise<void>;
  /** For the health check of the new deployment. */
  fetch(url: string): Promise<Response>;
  sleep(ms: number): Promise<void>;
  /** How many times to try /healthz before giving up (a new workers.dev name can take a minute). */
  healthAttempts: number;
  /** Where the dry-run bundle is written (a fresh temp directory per run). */
  tmpRoot: string;
}

/** Node version wrangler needs (it refuses older ones). */
const NODE_MIN: readonly [number, number] = [22, 12];

/** The API token permissions a deploy needs (docs/deploy.md lists the same). */
export const API_TOKEN_PERMISSIONS = [
  "Account · Workers Scripts · Edit",
  "Account · D1 · Edit",
  "Account · Account Settings · Read",
  "User · User Details · Read",
  "User · Memberships · Read",
] as const;

/** A step failed in a way the user can act on; the message says how. */
class StepFailed extends Error {
  override readonly name = "StepFailed";
}

const INDENT = "      ";

class Progress {
  private n = 0;
  private readonly print: (line: string) => void;
  private readonly total: number;

  constructor(print: (line: string) => void, total: number) {
    this.print = print;
    this.total = total;
  }

  step(title: string): void {
    this.n++;
    this.print(`[${this.n}/${this.total}] ${title}`);
  }

  ok(text: string): void {
    this.print(`${INDENT}✓ ${text}`);
  }

  note(text: string): void {
    for (const line of text.split("\n")) this.print(`${INDENT}${line}`);
  }

  warn(text: string): void {
    this.print(`${INDENT}! ${text}`);
  }

  fail(text: string): void {
    const [first, ...rest] = text.split("\n");
    this.print(`${INDENT}✗ ${first}`);
    for (const line of rest) this.print(`${INDENT}  ${line}`);
  }

  /** wrangler's own lines during a long step, indented under it (its banner left out). */
  wranglerLine = (line: string): void => {
    const text = line.trimEnd();
    if (!text.trim() || /^\s*(⛅️ wrangler|─+$)/.test(text)) return;
    this.print(`${INDENT}│ ${text}`);
  };
}

function nodeOk(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  return major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
}

/** Runs the deploy (or the dry run); resolves with the process exit code. */
export async function runDeploy(options: DeployOptions, io: DeployIo): Promise<number> {
  const wranglerToml = join(io.root, "wrangler.toml");
  const tomlBefore = readFileSync(wranglerToml);
  try {
    return await runSteps(options, io);
  } catch (err) {
    if (err instanceof StepFailed || err instanceof ConfigError) {
      if (err instanceof ConfigError) io.print(`✗ ${err.message}`);
      io.print("");
      io.print("Deploy stopped. Nothing after the failed step was changed; run it again once fixed (it is safe to repeat).");
      return 1;
    }
    throw err;
  } finally {
    // The promise of this script: no tracked file is edited, so `git pull` never conflicts.
    const tomlAfter = readFileSync(wranglerToml);
    if (!tomlAfter.equals(tomlBefore)) {
      writeFileSync(wranglerToml, tomlBefore);
      io.print(`! wrangler changed wrangler.toml during the deploy; it was restored (sha256 ${createHash("sha256").update(tomlBefore).digest("hex").slice(0, 12)}).`);
    }
  }
}

async function runSteps(options: DeployOptions, io: DeployIo): Promise<number> {
  const config = readDeployConfig(io.root, options.envName);
  const w = new WranglerRunner(io.root, io.env);
  const p = new Progress(io.print, options.dryRun ? 3 : 9);
  const target = `${options.envName ?? "production"} (Worker "${config.workerName}", D1 database "${config.database.name}")`;
  io.print(options.dryRun ? `Tradeloop deploy, dry run: ${target}; nothing is sent to Cloudflare.` : `Tradeloop deploy: ${target}`);
  io.print("");

  p.step("Tools");
  if (!nodeOk(process.version)) {
    p.fail(`Node ${process.version} is too old; wrangler needs ${NODE_MIN.join(".")}+. Run \`npm run deploy\`, which brings Node 22 (scripts/ensure-node.sh).`);
    throw new StepFailed();
  }
  p.ok(`Node ${process.version}, wrangler ${await wranglerVersion(w)}`);

  if (!options.dryRun) {
    p.step("Cloudflare login");
    await checkLogin(w, p, io.env);
  }

  p.step("Dashboard");
  try {
    await io.buildDashboard();
  } catch (err) {
    p.fail(`The dashboard did not build: ${err instanceof Error ? err.message : String(err)}`);
    throw new StepFailed();
  }
  const assets = measureAssets(config.assetsDirectory);
  p.ok(`built: ${assets.files} files, ${formatBytes(assets.bytes)} of static assets (served free, outside the Worker's size)`);

  p.step("Worker bundle");
  const size = await bundleAndMeasure(w, io, options.envName, p);

  if (options.dryRun) {
    const problems = sizeProblems(size);
    printDryRunSummary(io, config, size, problems);
    return problems.length > 0 ? 1 : 0;
  }
  if (size.raw > PLATFORM_LIMIT_BYTES) {
    p.fail(sizeProblems(size).join("\n"));
    throw new StepFailed();
  }
  if (size.gzip > GZIP_BUDGET_BYTES) p.warn(sizeProblems(size).join("\n"));

  p.step("Database");
  await ensureDatabase(w, p, config);

  p.step("Migrations");
  // wrangler takes no copy before migrating; the Time Travel bookmark of this moment is the undo.
  let bookmark: string | undefined;
  try {
    bookmark = await timeTravelBookmark(w, config.database.binding, options.envName);
  } catch (err) {
    p.warn(`Could not read the database's Time Travel bookmark (${err instanceof WranglerError ? err.detail.split("\n")[0] : String(err)}); a restore can still use --timestamp (docs/deploy.md).`);
  }
  const restoreCommand = bookmark ? `npm run wrangler -- d1 time-travel restore ${config.database.binding} --bookmark ${bookmark}${options.envName ? ` --env ${options.envName}` : ""}` : undefined;
  try {
    const applied = await applyMigrations(w, config.database.binding, options.envName, p.wranglerLine);
    p.ok(applied.length > 0 ? `applied ${applied.join(", ")}` : "already up to date");
    if (applied.length > 0 && restoreCommand) p.note(`The database as it was just before (D1 Time Travel): ${restoreCommand}`);
  } catch (err) {
    failWrangler(p, err, `The migrations did not apply; the running Worker (if any) is unchanged.${restoreCommand ? `\nIf a migration applied partly, the database as it was before: ${restoreCommand}` : ""}`);
  }

  p.step("Secrets");
  const setupToken = await ensureSecrets(w, p, options);

  p.step("Deploy");
  let deployed: Deployed;
  try {
    deployed = await deploy(w, options.envName, p.wranglerLine);
  } catch (err) {
    failWrangler(p, err, deployHint(err));
  }
  const origin = config.vars.PUBLIC_URL?.replace(/\/$/, "") || deployed.urls[0];
  p.ok(`live${origin ? ` at ${origin}` : ""}${deployed.versionId ? ` (version ${deployed.versionId})` : ""}`);
  if (config.durableObjectMigrationTags.length > 0) p.note(`Durable Object migrations: ${config.durableObjectMigrationTags.join(", ")} (applied by Cloudflare once, in order)`);
  p.note(`Cron triggers: ${deployed.schedules.length > 0 ? deployed.schedules.join(", ") : config.crons.length > 0 ? config.crons.join(", ") : "none configured"}`);

  p.step("Health");
  const healthy = origin ? await checkHealth(io, p, origin) : (p.warn("wrangler printed no URL for the Worker, so /healthz was not checked."), "unknown" as const);
  if (healthy === "failed") throw new StepFailed();

  printNextSteps(io, origin, setupToken, options, healthy === "unreachable");
  return 0;
}

// ---- steps ------------------------------------------------------------------

async function checkLogin(w: WranglerRunner, p: Progress, env: NodeJS.ProcessEnv): Promise<void> {
  let login;
  try {
    login = await whoami(w);
  } catch (err) {
    failWrangler(p, err, "wrangler could not tell who is logged in (is this machine online?).");
  }
  if (!login.loggedIn) {
    p.fail(
      [
        "You are not logged in to Cloudflare. Either:",
        "  a) on a machine with a browser, log in once and run the deploy again:",
        "       npm run wrangler -- login",
        "  b) or (CI, servers) create an API token at https://dash.cloudflare.com/profile/api-tokens",
        "     with these permissions, and export it before `npm run deploy`:",
        ...API_TOKEN_PERMISSIONS.map((perm) => `       - ${perm}`),
        "       export CLOUDFLARE_API_TOKEN=<the token>",
        "       export CLOUDFLARE_ACCOUNT_ID=<your account id>   # when the token can see more than one account",
      ].join("\n"),
    );
    throw new StepFailed();
  }
  const accounts = login.accounts;
  const chosenId = env.CLOUDFLARE_ACCOUNT_ID;
  if (accounts.length > 1 && !chosenId) {
    p.fail(
      [
        `${login.email ?? "This login"} can use ${accounts.length} accounts; say which one to deploy to:`,
        ...accounts.map((a) => `  export CLOUDFLARE_ACCOUNT_ID=${a.id}   # ${a.name}`),
      ].join("\n"),
    );
    throw new StepFailed();
  }
  // An account id given explicitly wins (wrangler uses it); its name is shown when the login lists it.
  const account = chosenId ? (accounts.find((a) => a.id === chosenId) ?? { id: chosenId, name: chosenId }) : accounts[0];
  p.ok(`${login.email ?? "logged in"}${login.authType ? ` (${login.authType})` : ""}${account ? `, account "${account.name}"` : ""}`);
}

async function bundleAndMeasure(w: WranglerRunner, io: DeployIo, envName: string | undefined, p: Progress): Promise<BundleSize> {
  const outdir = mkdtempSync(join(io.tmpRoot, "tradeloop-bundle-"));
  try {
    try {
      await bundle(w, outdir, envName);
    } catch (err) {
      failWrangler(p, err, "The Worker did not bundle; `npm run typecheck` usually names the cause.");
    }
    const size = measureBundle(outdir);
    p.ok(`${formatBytes(size.raw)} raw, ${formatBytes(size.gzip)} gzipped (budget ${formatBytes(GZIP_BUDGET_BYTES)} gzipped; Cloudflare's limit ${formatBytes(PLATFORM_LIMIT_BYTES)} raw)`);
    return size;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function ensureDatabase(w: WranglerRunner, p: Progress, config: DeployConfig): Promise<void> {
  const name = config.database.name;
  try {
    const existing = (await listDatabases(w)).find((d) => d.name === name);
    if (existing) {
      p.ok(`D1 database "${name}" exists (${existing.uuid})`);
      return;
    }
    await createDatabase(w, name);
    const created = (await listDatabases(w)).find((d) => d.name === name);
    p.ok(`created D1 database "${name}"${created ? ` (${created.uuid})` : ""}; wrangler.toml finds it by name, so nothing to paste`);
  } catch (err) {
    failWrangler(p, err, `Could not find or create the D1 database "${name}".`);
  }
}

/** Uploads every missing secret; returns the new SETUP_TOKEN when one was created now. */
async function ensureSecrets(w: WranglerRunner, p: Progress, options: DeployOptions): Promise<string | undefined> {
  let existing: string[] | null;
  try {
    existing = await listSecrets(w, options.envName);
  } catch (err) {
    failWrangler(p, err, "Could not list the Worker's secrets.");
  }
  const have = new Set(existing ?? []);
  const created: string[] = [];
  let setupToken: string | undefined;
  for (const secret of WORKER_SECRETS) {
    const replaceSetupToken = secret.name === SETUP_TOKEN_SECRET && options.newSetupToken;
    if (have.has(secret.name) && !replaceSetupToken) continue;
    const value = secret.generate();
    try {
      await putSecret(w, secret.name, value, options.envName);
    } catch (err) {
      failWrangler(p, err, `Could not upload ${secret.name}. Secrets uploaded before it are kept; re-running continues from here.`);
    }
    created.push(secret.name);
    if (secret.name === SETUP_TOKEN_SECRET) setupToken = value;
  }
  const kept = WORKER_SECRETS.map((s) => s.name).filter((n) => have.has(n) && !created.includes(n));
  if (created.length > 0) p.ok(`generated and uploaded ${created.join(", ")}${existing === null ? " (a new Worker)" : ""}`);
  if (kept.length > 0) p.ok(`kept ${kept.join(", ")}: already set, never replaced by a re-run (docs/deploy.md: rotating keys)`);
  return setupToken;
}

type Health = "ok" | "failed" | "unreachable" | "unknown";

async function checkHealth(io: DeployIo, p: Progress, origin: string): Promise<Health> {
  const url = `${origin}/healthz`;
  let last = "";
  for (let attempt = 1; attempt <= io.healthAttempts; attempt++) {
    try {
      const res = await io.fetch(url);
      const body = (await res.json().catch(() => null)) as { status?: string; version?: string; migrations?: { applied?: string | null; expected?: string | null }; d1?: { roundTripMs?: number | null } } | null;
      if (res.status === 200 && body?.status === "ok") {
        p.ok(`${url}: version ${body.version}, migrations at ${body.migrations?.applied ?? "none"}, D1 round trip ${body.d1?.roundTripMs ?? "?"} ms`);
        return "ok";
      }
      if (body?.status === "migrations-pending") {
        p.fail(`${url} says the database is at ${body.migrations?.applied ?? "no migration"} but the code expects ${body.migrations?.expected}. Run the deploy again; if it repeats, apply them by hand: npm run wrangler -- d1 migrations apply DB --remote`);
        return "failed";
      }
      last = `HTTP ${res.status}${body?.status ? ` (${body.status})` : ""}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (attempt < io.healthAttempts) await io.sleep(3000);
  }
  p.warn(`${url} did not answer yet (${last}). A new workers.dev name can take a few minutes to resolve; check later with: curl ${url}`);
  return "unreachable";
}

// ---- output -----------------------------------------------------------------

function failWrangler(p: Progress, err: unknown, hint: string): never {
  if (err instanceof WranglerError) p.fail(`${hint}\nwrangler said:\n${err.detail}`);
  else p.fail(`${hint}\n${err instanceof Error ? err.message : String(err)}`);
  throw new StepFailed();
}

function deployHint(err: unknown): string {
  const text = err instanceof WranglerError ? `${err.result.stdout}\n${err.result.stderr}` : "";
  if (/workers\.dev subdomain/i.test(text)) {
    return "Your account has no workers.dev subdomain yet. Open Workers & Pages in the Cloudflare dashboard once (it asks for one), then run the deploy again.";
  }
  return "The Worker was not deployed; the previous version (if any) keeps serving.";
}

function printDryRunSummary(io: DeployIo, config: DeployConfig, size: BundleSize, problems: string[]): void {
  io.print("");
  if (problems.length > 0) {
    for (const problem of problems) io.print(`✗ ${problem}`);
    io.print("");
    io.print("Dry run failed.");
    return;
  }
  io.print(`Dry run passed: the Worker bundle is ${formatBytes(size.raw)} raw, ${formatBytes(size.gzip)} gzipped (${Math.round((size.gzip / GZIP_BUDGET_BYTES) * 100)}% of the ${formatBytes(GZIP_BUDGET_BYTES)} budget).`);
  io.print("A real deploy (`npm run deploy`) would then, on your Cloudflare account:");
  io.print(`  - check the login (\`npm run wrangler -- login\`, or CLOUDFLARE_API_TOKEN)`);
  io.print(`  - find or create the D1 database "${config.database.name}" and apply the migrations in migrations/`);
  io.print(`  - generate and upload the secrets that are missing: ${WORKER_SECRETS.map((s) => s.name).join(", ")} (never replacing one)`);
  io.print(
    `  - deploy the Worker "${config.workerName}" with the dashboard (Durable Object migrations: ${config.durableObjectMigrationTags.join(", ") || "none"}; cron triggers: ${config.crons.join(", ") || "none"})`,
  );
  io.print("  - check GET /healthz, then print the dashboard URL and the one-time setup link");
  io.print("Not checked without an account: the login, the database, the secrets and the upload itself.");
}

function printNextSteps(io: DeployIo, origin: string | undefined, setupToken: string | undefined, options: DeployOptions, unreachable: boolean): void {
  const base = origin ?? "<your Worker's URL>";
  io.print("");
  io.print(`Tradeloop is deployed${unreachable ? " (its URL may take a few minutes to answer)" : ""}.`);
  io.print(`  Dashboard:  ${base}/`);
  io.print(`  Health:     ${base}/healthz`);
  io.print(`  Webhooks:   ${base}/webhook/<strategyId>/<secret>  (each strategy's full URL is shown once in the dashboard when you create it)`);
  if (setupToken) {
    io.print(`  Setup link: ${base}/#/setup?token=${setupToken}`);
    io.print("              Shown once, never stored on this machine. Anyone with it can create the owner account until you do, so use it now.");
  } else {
    io.print("  Setup link: not shown; SETUP_TOKEN was created by an earlier deploy. Lost it before creating the owner account?");
    io.print(`              npm run deploy -- --new-setup-token${options.envName ? ` --env ${options.envName}` : ""}`);
  }
  io.print("");
  io.print("Next steps:");
  io.print(setupToken ? "  1. Open the setup link and create the owner account." : `  1. Log in at ${base}/ (or create the owner account with the setup link if you have not yet).`);
  io.print("  2. Under Connections, connect a broker (Paper to rehearse); under Strategies, create a strategy and copy its webhook URL (shown once).");
  io.print("  3. In TradingView, paste the webhook URL into the alert's Webhook URL field and the strategy's alert message template; fire a test alert and watch it under Signals.");
  io.print("");
  io.print("Upgrading later: git pull && npm ci && npm run deploy. Custom domain, backups, key rotation: docs/deploy.md.");
}
