import { gzipSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

/** Most first-load JavaScript the dashboard may ship, gzipped (issue 14). */
export const FIRST_LOAD_BUDGET_GZIP = 150 * 1024;

/**
 * Reports what a browser downloads to show the first screen: the entry chunk
 * and every chunk it imports statically (lazy chunks, e.g. the chart library,
 * load later). Prints raw and gzipped sizes and writes them to
 * `bundle-report.json` beside the build, which ui/test/bundle.test.ts checks.
 */
function bundleReport(): Plugin {
  let outDir = "";
  return {
    name: "tradeloop-bundle-report",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(options, bundle) {
      outDir = options.dir ?? outDir;
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const entry = chunks.find((c) => c.isEntry);
      if (!entry) return;
      const firstLoad = new Set<string>();
      const visit = (name: string): void => {
        if (firstLoad.has(name)) return;
        firstLoad.add(name);
        const chunk = chunks.find((c) => c.fileName === name);
        for (const dep of chunk?.imports ?? []) visit(dep);
      };
      visit(entry.fileName);
      const size = (names: Iterable<string>) => {
        let raw = 0;
        let gzip = 0;
        for (const n of names) {
          const chunk = chunks.find((c) => c.fileName === n);
          if (!chunk) continue;
          raw += Buffer.byteLength(chunk.code);
          gzip += gzipSync(chunk.code, { level: 9 }).length;
        }
        return { raw, gzip };
      };
      const first = size(firstLoad);
      const all = size(chunks.map((c) => c.fileName));
      const report = { firstLoad: { files: [...firstLoad], ...first }, allJs: all, budgetGzip: FIRST_LOAD_BUDGET_GZIP };
      writeFileSync(join(outDir, "bundle-report.json"), `${JSON.stringify(report, null, 2)}\n`);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      console.log(`dashboard first-load JS: ${kb(first.raw)} raw, ${kb(first.gzip)} gzipped (budget ${kb(FIRST_LOAD_BUDGET_GZIP)}); all JS incl. lazy chunks: ${kb(all.raw)} raw, ${kb(all.gzip)} gzipped`);
      if (first.gzip > FIRST_LOAD_BUDGET_GZIP) this.error(`first-load JS is ${kb(first.gzip)} gzipped, over the ${kb(FIRST_LOAD_BUDGET_GZIP)} budget`);
    },
  };
}

/** The dashboard builds into ui/dist, which wrangler serves as static assets. JSX is hono/jsx/dom. */
export default defineConfig({
  root: "ui",
  build: { outDir: "dist", emptyOutDir: true },
  oxc: { jsx: { runtime: "automatic", importSource: "hono/jsx/dom" } },
  plugins: [bundleReport()],
});
