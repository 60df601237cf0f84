/// <reference types="vite/client" />
/**
 * Imports point down: trading ← execution ← api / webhook, and plugins never
 * import the Worker. The pure decision core stays testable on its own, and a
 * broker plugin can be lifted out of the repository with its SDK. Checked on
 * the source text of every non-test module (tests may reach up for helpers).
 */
import { describe, expect, it } from "vitest";

const sources = {
  ...import.meta.glob<string>("./**/*.ts", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob<string>("../plugins/**/*.ts", { query: "?raw", import: "default", eager: true }),
};

/** Relative import specifiers of a module (static imports and re-exports). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/gms)].map((m) => m[1]!);
}

/** The file path an import of `spec` from `file` names, normalized. */
function resolve(file: string, spec: string): string {
  const parts = file.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** Upward imports of the modules under `from`: imports that reach into any of `forbidden`. */
function violations(from: string, forbidden: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, text] of Object.entries(sources)) {
    if (!file.startsWith(from) || file.endsWith(".test.ts")) continue;
    for (const spec of importsOf(text)) {
      const target = resolve(file, spec);
      if (forbidden.some((f) => target === f || target.startsWith(`${f}/`))) out.push(`${file} imports ${spec}`);
    }
  }
  return out;
}

describe("imports point down", () => {
  it("finds the modules it checks", () => {
    expect(Object.keys(sources).filter((f) => f.startsWith("./trading/")).length).toBeGreaterThan(10);
    expect(Object.keys(sources).filter((f) => f.startsWith("../plugins/sdk/")).length).toBeGreaterThan(10);
  });

  it("the pure decision core imports nothing above it", () => {
    expect(violations("./trading/", ["./api", "./webhook", "./execution", "./connections", "./db", "./auth", "./env", "./app", "./index", "./errors"])).toEqual([]);
  });

  it("execution imports neither the API nor the webhook", () => {
    expect(violations("./execution/", ["./api", "./webhook"])).toEqual([]);
  });

  it("plugins never import the Worker", () => {
    expect(violations("../plugins/", ["../worker", "../test"])).toEqual([]);
  });
});
