/**
 * The rule that keeps a fake broker a second opinion: a fake is written from
 * the broker's documentation, never from the plugin it tests. If the fake
 * borrowed the plugin's signing, symbol splitting, client-id parsing or
 * status table, a misread rule would live on both sides of the test and the
 * kit would stay green. So a fake module (`plugins/<id>/fake*.ts`) may import
 * only what is listed here: the SDK's neutral helpers (decimals, bytes,
 * hashes and MACs, plus the two model types the kit's fake view uses), the
 * kit's fake toolbox, its own sibling `fake*` modules and recorded fixtures,
 * and a few libraries. `plugins/testkit/fake-imports.test.ts` enforces it on
 * every plugin.
 *
 * @module
 */

/**
 * SDK exports a fake may use: arithmetic, encodings and cryptographic
 * primitives that carry no broker knowledge. Not listed on purpose: signing
 * recipes (`es256Jwt`, `p256PrivateKeyPkcs8`), error tables, models beyond
 * the two status types, and anything under a plugin's own folder.
 */
export const FAKE_SDK_HELPERS: ReadonlySet<string> = new Set([
  // decimals (big.js)
  "Big",
  "dec",
  "toDecimal",
  "toNumber",
  "isDecimal",
  "ZERO",
  "Decimal",
  // bytes and encodings
  "toBytes",
  "toHex",
  "fromHex",
  "toBase64",
  "fromBase64",
  "pemToDer",
  "BytesLike",
  "Encoding",
  "HashAlgorithm",
  // hash and MAC primitives (the message a broker signs is the fake's own business)
  "digest",
  "hmac",
  "hmacSha256",
  "hmacSha512",
  "ed25519Sign",
  // the kit's view of an order (FakeOrder) speaks these
  "OrderSide",
  "OrderStatus",
]);

/** The kit's toolbox for fakes (plugins/testkit): the interface, fault controls and the shared ledger. */
export const FAKE_KIT_HELPERS: ReadonlySet<string> = new Set([
  "FakeBroker",
  "FakeOrder",
  "FakeReply",
  "Awaitable",
  "FaultInjector",
  "FaultInjectorOptions",
  "replyToResponse",
  "timeoutError",
  "FakeLedger",
  "FakeLedgerOptions",
  "LedgerOrder",
  "LedgerOrderInput",
  "LedgerOrderType",
  "LedgerRejection",
  "FakeAuthorizationServer",
  "FakeOAuthOptions",
]);

/** Packages a fake may import: validation, JWT verification, decimals, and the test runtime's bindings. */
export const FAKE_PACKAGES: ReadonlySet<string> = new Set(["zod", "jose", "big.js", "cloudflare:workers"]);

/** One `import ... from "..."` of a module: what it names and where from. */
interface ImportStatement {
  from: string;
  /** Imported binding names (the exported names, before any `as`); `*` for a namespace or default import. */
  names: string[];
}

/** The import statements of a TypeScript module (static imports and re-exports). */
export function importsOf(source: string): ImportStatement[] {
  const out: ImportStatement[] = [];
  const pattern = /^\s*(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gms;
  for (const m of source.matchAll(pattern)) {
    const clause = m[2] ?? "";
    const from = m[3] ?? "";
    const braces = /\{([^}]*)\}/s.exec(clause);
    const names: string[] = [];
    if (braces) {
      for (const part of (braces[1] ?? "").split(",")) {
        const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]?.trim();
        if (name) names.push(name);
      }
    }
    // A default or namespace import (`import x from`, `import * as x from`) takes everything.
    const outside = clause.replace(/\{[^}]*\}/s, "").replace(/,/g, " ").trim();
    if (outside !== "") names.push("*");
    out.push({ from, names });
  }
  // Side-effect imports and dynamic imports load code too.
  for (const m of source.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push({ from: m[1] ?? "", names: ["*"] });
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push({ from: m[1] ?? "", names: ["*"] });
  return out;
}

/** Every import of a fake module that breaks the rule, as sentences; empty = fine. */
export function fakeImportProblems(source: string): string[] {
  const problems: string[] = [];
  for (const { from, names } of importsOf(source)) {
    if (from === "../sdk" || from.startsWith("../sdk/")) {
      const bad = names.filter((n) => !FAKE_SDK_HELPERS.has(n));
      if (bad.length > 0) problems.push(`imports ${bad.join(", ")} from "${from}": only the SDK's neutral helpers are allowed (FAKE_SDK_HELPERS)`);
    } else if (from === "../testkit" || from.startsWith("../testkit/")) {
      const bad = names.filter((n) => !FAKE_KIT_HELPERS.has(n));
      if (bad.length > 0) problems.push(`imports ${bad.join(", ")} from "${from}": only the kit's fake toolbox is allowed (FAKE_KIT_HELPERS)`);
    } else if (from.startsWith("./")) {
      if (!/^\.\/(fake[\w-]*|fixtures\/[\w.-]+\.json)$/.test(from)) {
        problems.push(`imports "${from}": a fake may import its own fake* modules and fixtures, never the plugin's code`);
      }
    } else if (from.startsWith(".")) {
      problems.push(`imports "${from}": outside the plugin's fake and the allowed SDK and kit helpers`);
    } else if (!FAKE_PACKAGES.has(from)) {
      problems.push(`imports the package "${from}", which is not in FAKE_PACKAGES`);
    }
  }
  return problems;
}
