/**
 * Runs the real Worker for the dashboard tests: `wrangler dev` as a child
 * process on a free loopback port, with its D1 and Durable Object state in a
 * fresh temporary directory, so every run starts empty and never touches the
 * developer's `.wrangler/state` or `.dev.vars`.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running Worker. */
export interface WorkerProcess {
  baseUrl: string;
  /** wrangler's stdout and stderr, for a failing test's diagnosis. */
  logFile: string;
  stop(): Promise<void>;
}

/** Secrets of the throwaway instance. Fixed values: the state dies with the run. */
const TEST_VARS = {
  JWT_SECRET: "ui-test-jwt-secret-0123456789abcdef0123456789abcdef",
  VAULT_KEYS: "uitest:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  PASSWORD_PEPPER: "ui-test-password-pepper-0123456789abcdef0123",
  SETUP_TOKEN: "ui-test-setup-token-0123456789abcdef",
  SIGNUP_OPEN: "true",
  // A local development Worker: the development switches below work only with it.
  ENVIRONMENT: "development",
  // Lets a connection's settings.baseUrl point at a closed loopback port (the "bad keys" case).
  ALLOW_HTTP_LOOPBACK: "true",
};

/** No network calls from wrangler itself: the CI machine may be offline. */
const QUIET_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

/** A port the OS says is free right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], cwd: string, log: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...QUIET_ENV }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode} before answering`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Worker did not answer ${baseUrl}/api/health within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  // wrangler starts workerd (and its own node) below it: signal the whole group we created.
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Applies the D1 migrations to a fresh state directory, then starts
 * `wrangler dev` with `root`'s wrangler.toml, serving the dashboard built
 * into `assetsDir` (instead of ui/dist, which a developer's `npm start` may
 * be serving at the same time).
 */
export async function startWorker(root: string, assetsDir: string): Promise<WorkerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "tradeloop-ui-"));
  const persist = join(dir, "state");
  const envFile = join(dir, "test.vars");
  const logFile = join(dir, "wrangler.log");
  // An --env-file replaces .dev.vars entirely, so a developer's local secrets never leak in.
  await writeFile(envFile, Object.entries(TEST_VARS).map(([k, v]) => `${k}=${v}\n`).join(""));
  const log = createWriteStream(logFile);
  const wrangler = join(root, "node_modules", ".bin", "wrangler");
  await run(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], root, log);

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
  args.push("--assets", assetsDir, "--persist-to", persist, "--env-file", envFile, "--show-interactive-dev-session=false", "--log-level", "warn");
  // detached: a process group of its own, so stop() reaches workerd too.
  const child = spawn(wrangler, args, { cwd: root, env: { ...process.env, ...QUIET_ENV }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });

  const stop = async (): Promise<void> => {
    await stopChild(child);
    log.end();
    if (!process.env.KEEP_UI_TEST_STATE) await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, 60_000);
  } catch (e) {
    const tail = (await readFile(logFile, "utf8").catch(() => "")).slice(-2_000);
    await stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- wrangler log (${logFile}) ---\n${tail}`);
  }
  return { baseUrl, logFile, stop };
}
