/**
 * Global setup of the `ui` test project (runs in Node, once per run): builds
 * the dashboard with the same Vite config as `npm run build:ui` (into a temp
 * directory, so a concurrent `npm start` keeps serving ui/dist), then starts
 * the real Worker serving it with fresh state, and hands its URL to the tests.
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { startWorker } from "./support/worker-process";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    distDir: string;
    workerLog: string;
    harnessDir: string;
  }
}

const root = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dist = await mkdtemp(join(tmpdir(), "tradeloop-ui-dist-"));
  // A production build even under vitest (which sets NODE_ENV=test): the bundle test checks what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: join(root, "ui/vite.config.ts"), mode: "production", logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  // The component harness: the same JSX setup, its own entry, never inside the dashboard's build.
  const harness = await mkdtemp(join(tmpdir(), "tradeloop-ui-harness-"));
  await build({
    configFile: false,
    root: join(root, "ui/test/harness"),
    base: "/__harness/",
    logLevel: "warn",
    oxc: { jsx: { runtime: "automatic", importSource: "hono/jsx/dom" } },
    build: { outDir: harness, emptyOutDir: true },
  });
  const built = Date.now();
  const worker = await startWorker(root, dist).catch(async (e: unknown) => {
    await rm(dist, { recursive: true, force: true });
    throw e;
  });
  console.log(`ui tests: dashboard built in ${built - started} ms; Worker up at ${worker.baseUrl} in ${Date.now() - built} ms`);
  project.provide("baseUrl", worker.baseUrl);
  project.provide("distDir", dist);
  project.provide("workerLog", worker.logFile);
  project.provide("harnessDir", harness);
  return async () => {
    await worker.stop();
    await rm(dist, { recursive: true, force: true });
    await rm(harness, { recursive: true, force: true });
  };
}
