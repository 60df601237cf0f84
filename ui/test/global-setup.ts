/**
 * Global setup of the `ui` test project (runs in Node, once per run): builds
 * the dashboard exactly as `npm run build:ui` does, then starts the real
 * Worker serving it with fresh state, and hands its URL to the tests.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { startWorker } from "./support/worker-process";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    workerLog: string;
  }
}

const root = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  await build({ configFile: `${root}ui/vite.config.ts`, logLevel: "warn" });
  const built = Date.now();
  const worker = await startWorker(root);
  console.log(`ui tests: dashboard built in ${built - started} ms; Worker up at ${worker.baseUrl} in ${Date.now() - built} ms`);
  project.provide("baseUrl", worker.baseUrl);
  project.provide("workerLog", worker.logFile);
  return () => worker.stop();
}
