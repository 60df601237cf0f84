/**
 * `npm run deploy [-- --dry-run] [-- --env staging] [-- --new-setup-token]`:
 * the command line of scripts/deploy/run.ts. scripts/deploy.sh runs it under
 * Node 22 (fetched by scripts/ensure-node.sh when the machine's is older).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runDeploy } from "./deploy/run.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: npm run deploy [-- options]

Deploys Tradeloop to your Cloudflare account: creates the D1 database and the
secrets when missing, applies migrations, deploys the Worker with its
dashboard, and prints the dashboard URL and the one-time setup link.
Re-running it upgrades; it never replaces a secret.

Options:
  --dry-run           only the steps that need no account: build, bundle, size check
  --env <name>        deploy a wrangler.toml environment (e.g. staging)
  --new-setup-token   replace SETUP_TOKEN and print a new setup link
  -h, --help          this text

docs/deploy.md walks through everything, from logging in to a live webhook URL.`;

/** `npm run build:ui`, output shown only when it fails. */
function buildDashboard(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "build:ui"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`npm run build:ui exited with ${code}\n${output.trim()}`))));
  });
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        "dry-run": { type: "boolean", default: false },
        env: { type: "string" },
        "new-setup-token": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  return runDeploy(
    { dryRun: parsed.values["dry-run"], envName: parsed.values.env, newSetupToken: parsed.values["new-setup-token"] },
    {
      root: ROOT,
      env: process.env,
      print: (line) => console.log(line),
      buildDashboard,
      fetch: (url) => fetch(url, { signal: AbortSignal.timeout(10_000), headers: { "cache-control": "no-cache" } }),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      healthAttempts: 10,
      tmpRoot: tmpdir(),
    },
  );
}

process.exitCode = await main();
