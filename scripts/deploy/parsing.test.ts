/**
 * The pure parts of `npm run deploy`: reading `wrangler deploy`'s output
 * (the URL the health check and the setup link are built on) and measuring a
 * bundle against the budget. The deploy flow itself is in deploy.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GZIP_BUDGET_BYTES, measureBundle, PLATFORM_LIMIT_BYTES, sizeProblems } from "./bundle-size.ts";
import { parseDeployOutput, WranglerError } from "./wrangler.ts";

// The shape wrangler 4.164 prints (its deploy-triggers code: each target as `logger.log(" ", target)`,
// "https://" added to workers.dev targets only, crons as `schedule: <cron>`).
const WRANGLER_DEPLOY_OUTPUT = `
 ⛅️ wrangler 4.164.0
───────────────────
Total Upload: 1957.71 KiB / gzip: 402.47 KiB
Worker Startup Time: 31 ms
Your Worker has access to the following bindings:
Binding                                         Resource
env.DB (tradeloop)                              D1 Database
env.SIGNUP_OPEN ("false")                       Environment Variable

Uploaded tradeloop (4.87 sec)
Deployed tradeloop triggers (1.12 sec)
  https://tradeloop.owner.workers.dev
  trade.example.com/hooks/* (zone name: example.com)
  schedule: */30 * * * *
  schedule: 17 3 * * *
Current Version ID: 0b6f3a4e-8c2d-4f5e-9a1b-2c3d4e5f6a7b
`;

describe("parseDeployOutput", () => {
  it("finds the workers.dev URL, every cron schedule and the version id", () => {
    expect(parseDeployOutput(WRANGLER_DEPLOY_OUTPUT)).toEqual({
      urls: ["https://tradeloop.owner.workers.dev"],
      schedules: ["*/30 * * * *", "17 3 * * *"],
      versionId: "0b6f3a4e-8c2d-4f5e-9a1b-2c3d4e5f6a7b",
    });
  });

  it("reports no URL when workers.dev is off and only routes are printed (the deploy then skips the health check)", () => {
    const routesOnly = WRANGLER_DEPLOY_OUTPUT.replace("  https://tradeloop.owner.workers.dev\n", "");
    expect(parseDeployOutput(routesOnly).urls).toEqual([]);
  });

  it("drops a trailing slash so the setup link has exactly one", () => {
    expect(parseDeployOutput("  https://tradeloop.owner.workers.dev/\n").urls).toEqual(["https://tradeloop.owner.workers.dev"]);
  });
});

describe("WranglerError.detail", () => {
  it("keeps the lines after wrangler's error line, where it puts the link to follow", () => {
    // wrangler 4.164 without a workers.dev subdomain, run without a terminal (its prompt answered no).
    const stderr = [
      "▲ [WARNING] You need to register a workers.dev subdomain before publishing to workers.dev",
      "",
      "✘ [ERROR] You can either deploy your worker to one or more routes by specifying them in your wrangler.toml file, or register a workers.dev subdomain here:",
      "  https://dash.cloudflare.com/acc-1/workers/onboarding",
      "",
    ].join("\n");
    const err = new WranglerError(["deploy"], { code: 1, stdout: "Total Upload: 1957.71 KiB / gzip: 402.47 KiB\n", stderr });
    expect(err.detail).toBe(
      "✘ [ERROR] You can either deploy your worker to one or more routes by specifying them in your wrangler.toml file, or register a workers.dev subdomain here:\n  https://dash.cloudflare.com/acc-1/workers/onboarding\nTotal Upload: 1957.71 KiB / gzip: 402.47 KiB",
    );
  });

  it("falls back to the tail of the output when wrangler printed no error line", () => {
    const stdout = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
    expect(new WranglerError(["d1", "list"], { code: 1, stdout, stderr: "" }).detail.split("\n")).toEqual(Array.from({ length: 15 }, (_, i) => `line ${i + 6}`));
  });
});

describe("measureBundle and sizeProblems", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), "tradeloop-bundle-size-test-"));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it("counts the modules wrangler uploads, not its source map or README", () => {
    writeFileSync(join(outdir, "index.js"), "export default {};\n".repeat(100));
    mkdirSync(join(outdir, "chunks"));
    writeFileSync(join(outdir, "chunks", "wasm-abc.wasm"), Buffer.alloc(1000));
    writeFileSync(join(outdir, "index.js.map"), "x".repeat(50_000));
    writeFileSync(join(outdir, "README.md"), "This folder contains the built output assets for the worker.");
    const size = measureBundle(outdir);
    expect(size.modules).toEqual([join("chunks", "wasm-abc.wasm"), "index.js"]);
    expect(size.raw).toBe(1900 + 1000);
    expect(size.gzip).toBeGreaterThan(0);
    expect(size.gzip).toBeLessThan(size.raw);
    expect(sizeProblems(size)).toEqual([]);
  });

  it("names each limit that is passed", () => {
    expect(sizeProblems({ raw: 10, gzip: GZIP_BUDGET_BYTES + 1, modules: ["index.js"] })).toEqual([expect.stringMatching(/gzipped bundle is 3\.00 MiB, over the 3\.00 MiB budget/)]);
    expect(sizeProblems({ raw: PLATFORM_LIMIT_BYTES + 1, gzip: 10, modules: ["index.js"] })).toEqual([expect.stringMatching(/over Cloudflare's 64\.00 MiB Worker size limit/)]);
    expect(sizeProblems({ raw: 0, gzip: 0, modules: [] })).toEqual(["wrangler wrote no Worker module to bundle."]);
  });
});
