/**
 * Every call `npm run deploy` makes to Cloudflare goes through this one
 * runner: it runs the `wrangler` CLI and reads its answers. Nothing else in
 * the deploy script talks to an account, which is what makes the whole flow
 * testable without one: a test puts a fake `wrangler` first on PATH (one that
 * records its arguments and answers as wrangler does) and the same code runs.
 *
 * Why the CLI and not Cloudflare's REST API: wrangler already knows how to
 * log in, pick the account, bundle, provision and deploy, and users already
 * trust it; the deploy script only sequences it and explains what happens.
 *
 * Secrets travel on wrangler's stdin (`wrangler secret put` reads a piped
 * value), never in arguments, and the runner never prints what it sends.
 *
 * Flags used here were checked against `wrangler <command> --help` of the
 * wrangler version in package-lock.json (4.164.0).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** What one wrangler run produced. */
export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to wrangler's stdin (a secret's value). Never printed. */
  input?: string;
  /** Called with each output line as it arrives (progress for long steps). */
  onLine?: (line: string) => void;
}

/** A failed wrangler call, with its output for the user. */
export class WranglerError extends Error {
  readonly args: readonly string[];
  readonly result: WranglerResult;

  constructor(args: readonly string[], result: WranglerResult) {
    super(`wrangler ${args.join(" ")} exited with code ${result.code}`);
    this.name = "WranglerError";
    this.args = args;
    this.result = result;
  }

  /**
   * wrangler's own explanation: from its first error line on (the lines after
   * it carry the link or command to run), else the tail of its output.
   */
  get detail(): string {
    const lines = `${this.result.stderr}\n${this.result.stdout}`.trim().split("\n");
    const first = lines.findIndex((l) => /✘|\[ERROR\]|error/i.test(l));
    const relevant = first >= 0 ? lines.slice(first, first + 15) : lines.slice(-15);
    return relevant.filter((l) => l.trim() !== "").join("\n");
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `wrangler` to run: the first on PATH (`npm run` puts the project's
 * node_modules/.bin first; a test puts its fake first), else the project's own.
 */
export function resolveWrangler(env: NodeJS.ProcessEnv, root: string): string {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "wrangler");
    if (isExecutable(candidate)) return candidate;
  }
  return join(root, "node_modules", ".bin", "wrangler");
}

/** Runs wrangler commands in the project root. */
export class WranglerRunner {
  readonly bin: string;
  readonly root: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(root: string, env: NodeJS.ProcessEnv) {
    this.root = root;
    this.env = env;
    this.bin = resolveWrangler(env, root);
  }

  /** Runs `wrangler <args>` and resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: readonly string[], options: RunOptions = {}): Promise<WranglerResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, {
        cwd: this.root,
        env: {
          ...this.env,
          // wrangler's usage metrics are opt-in here: a deploy should not phone home on its own.
          WRANGLER_SEND_METRICS: this.env.WRANGLER_SEND_METRICS ?? "false",
          // Plain output for parsing; wrangler still explains everything in words.
          FORCE_COLOR: "0",
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let partial = "";
      const onChunk = (chunk: Buffer, into: "out" | "err") => {
        const text = chunk.toString("utf8");
        if (into === "out") stdout += text;
        else stderr += text;
        if (!options.onLine) return;
        const parts = (partial + text).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) options.onLine(line);
      };
      child.stdout.on("data", (c: Buffer) => onChunk(c, "out"));
      child.stderr.on("data", (c: Buffer) => onChunk(c, "err"));
      child.on("error", reject);
      child.on("close", (code) => {
        if (partial && options.onLine) options.onLine(partial);
        resolve({ code: code ?? 1, stdout, stderr });
      });
      child.stdin.end(options.input ?? "");
    });
  }

  /** Runs and throws {@link WranglerError} on a non-zero exit. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<WranglerResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new WranglerError(args, result);
    return result;
  }
}

// ---- typed calls ------------------------------------------------------------

/** `--env <name>` when deploying an environment other than the top level. */
function envArgs(envName: string | undefined): string[] {
  return envName ? ["--env", envName] : [];
}

/** wrangler's version (`wrangler --version`). */
export async function wranglerVersion(w: WranglerRunner): Promise<string> {
  const { stdout } = await w.ok(["--version"]);
  return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? stdout.trim();
}

export interface Account {
  id: string;
  name: string;
}

export type Login =
  | { loggedIn: true; email: string | undefined; authType: string | undefined; accounts: Account[] }
  | { loggedIn: false; reason: string | undefined };

/**
 * Who wrangler is logged in as (`wrangler whoami --json`: exits non-zero
 * with `{"loggedIn":false}` when there is no login). Throws when wrangler
 * answers something else (no network, say).
 */
export async function whoami(w: WranglerRunner): Promise<Login> {
  const result = await w.run(["whoami", "--json"]);
  const json = lastJson(result.stdout);
  if (json && typeof json === "object" && "loggedIn" in json) {
    const j = json as { loggedIn: boolean; email?: string; authType?: string; accounts?: Account[]; reason?: string };
    if (!j.loggedIn) return { loggedIn: false, reason: j.reason };
    return { loggedIn: true, email: j.email, authType: j.authType, accounts: j.accounts ?? [] };
  }
  throw new WranglerError(["whoami", "--json"], result);
}

export interface D1Database {
  uuid: string;
  name: string;
}

/** The account's D1 databases (`wrangler d1 list --json`). */
export async function listDatabases(w: WranglerRunner): Promise<D1Database[]> {
  const result = await w.ok(["d1", "list", "--json"]);
  const json = lastJson(result.stdout);
  if (!Array.isArray(json)) throw new WranglerError(["d1", "list", "--json"], result);
  return (json as D1Database[]).filter((d) => typeof d.name === "string");
}

/**
 * Creates a D1 database (`wrangler d1 create <name>`). wrangler prints a
 * config snippet with the id but, for a TOML config and without
 * `--update-config`, writes nothing: the binding finds the database by name.
 */
export async function createDatabase(w: WranglerRunner, name: string): Promise<void> {
  await w.ok(["d1", "create", name]);
}

/**
 * Applies pending migrations to the remote database (`wrangler d1 migrations
 * apply DB --remote`). Run without a terminal, wrangler answers its own
 * confirmation prompt with yes (it takes no backup: D1 Time Travel is the
 * undo, docs/deploy.md). Returns the
 * migration file names wrangler reported as applied.
 */
export async function applyMigrations(w: WranglerRunner, binding: string, envName: string | undefined, onLine?: (line: string) => void): Promise<string[]> {
  const result = await w.ok(["d1", "migrations", "apply", binding, "--remote", ...envArgs(envName)], { onLine });
  if (/No migrations to apply/i.test(result.stdout)) return [];
  return [...new Set([...result.stdout.matchAll(/(\d{4}_[\w-]+\.sql)/g)].map((m) => m[1]!))];
}

/**
 * The database's current D1 Time Travel bookmark (`wrangler d1 time-travel
 * info DB --json`, answering `{"bookmark": "..."}`): the point a restore
 * returns to, taken just before migrations change the schema.
 */
export async function timeTravelBookmark(w: WranglerRunner, binding: string, envName: string | undefined): Promise<string> {
  const args = ["d1", "time-travel", "info", binding, "--json", ...envArgs(envName)];
  const result = await w.ok(args);
  const json = lastJson(result.stdout) as { bookmark?: unknown } | undefined;
  if (typeof json?.bookmark !== "string" || !json.bookmark) throw new WranglerError(args, result);
  return json.bookmark;
}

/**
 * The names of the Worker's secrets (`wrangler secret list --format json`),
 * or null when the Worker does not exist yet (a first deploy).
 */
export async function listSecrets(w: WranglerRunner, envName: string | undefined): Promise<string[] | null> {
  const args = ["secret", "list", "--format", "json", ...envArgs(envName)];
  const result = await w.run(args);
  if (result.code !== 0) {
    if (/not found/i.test(`${result.stderr}\n${result.stdout}`)) return null;
    throw new WranglerError(args, result);
  }
  const json = lastJson(result.stdout);
  if (!Array.isArray(json)) throw new WranglerError(args, result);
  return (json as { name: string }[]).map((s) => s.name);
}

/**
 * Uploads one secret (`wrangler secret put <name>`), the value on stdin. On
 * a Worker that does not exist yet wrangler first creates an empty one to
 * hold it; the deploy that follows replaces its code.
 */
export async function putSecret(w: WranglerRunner, name: string, value: string, envName: string | undefined): Promise<void> {
  await w.ok(["secret", "put", name, ...envArgs(envName)], { input: value });
}

export interface Deployed {
  /** The URLs wrangler printed for the Worker (workers.dev first when enabled). */
  urls: string[];
  /** The cron schedules wrangler attached. */
  schedules: string[];
  versionId: string | undefined;
}

/**
 * Deploys the Worker with its assets, Durable Object migrations and cron
 * triggers (`wrangler deploy`). `--keep-vars` keeps variables added in the
 * dashboard (such as PUBLIC_URL) across upgrades; secrets are never touched
 * by a deploy.
 */
export async function deploy(w: WranglerRunner, envName: string | undefined, onLine?: (line: string) => void): Promise<Deployed> {
  const result = await w.ok(["deploy", "--keep-vars", ...envArgs(envName)], { onLine });
  return parseDeployOutput(result.stdout);
}

/** Reads the URLs, schedules and version id out of `wrangler deploy`'s output. */
export function parseDeployOutput(stdout: string): Deployed {
  const urls: string[] = [];
  const schedules: string[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    const url = /^(https?:\/\/\S+)$/.exec(line)?.[1];
    if (url) urls.push(url.replace(/\/$/, ""));
    const schedule = /^schedule:\s*(.+)$/.exec(line)?.[1];
    if (schedule) schedules.push(schedule);
  }
  const versionId = /Current Version ID:\s*(\S+)/.exec(stdout)?.[1];
  return { urls, schedules, versionId };
}

/**
 * Bundles the Worker exactly as a deploy would, without an account
 * (`wrangler deploy --dry-run --outdir <dir>`).
 */
export async function bundle(w: WranglerRunner, outdir: string, envName: string | undefined): Promise<void> {
  await w.ok(["deploy", "--dry-run", "--outdir", outdir, ...envArgs(envName)]);
}

/** The last JSON value in a command's output (wrangler may print a banner or warnings first). */
function lastJson(stdout: string): unknown {
  const text = stdout.trim();
  for (let start = text.length - 1; start >= 0; start--) {
    const ch = text[start];
    if (ch !== "{" && ch !== "[") continue;
    // Only a value that starts a line and runs to the end of the output.
    if (start > 0 && text[start - 1] !== "\n") continue;
    try {
      return JSON.parse(text.slice(start));
    } catch {
      // keep looking further up
    }
  }
  return undefined;
}
