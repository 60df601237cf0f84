/**
 * The size of the Worker bundle `wrangler deploy --dry-run --outdir` wrote,
 * raw and gzipped, and the size budget CI holds it to.
 *
 * Why two limits: Cloudflare capped a Worker at 3 MB gzipped on the Workers
 * Free plan (10 MB on Paid) until 2026-09-04, when it replaced both with one
 * 64 MiB uncompressed limit on every plan (cloudflare/cloudflare-docs#33241,
 * cloudflare/workers-sdk#14001; wrangler 4.164's own size report measures
 * against 64 MiB). The 3 MB gzipped figure stays as this project's budget,
 * held by CI: a bundle that size would already slow every cold start (the
 * startup limit is 1 s), and it keeps the Worker deployable under the old
 * rule. The platform's own limit is checked too.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

/** The project's budget: the former Workers Free plan limit, 3 MB after gzip. */
export const GZIP_BUDGET_BYTES = 3 * 1024 * 1024;
/** Cloudflare's Worker size limit since 2026-09-04: 64 MiB uncompressed, every plan. */
export const PLATFORM_LIMIT_BYTES = 64 * 1024 * 1024;

export interface BundleSize {
  /** Bytes wrangler would upload as modules (source maps excluded). */
  raw: number;
  /** The same modules, gzipped one by one. */
  gzip: number;
  /** The modules, relative to the bundle directory. */
  modules: string[];
}

/** Files in the dry-run output that are not uploaded as Worker modules. */
const NOT_MODULES = /(\.map$|^README\.md$|bundle-meta\.json$)/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Measures the bundle wrangler wrote to `outdir`. */
export function measureBundle(outdir: string): BundleSize {
  let raw = 0;
  let gzip = 0;
  const modules: string[] = [];
  for (const path of walk(outdir)) {
    const name = relative(outdir, path);
    if (NOT_MODULES.test(name)) continue;
    const bytes = readFileSync(path);
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
    modules.push(name);
  }
  return { raw, gzip, modules: modules.sort() };
}

/** Every problem with the size; empty when it is within the budget and the limit. */
export function sizeProblems(size: BundleSize): string[] {
  const problems: string[] = [];
  if (size.modules.length === 0) problems.push("wrangler wrote no Worker module to bundle.");
  if (size.gzip > GZIP_BUDGET_BYTES) {
    problems.push(
      `The gzipped bundle is ${formatBytes(size.gzip)}, over the ${formatBytes(GZIP_BUDGET_BYTES)} budget (the former Workers Free plan limit). Find what grew with \`wrangler deploy --dry-run --outdir dist --metafile\`.`,
    );
  }
  if (size.raw > PLATFORM_LIMIT_BYTES) {
    problems.push(`The bundle is ${formatBytes(size.raw)}, over Cloudflare's ${formatBytes(PLATFORM_LIMIT_BYTES)} Worker size limit; the upload would be refused.`);
  }
  return problems;
}

/** Bytes in KiB or MiB, one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export interface AssetsSize {
  files: number;
  bytes: number;
}

/** The dashboard's static assets: served free, outside the Worker's size. */
export function measureAssets(dir: string): AssetsSize {
  let files = 0;
  let bytes = 0;
  try {
    for (const path of walk(dir)) {
      files++;
      bytes += statSync(path).size;
    }
  } catch {
    // No build yet: reported as empty.
  }
  return { files, bytes };
}
