/**
 * The dashboard bundle (built by global-setup.ts with the config of
 * `npm run build:ui`) stays small and holds no Worker code: the typed client imports the
 * Worker's route types only.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, inject, it } from "vitest";

const assets = join(inject("distDir"), "assets");

it("is small and contains no Worker modules", async () => {
  const files = (await readdir(assets)).filter((f) => f.endsWith(".js"));
  expect(files.length).toBeGreaterThan(0);
  const code = (await Promise.all(files.map((f) => readFile(join(assets, f), "utf8")))).join("\n");
  // ~36 KB today; the budget leaves room to grow without letting a framework or zod slip in.
  expect(code.length).toBeLessThan(80_000);
  // Markers of server-side code: drizzle, zod schemas, Durable Object classes, the OpenAPI router.
  for (const marker of ["drizzle", "toJSONSchema", "SubscriptionQueue", "PaperLedger", "openAPIRegistry"]) {
    expect(code, marker).not.toContain(marker);
  }
});
