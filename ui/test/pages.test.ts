/**
 * The standalone Pages project builds, as far as it can be checked without a
 * Cloudflare account: `wrangler pages functions build` compiles the Functions
 * offline, and the routes it generates send only /api/* and /webhook/* to
 * them (every other path is a static file, served without running code).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

it("compiles the Pages Functions and routes only /api/* and /webhook/* to them", async () => {
  const out = await mkdtemp(join(tmpdir(), "tradeloop-pages-"));
  try {
    const wrangler = join(root, "node_modules", ".bin", "wrangler");
    const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
    await promisify(execFile)(wrangler, ["pages", "functions", "build", "--outdir", join(out, "worker"), "--output-routes-path", join(out, "_routes.json")], { cwd: join(root, "pages"), env });
    const routes = JSON.parse(await readFile(join(out, "_routes.json"), "utf8")) as { include: string[]; exclude: string[] };
    expect([...routes.include].sort()).toEqual(["/api/*", "/webhook/*"]);
    const bundle = await readFile(join(out, "worker", "index.js"), "utf8");
    expect(bundle).toContain("This dashboard is not connected to its Tradeloop Worker");
    // The Pages project deploys the same build the Worker serves, and binds the Worker as API.
    const config = await readFile(join(root, "pages", "wrangler.toml"), "utf8");
    expect(config).toMatch(/pages_build_output_dir = "\.\.\/ui\/dist"/);
    expect(config).toMatch(/binding = "API"\s+service = "tradeloop"/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 120_000);
