/**
 * The dashboard bundle (built by global-setup.ts with the config of
 * `npm run build:ui`): the build's own size report is true, the first-load
 * JavaScript stays within its budget, and no Worker code is bundled (the
 * typed client imports the Worker's route types only).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect, inject, it } from "vitest";

const dist = inject("distDir");

interface Report {
  firstLoad: { files: string[]; raw: number; gzip: number };
  allJs: { raw: number; gzip: number };
  budgetGzip: number;
}

it("reports first-load JS within 150 KB gzipped, and the report matches the files", async () => {
  const report = JSON.parse(await readFile(join(dist, "bundle-report.json"), "utf8")) as Report;
  expect(report.budgetGzip).toBe(150 * 1024);
  expect(report.firstLoad.gzip).toBeLessThanOrEqual(report.budgetGzip);
  let raw = 0;
  let gzip = 0;
  for (const f of report.firstLoad.files) {
    const code = await readFile(join(dist, f));
    raw += code.length;
    gzip += gzipSync(code, { level: 9 }).length;
  }
  expect({ raw, gzip }).toEqual({ raw: report.firstLoad.raw, gzip: report.firstLoad.gzip });
  // index.html loads exactly the entry: the chart library is a lazy chunk, not first-load.
  const html = await readFile(join(dist, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script[^>]+src="\/?([^"]+)"/g)].map((m) => m[1]);
  expect(scripts.every((s) => report.firstLoad.files.includes(s ?? ""))).toBe(true);
  expect(report.firstLoad.files.some((f) => f.includes("lightweight-charts"))).toBe(false);
});

it("contains no Worker modules and no other UI framework", async () => {
  const assets = join(dist, "assets");
  const files = (await readdir(assets)).filter((f) => f.endsWith(".js"));
  const code = (await Promise.all(files.map((f) => readFile(join(assets, f), "utf8")))).join("\n");
  for (const marker of ["drizzle", "toJSONSchema", "SubscriptionQueue", "PaperLedger", "openAPIRegistry", "__SECRET_INTERNALS", "preact"]) {
    expect(code, marker).not.toContain(marker);
  }
});
