/**
 * `npm run deploy` against a fake `wrangler` first on PATH
 * (./testing/fake-wrangler.mjs: it answers like wrangler 4.164, keeps an
 * account's state in a file and records every call). The deploy code under
 * test is the real one; only the CLI at the end of PATH is not.
 *
 * Covered: a first deploy (everything created, the setup link printed once,
 * no other secret printed), no login (exact instructions, nothing touched),
 * a re-run (an upgrade: nothing created or replaced), a new setup token, the
 * staging environment, the dry run and its size budget, and the failures a
 * user can meet (several accounts, migrations behind after the deploy).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_TOKEN_PERMISSIONS, runDeploy, type DeployIo, type DeployOptions } from "./run.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const WORKER_URL = "https://tradeloop.owner.workers.dev";

interface FakeCall {
  args: string[];
  stdin: string;
}

interface FakeState {
  loggedIn: boolean;
  accounts?: { id: string; name: string }[];
  databases?: { uuid: string; name: string; migrated?: boolean }[];
  workers?: Record<string, { deployed: boolean; deploys?: number; secrets: Record<string, string> }>;
  timeTravelUnavailable?: boolean;
}

let dir: string;
let statePath: string;
let logPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tradeloop-deploy-test-"));
  statePath = join(dir, "state.json");
  logPath = join(dir, "calls.jsonl");
  const bin = join(dir, "bin");
  const wrangler = join(bin, "wrangler");
  // The fake, first on PATH under the name the deploy looks for.
  mkdirSync(bin);
  writeFileSync(wrangler, `#!/bin/sh\nexec node "${join(HERE, "testing", "fake-wrangler.mjs")}" "$@"\n`);
  chmodSync(wrangler, 0o755);
  setState({ loggedIn: true });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setState(state: FakeState): void {
  writeFileSync(statePath, JSON.stringify(state));
}

function state(): Required<FakeState> {
  return { accounts: [], databases: [], workers: {}, ...(JSON.parse(readFileSync(statePath, "utf8")) as FakeState) } as Required<FakeState>;
}

function calls(): FakeCall[] {
  try {
    return readFileSync(logPath, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FakeCall);
  } catch {
    return [];
  }
}

/** The calls as command lines, temp paths replaced, for order checks. */
function commandLines(): string[] {
  return calls().map((c) => c.args.join(" ").replace(/--outdir \S+/, "--outdir <tmp>"));
}

interface Healthz {
  status: string;
  version: string;
  migrations: { applied: string | null; expected: string | null; upToDate: boolean };
  d1: { ok: boolean; roundTripMs: number };
}

const healthy: Healthz = { status: "ok", version: "0.1.0", migrations: { applied: "0000_init.sql", expected: "0000_init.sql", upToDate: true }, d1: { ok: true, roundTripMs: 12.3 } };

async function deploy(options: Partial<DeployOptions> = {}, overrides: { env?: Record<string, string>; healthz?: Healthz; root?: string } = {}) {
  const output: string[] = [];
  let builds = 0;
  const fetched: string[] = [];
  const io: DeployIo = {
    root: overrides.root ?? ROOT,
    env: {
      ...process.env,
      PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}`,
      FAKE_WRANGLER_STATE: statePath,
      FAKE_WRANGLER_LOG: logPath,
      FAKE_WRANGLER_URL: WORKER_URL,
      CLOUDFLARE_ACCOUNT_ID: "",
      ...overrides.env,
    },
    print: (line) => output.push(line),
    buildDashboard: async () => {
      builds++;
    },
    fetch: async (url) => {
      fetched.push(url);
      const body = overrides.healthz ?? healthy;
      return new Response(JSON.stringify(body), { status: body.status === "ok" ? 200 : 503 });
    },
    sleep: async () => undefined,
    healthAttempts: 2,
    tmpRoot: dir,
  };
  if (io.env.CLOUDFLARE_ACCOUNT_ID === "") delete io.env.CLOUDFLARE_ACCOUNT_ID;
  const code = await runDeploy({ dryRun: false, envName: undefined, newSetupToken: false, ...options }, io);
  return { code, output, text: output.join("\n"), builds, fetched };
}

const wranglerTomlBefore = readFileSync(join(ROOT, "wrangler.toml"), "utf8");

describe("npm run deploy: happy path", () => {
  it("creates the database, applies migrations, uploads every secret, deploys, checks /healthz and prints the setup link once", async () => {
    const run = await deploy();
    expect(run.code, run.text).toBe(0);
    expect(commandLines()).toEqual([
      "--version",
      "whoami --json",
      "deploy --dry-run --outdir <tmp>",
      "d1 list --json",
      "d1 create tradeloop",
      "d1 list --json",
      "d1 time-travel info DB --json",
      "d1 migrations apply DB --remote",
      "secret list --format json",
      "secret put JWT_SECRET",
      "secret put VAULT_KEYS",
      "secret put PASSWORD_PEPPER",
      "secret put SETUP_TOKEN",
      "deploy --keep-vars",
    ]);
    expect(run.builds).toBe(1);
    expect(run.fetched).toEqual([`${WORKER_URL}/healthz`]);

    const secrets = state().workers.tradeloop!.secrets;
    expect(Object.keys(secrets)).toEqual(["JWT_SECRET", "VAULT_KEYS", "PASSWORD_PEPPER", "SETUP_TOKEN"]);
    expect(Buffer.from(secrets.JWT_SECRET!, "base64")).toHaveLength(48);
    expect(secrets.VAULT_KEYS).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secrets.VAULT_KEYS!.slice(3), "base64")).toHaveLength(32);
    expect(Buffer.from(secrets.PASSWORD_PEPPER!, "base64")).toHaveLength(32);
    expect(secrets.SETUP_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The one secret ever shown is the setup token, inside the setup link; the others never.
    expect(run.text).toContain(`Setup link: ${WORKER_URL}/#/setup?token=${secrets.SETUP_TOKEN}`);
    for (const name of ["JWT_SECRET", "VAULT_KEYS", "PASSWORD_PEPPER"] as const) {
      expect(run.text).not.toContain(secrets[name]);
      expect(run.text).not.toContain(secrets[name]!.slice(3, 20));
    }
    // Secrets reach wrangler on stdin only, never as arguments.
    for (const call of calls()) for (const value of Object.values(secrets)) expect(call.args.join(" ")).not.toContain(value);

    expect(run.text).toMatch(/created D1 database "tradeloop"/);
    expect(run.text).toMatch(/applied 0000_init\.sql/);
    const bookmark = /--bookmark (\S+)/.exec(run.text)?.[1];
    expect(bookmark).toMatch(/^00000001-/);
    expect(run.text).toContain(`The database as it was just before (D1 Time Travel): npm run wrangler -- d1 time-travel restore DB --bookmark ${bookmark}`);
    expect(run.text).toMatch(/Cron triggers: \*\/5 \* \* \* \*/);
    expect(run.text).toMatch(/version 0\.1\.0, migrations at 0000_init\.sql, D1 round trip 12\.3 ms/);
    expect(run.text).toMatch(/Dashboard: {2}https:\/\/tradeloop\.owner\.workers\.dev\//);
    expect(run.text).toContain(`Webhooks:   ${WORKER_URL}/webhook/<strategyId>/<secret>`);
    expect(run.text).toMatch(/Next steps:\n {2}1\. .+\n {2}2\. .+\n {2}3\. .+TradingView/);
    expect(readFileSync(join(ROOT, "wrangler.toml"), "utf8")).toBe(wranglerTomlBefore);
  });

  it("deploys --env staging to its own Worker and database", async () => {
    const run = await deploy({ envName: "staging" });
    expect(run.code, run.text).toBe(0);
    expect(commandLines()).toContain("d1 create tradeloop-staging");
    expect(commandLines()).toContain("d1 time-travel info DB --json --env staging");
    expect(run.text).toMatch(/time-travel restore DB --bookmark \S+ --env staging/);
    expect(commandLines()).toContain("d1 migrations apply DB --remote --env staging");
    expect(commandLines()).toContain("secret put SETUP_TOKEN --env staging");
    expect(commandLines()).toContain("deploy --keep-vars --env staging");
    expect(commandLines()).toContain("deploy --dry-run --outdir <tmp> --env staging");
    expect(Object.keys(state().workers)).toEqual(["tradeloop-staging"]);
    expect(run.text).toContain(`Worker "tradeloop-staging", D1 database "tradeloop-staging"`);
  });
});

describe("npm run deploy: re-run (upgrade)", () => {
  it("creates nothing and replaces no secret the second time, and says so", async () => {
    const first = await deploy();
    expect(first.code, first.text).toBe(0);
    const secretsBefore = { ...state().workers.tradeloop!.secrets };
    const callsBefore = calls().length;

    const second = await deploy();
    expect(second.code, second.text).toBe(0);
    const rerun = commandLines().slice(callsBefore);
    expect(rerun.filter((c) => c.startsWith("secret put") || c.startsWith("d1 create"))).toEqual([]);
    expect(rerun).toContain("d1 migrations apply DB --remote");
    expect(rerun.at(-1)).toBe("deploy --keep-vars");
    expect(state().workers.tradeloop!.secrets).toEqual(secretsBefore);
    expect(state().workers.tradeloop!.deploys).toBe(2);

    expect(second.text).toMatch(/D1 database "tradeloop" exists/);
    expect(second.text).toMatch(/already up to date/);
    expect(second.text).not.toContain("time-travel restore");
    expect(second.text).toMatch(/kept JWT_SECRET, VAULT_KEYS, PASSWORD_PEPPER, SETUP_TOKEN: already set, never replaced by a re-run/);
    expect(second.text).toMatch(/Setup link: not shown/);
    expect(second.text).not.toContain(secretsBefore.SETUP_TOKEN);
    expect(second.text).toContain("npm run deploy -- --new-setup-token");
  });

  it("--new-setup-token replaces only SETUP_TOKEN and prints the new link", async () => {
    await deploy();
    const before = { ...state().workers.tradeloop!.secrets };
    const callsBefore = calls().length;
    const run = await deploy({ newSetupToken: true });
    expect(run.code, run.text).toBe(0);
    expect(commandLines().slice(callsBefore).filter((c) => c.startsWith("secret put"))).toEqual(["secret put SETUP_TOKEN"]);
    const after = state().workers.tradeloop!.secrets;
    expect(after.SETUP_TOKEN).not.toBe(before.SETUP_TOKEN);
    expect({ ...after, SETUP_TOKEN: "" }).toEqual({ ...before, SETUP_TOKEN: "" });
    expect(run.text).toContain(`#/setup?token=${after.SETUP_TOKEN}`);
  });
});

describe("npm run deploy: without a login", () => {
  it("says exactly how to log in or which API token to create, and touches nothing", async () => {
    setState({ loggedIn: false });
    const run = await deploy();
    expect(run.code).toBe(1);
    expect(commandLines()).toEqual(["--version", "whoami --json"]);
    expect(run.builds).toBe(0);
    expect(run.text).toContain("You are not logged in to Cloudflare");
    expect(run.text).toContain("npm run wrangler -- login");
    expect(run.text).toContain("export CLOUDFLARE_API_TOKEN=<the token>");
    for (const permission of API_TOKEN_PERMISSIONS) expect(run.text).toContain(permission);
    expect(run.text).toContain("Deploy stopped.");
  });

  it("asks which account when the login sees several and none is chosen", async () => {
    setState({ loggedIn: true, accounts: [{ id: "acc-a", name: "Personal" }, { id: "acc-b", name: "Work" }] });
    const run = await deploy();
    expect(run.code).toBe(1);
    expect(run.text).toContain("export CLOUDFLARE_ACCOUNT_ID=acc-a   # Personal");
    expect(run.text).toContain("export CLOUDFLARE_ACCOUNT_ID=acc-b   # Work");
    expect(commandLines()).toEqual(["--version", "whoami --json"]);
  });
});

describe("npm run deploy -- --dry-run", () => {
  it("needs no login, builds and bundles, and reports the size raw and gzipped", async () => {
    setState({ loggedIn: false });
    const run = await deploy({ dryRun: true });
    expect(run.code, run.text).toBe(0);
    expect(commandLines()).toEqual(["--version", "deploy --dry-run --outdir <tmp>"]);
    expect(run.builds).toBe(1);
    expect(run.text).toMatch(/✓ 195\.3 KiB raw, \d+\.\d KiB gzipped \(budget 3\.00 MiB gzipped/);
    expect(run.text).toContain("Dry run passed");
    expect(run.text).toContain("Not checked without an account");
  });

  it("fails when the gzipped bundle is over the 3 MB budget", async () => {
    const run = await deploy({ dryRun: true }, { env: { FAKE_WRANGLER_BUNDLE_BYTES: String(4.5 * 1024 * 1024) } });
    expect(run.code).toBe(1);
    expect(run.text).toMatch(/over the 3\.00 MiB budget/);
    expect(run.text).toContain("Dry run failed.");
  });

  it("refuses a wrangler.toml that would deploy in development mode, before any wrangler call", async () => {
    const root = join(dir, "repo");
    mkdirSync(root);
    for (const name of ["package.json", "node_modules"]) symlinkSync(join(ROOT, name), join(root, name));
    writeFileSync(join(root, "wrangler.toml"), `${wranglerTomlBefore}\n[env.dev-by-mistake]\nname = "tradeloop-dev"\n[[env.dev-by-mistake.d1_databases]]\nbinding = "DB"\ndatabase_name = "tradeloop-dev"\n[env.dev-by-mistake.vars]\nENVIRONMENT = "development"\n`);
    const run = await deploy({ dryRun: true, envName: "dev-by-mistake" }, { root });
    expect(run.code).toBe(1);
    expect(run.text).toContain('wrangler.toml [env.dev-by-mistake] sets ENVIRONMENT = "development"');
    expect(run.text).toContain("without the setup token");
    expect(calls()).toEqual([]);
  });

  it("refuses an environment wrangler.toml does not declare", async () => {
    const run = await deploy({ dryRun: true, envName: "prod" });
    expect(run.code).toBe(1);
    expect(run.text).toContain("wrangler.toml has no [env.prod] section. Known environments: staging.");
    expect(calls()).toEqual([]);
  });
});

describe("npm run deploy: Time Travel bookmark unavailable", () => {
  it("still migrates and deploys, and says the restore must use a timestamp", async () => {
    setState({ loggedIn: true, timeTravelUnavailable: true });
    const run = await deploy();
    expect(run.code, run.text).toBe(0);
    expect(run.text).toContain("! Could not read the database's Time Travel bookmark (✘ [ERROR] A request to the Cloudflare API");
    expect(run.text).toContain("a restore can still use --timestamp");
    expect(run.text).not.toContain("time-travel restore");
    expect(commandLines()).toContain("deploy --keep-vars");
  });
});

describe("npm run deploy: a deployment that is not healthy", () => {
  it("fails when /healthz says migrations are behind the code", async () => {
    const run = await deploy({}, { healthz: { ...healthy, status: "migrations-pending", migrations: { applied: null, expected: "0000_init.sql", upToDate: false } } });
    expect(run.code).toBe(1);
    expect(run.text).toContain("the code expects 0000_init.sql");
  });
});
