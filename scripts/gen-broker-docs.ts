/**
 * Writes docs/brokers.md from the installed plugins' manifests.
 *
 *   node --disable-warning=ExperimentalWarning scripts/gen-broker-docs.ts [--check]
 *
 * The plugins are TypeScript with bundler-style imports, so they are loaded
 * through Vite's module runner rather than Node's own loader. `--check`
 * exits 1 when the file is stale instead of writing it (the vitest suite has
 * the same check in plugins/testkit/broker-docs.test.ts).
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { runnerImport } from "vite";

interface DocsModule {
  currentBrokerDocs(): string;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const target = fileURLToPath(new URL("../docs/brokers.md", import.meta.url));

const { module } = await runnerImport<DocsModule>("/plugins/testkit/broker-docs.ts", { root, configFile: false, logLevel: "error" });
const fresh = module.currentBrokerDocs();
const current = await readFile(target, "utf8").catch(() => "");

if (process.argv.includes("--check")) {
  if (current !== fresh) {
    console.error("docs/brokers.md is stale: run node --disable-warning=ExperimentalWarning scripts/gen-broker-docs.ts");
    process.exit(1);
  }
  console.log("docs/brokers.md is up to date");
} else if (current === fresh) {
  console.log("docs/brokers.md is up to date");
} else {
  await writeFile(target, fresh);
  console.log("wrote docs/brokers.md");
}
