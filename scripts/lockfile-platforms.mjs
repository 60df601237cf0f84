#!/usr/bin/env node
// Adds lockfile entries for workerd's other-platform binaries when they are missing.
//
// Why: `npm ci` refuses a lockfile that lacks an entry for any optional
// dependency, even one for another OS. When the registry an install ran
// against does not serve, say, @cloudflare/workerd-darwin-64 at the exact
// version workerd pins, `npm install` silently leaves the entry out and every
// later `npm ci` fails. The entries below are what npm itself writes for
// those packages (version, optional, os, cpu); npm never downloads them on a
// machine of another platform. Run after `npm install` changes the lockfile.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "linux-64": { os: ["linux"], cpu: ["x64"] },
  "linux-arm64": { os: ["linux"], cpu: ["arm64"] },
  "windows-64": { os: ["win32"], cpu: ["x64"] },
};

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!key.endsWith("node_modules/workerd")) continue;
  const base = key.slice(0, -"workerd".length); // "node_modules/" or ".../node_modules/"
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const suffix = name.replace("@cloudflare/workerd-", "");
    const platform = PLATFORMS[suffix];
    const entry = `${base}${name}`;
    if (!platform || lock.packages[entry]) continue;
    lock.packages[entry] = { version, license: "Apache-2.0", optional: true, ...platform, engines: { node: ">=16" } };
    added++;
  }
}
if (added > 0) {
  // Keep npm's key order (alphabetical) so diffs stay small.
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`lockfile-platforms: ${added} entr${added === 1 ? "y" : "ies"} added`);
