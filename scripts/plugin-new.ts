/**
 * Scaffolds a broker plugin: `npm run plugin:new <id>`.
 *
 * Writes plugins/<id>/ with the manifest, a client skeleton, the symbol map,
 * the error table, a fake broker on the kit's FakeLedger, the static cases
 * (cases.ts), a fixtures folder and a test file that runs the conformance
 * kit. Everything compiles at once and passes the kit only by skipping,
 * loudly, until the TODOs are done. The file names are the ones every plugin
 * uses (plugins/README.md, "Files"). Run with Node 22's type stripping (no
 * build step).
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { CHECK_IDS } from "../plugins/testkit/check-ids.ts";

const id = process.argv[2] ?? "";
if (!/^[a-z][a-z0-9-]{1,31}$/.test(id)) {
  console.error("usage: npm run plugin:new <id>   (lower-case letters, digits and dashes, e.g. tradier)");
  process.exit(1);
}
const dir = fileURLToPath(new URL(`../plugins/${id}/`, import.meta.url));
if (existsSync(dir)) {
  console.error(`plugins/${id}/ already exists`);
  process.exit(1);
}

/** `my-broker` → `myBroker` / `MyBroker` / `MY_BROKER`. */
const camel = id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const Pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
const UPPER = id.replace(/-/g, "_").toUpperCase();

const files: Record<string, string> = {};

files["manifest.ts"] = `/**
 * ${Pascal} as data: identity, environments, credentials form, limits and
 * capabilities. No I/O here; GET /api/brokers and docs/brokers.md read it.
 *
 * TODO: fill every value from ${Pascal}'s API documentation.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

/** What a connection asks the trader for. Labels, help and links appear in the dashboard form. */
export const ${Pascal}CredentialsSchema = z.object({
  apiKey: credentialField(z.string().min(1), {
    label: "API key",
    help: "TODO: where in ${Pascal}'s dashboard the key is created, and which permissions to tick (trading yes, withdrawals never).",
    link: "https://example.com/TODO-api-keys-page",
    secret: false,
  }),
  apiSecret: credentialField(z.string().min(1), {
    label: "API secret",
    help: "TODO: shown once when the key is created.",
    link: "https://example.com/TODO-api-keys-page",
  }),
});

export const ${camel}Manifest = {
  id: "${id}",
  displayName: "${Pascal}",
  version: "0.1.0",
  // TODO: the asset classes you implement (each needs an entry in capabilities.orders).
  assetClasses: ["stocks"],
  // TODO: sandbox (paper) and live base URLs.
  environments: { paper: "https://paper-api.example.com", live: "https://api.example.com" },
  // TODO: every host the plugin calls (the environments' hosts, a market-data or token host). Credentials go nowhere else.
  hosts: ["paper-api.example.com", "api.example.com"],
  auth: { scheme: "apiKey", credentials: ${Pascal}CredentialsSchema },
  // TODO: the documented per-key budget; the core's fetch enforces it.
  rateLimit: { requests: 10, perMs: 1_000 },
  // TODO: daily windows when ${Pascal} refuses orders, if any: [{ timezone: "America/New_York", start: "23:45", end: "00:45" }]
  maintenanceWindows: [],
  providesQuotes: false,
  certification: "experimental",
  // maintainer: "your-github-handle",
  docsUrl: "https://example.com/TODO-api-docs",
} satisfies PluginManifest<typeof ${Pascal}CredentialsSchema>;

/** TODO: what ${Pascal} can do for stocks. Start small and honest; the kit tests everything you declare. */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit"],
  timeInForce: ["day", "gtc"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: false,
  // The core sends \`tl\` + 32 hex characters; check the broker takes them as they are.
  clientOrderId: { maxLength: 48, pattern: /^[A-Za-z0-9_-]+$/, uniqueness: "forever" },
  modify: "unsupported",
};

/**
 * \`as const\`: the literal method map is what makes the type checker demand
 * getQuote the day you declare it "native".
 */
export const ${camel}Capabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported" },
  orders: { stocks },
} as const satisfies Capabilities;
`;

files["symbols.ts"] = `/**
 * TradingView tickers ⇄ ${Pascal} instruments.
 *
 * @module
 */
import type { AssetClass } from "../sdk";

/**
 * TODO: map a TradingView-style ticker (\`AAPL\`, \`BTCUSD\`, \`EURUSD\`) to
 * ${Pascal}'s symbol (e.g. \`BTC/USD\`, \`EUR_USD\`).
 */
export function ${camel}Symbol(ticker: string, _assetClass: AssetClass): string {
  return ticker;
}

/** TODO: the reverse, for positions and orders (the core compares tickers, not venue symbols). */
export function tickerFrom${Pascal}Symbol(symbol: string): string {
  return symbol;
}
`;

files["errors.ts"] = `/**
 * ${Pascal}'s error table, as data: venue code or message → stable code and
 * kind. Unknown errors fall back on the HTTP status (the SDK's shared rule).
 *
 * @module
 */
import { z } from "zod";
import { mapVenueError, type BrokerError, type VenueAnswer, type VenueErrorTable } from "../sdk";

/** TODO: every error code ${Pascal} documents that the trader or the core must tell apart. */
export const ${UPPER}_ERROR_TABLE = {
  codes: {
    // "40310000": { code: "insufficient-funds", kind: "rejected" },
    // "40410000": { code: "order-not-found", kind: "rejected" },  // only this may make getOrder return null
  },
  messages: [
    // { match: "insufficient buying power", mapping: { code: "insufficient-funds", kind: "rejected" } },
  ],
} satisfies VenueErrorTable;

/** TODO: ${Pascal}'s error body. */
const ErrorBodySchema = z.object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() });

/**
 * Turns a failed answer (read once by the SDK's JSON caller) into a
 * BrokerError. \`placingOrder\`: an unreadable failure may mean the order was booked.
 */
export function errorFromResponse(answer: VenueAnswer, placingOrder: boolean, now: Date): BrokerError {
  const parsed = ErrorBodySchema.safeParse(answer.body);
  return mapVenueError(${UPPER}_ERROR_TABLE, {
    status: answer.status,
    code: parsed.success ? parsed.data.code : null,
    message: parsed.success ? parsed.data.message : null,
    body: answer.body,
    headers: answer.headers,
    placingOrder,
    now,
  });
}
`;

files["client.ts"] = `/**
 * The ${Pascal} client: HTTP through the SDK's JSON caller (fetch, read,
 * error table, schema check, written once; timeouts, rate limit and
 * transport errors are the core's), one small function per method. This
 * file keeps only ${Pascal}'s request signing and the methods.
 *
 * TODO: implement each method from ${Pascal}'s API docs, then remove its
 * scenarios from the skip list in ${id}.test.ts.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  jsonCaller,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type VenueRequest,
} from "../sdk";
import { errorFromResponse } from "./errors";
import type { ${camel}Capabilities, ${Pascal}CredentialsSchema } from "./manifest";

type Context = PluginContext<z.output<typeof ${Pascal}CredentialsSchema>, Record<string, unknown>>;

function todo(method: string): never {
  throw new BrokerError(\`${Pascal}: \${method} is not implemented yet.\`, { code: "not-implemented", kind: "unsupported" });
}

export function create${Pascal}Client(ctx: Context): ClientFor<typeof ${camel}Capabilities> {
  /**
   * One round trip: signed request out, the payload checked against a zod
   * schema (\`caller.call(request, schema)\`) or a BrokerError back. Mark
   * anything that can create or change an order \`placingOrder: true\`.
   */
  const caller = jsonCaller<VenueRequest & { path: string; body?: unknown }>({
    venue: "${Pascal}",
    fetch: ctx.fetch,
    sign(r) {
      const headers = new Headers({ accept: "application/json" });
      // TODO: ${Pascal}'s authentication (use the SDK's signing helpers, ctx.now() and ctx.nonce()).
      headers.set("x-api-key", ctx.credentials.apiKey);
      if (r.body !== undefined) headers.set("content-type", "application/json");
      return new Request(\`\${ctx.baseUrl}\${r.path}\`, { method: r.method, headers, body: r.body === undefined ? null : JSON.stringify(r.body) });
    },
    error: (answer, r) => errorFromResponse(answer, r.placingOrder === true, ctx.now()),
  });
  void caller;

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      return todo("testConnection");
    },
    async getBalance(_accountId: string): Promise<Balance> {
      return todo("getBalance");
    },
    async getPositions(_accountId: string): Promise<Position[]> {
      return todo("getPositions");
    },
    async getOpenOrders(_accountId: string): Promise<BrokerOrder[]> {
      return todo("getOpenOrders");
    },
    async getOrder(_accountId: string, _ref: OrderRef): Promise<BrokerOrder | null> {
      // Mandatory and critical: null ONLY when ${Pascal} says "no such order" (see errors.ts).
      return todo("getOrder");
    },
    async placeOrder(_accountId: string, _request: OrderRequest): Promise<BrokerOrder> {
      // Send request.clientOrderId as ${Pascal}'s client order id, and send with { placingOrder: true }.
      return todo("placeOrder");
    },
    async cancelOrder(_accountId: string, _ref: OrderRef): Promise<void> {
      return todo("cancelOrder");
    },
  };
}
`;

files["index.ts"] = `/**
 * The ${Pascal} plugin. Register it in plugins/index.ts once it passes the
 * kit without TODO skips, then regenerate docs/brokers.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { create${Pascal}Client } from "./client";
import { ${camel}Capabilities, ${camel}Manifest } from "./manifest";
import { ${camel}Symbol } from "./symbols";

export const ${camel}Plugin = definePlugin({
  manifest: ${camel}Manifest,
  capabilities: ${camel}Capabilities,
  symbol: ${camel}Symbol,
  connect: (ctx) => create${Pascal}Client(ctx),
});
`;

files["fake.ts"] = `/**
 * A fake ${Pascal} for the conformance kit: ${Pascal}'s HTTP API as its
 * docs describe it (paths, field names, status codes, error bodies), over
 * the kit's in-memory FakeLedger, with the kit's fault controls in front.
 *
 * Write it from ${Pascal}'s documentation, never from client.ts: it is the
 * second opinion. A fake module may import only the SDK's neutral helpers,
 * the kit's fake toolbox and its own fake* files (the kit checks it:
 * plugins/testkit/fake-rules.ts). When the FakeLedger is not enough (margin,
 * held bracket legs, ${Pascal}'s own statuses), grow your own book the way
 * plugins/alpaca/fake*.ts does, the high-fidelity example.
 *
 * TODO: route each endpoint the client uses; answer errors exactly as ${Pascal} does.
 *
 * @module
 */
import { FakeLedger, FaultInjector, replyToResponse, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";

export class ${Pascal}Fake implements FakeBroker {
  private ledger = new FakeLedger();
  // TODO: ${Pascal}'s answer to an expired or revoked key.
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { code: 40110000, message: "request is not authorized" } } });

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // TODO: e.g. if (request.method === "GET" && url.pathname === "/v2/account") return this.json(200, {...});
    return replyToResponse({ status: 501, body: { message: \`fake ${Pascal}: \${request.method} \${url.pathname} is not routed yet\` } });
  }

  reset(): void {
    this.ledger = new FakeLedger();
    this.faults.reset();
  }

  setPrice(symbol: string, price: string): void {
    this.ledger.setPrice(symbol, price);
  }

  failNext(reply: FakeReply): void {
    this.faults.failNext(reply);
  }

  loseNextReply(): void {
    this.faults.loseNextReply();
  }

  expireAuth(): void {
    this.faults.expireAuth();
  }

  partialFillNext(quantity: string): void {
    this.ledger.partialFillNext(quantity);
  }

  orders(): FakeOrder[] {
    return this.ledger.fakeOrders();
  }
}
`;

files["cases.ts"] = `/**
 * ${Pascal}'s static conformance cases (layers 1 and 2 of the kit): intents
 * in → the exact HTTP requests out, and recorded responses (fixtures/) in →
 * normalized models or BrokerErrors out.
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

/** Base URL the static cases run against (the manifest's paper URL). */
export const STATIC_BASE = "https://paper-api.example.com";

/**
 * TODO: one case per method and order shape. Example:
 * { name: "placeOrder: market buy", call: (c, a) => c.placeOrder(a, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "market", timeInForce: "day" }),
 *   replies: [orderFixture], expected: [{ method: "POST", url: \`\${STATIC_BASE}/v2/orders\`, headers: { ... }, body: { ... } }] }
 */
export const requestCases: StaticRequestCase[] = [];

/**
 * TODO: one case per fixture, errors included. Example:
 * { name: "insufficient funds", replies: [insufficientFundsFixture], call: (c, a) => c.placeOrder(a, order), expected: { error: { kind: "rejected", code: "insufficient-funds" } } }
 */
export const responseCases: StaticResponseCase[] = [];
`;

const skipLines = CHECK_IDS.map((check) => `  "${check}": TODO,`).join("\n");

files[`${id}.test.ts`] = `/**
 * ${Pascal} through the conformance kit. Work down the skip list: implement,
 * add static cases (cases.ts) and fixtures, delete the skip line, repeat. A
 * skip that stays needs a real reason (what ${Pascal} cannot do), not TODO.
 *
 * expectedSkips pins every skip of the run, by id and reason: what you list
 * here and what your capabilities rule out. When you delete a line from
 * SKIP, the kit prints the exact list the run now produces; check each
 * reason, then paste it.
 */
import { runConformanceSuite } from "../testkit";
import { requestCases, responseCases } from "./cases";
import { ${Pascal}Fake } from "./fake";
import { ${camel}Plugin } from "./index";

const TODO = "TODO: scaffold, not implemented yet";

/** Checks this plugin cannot pass yet, each with its reason. */
const SKIP = {
${skipLines}
} as const;

runConformanceSuite({
  plugin: ${camel}Plugin,
  // Fake values only; the fake accepts any.
  credentials: { apiKey: "test-key-0000", apiSecret: "test-secret-0000" },
  accountId: "TODO-account-id",
  requests: requestCases,
  responses: responseCases,
  fake: () => new ${Pascal}Fake(),
  instrument: { ticker: "AAPL", assetClass: "stocks", price: "100", quantity: "1" },
  skip: SKIP,
  expectedSkips: SKIP,
});
`;

files["cases.ts"] = `/**
 * ${Pascal}'s static cases for the conformance kit (layers 1 and 2), beside
 * the recorded fixtures they replay. Every plugin keeps them in cases.ts.
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

/**
 * Layer 1: intent in → exact HTTP request out. Example:
 * { name: "placeOrder: market buy", call: (c, a) => c.placeOrder(a, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "market", timeInForce: "day" }),
 *   replies: [orderFixture], expected: [{ method: "POST", url: "https://paper-api.example.com/v2/orders", headers: {...}, body: {...} }] }
 */
export const requestCases: StaticRequestCase[] = [];

/**
 * Layer 2: recorded fixture in → normalized model or BrokerError out. Example:
 * { name: "insufficient funds", replies: [insufficientFundsFixture], call: (c, a) => c.placeOrder(a, order), expected: { error: { kind: "rejected", code: "insufficient-funds" } } }
 */
export const responseCases: StaticResponseCase[] = [];
`;

files["fixtures/README.md"] = `# ${Pascal} fixtures

Recorded responses from ${Pascal}'s sandbox, one JSON file per case:

\`\`\`json
{ "description": "POST /v2/orders: market buy accepted", "request": { "method": "POST", "path": "/v2/orders" }, "response": { "status": 200, "body": { } } }
\`\`\`

Before committing, replace every key, token, signature, account number,
e-mail and name with a placeholder (see plugins/README.md, "Recording fixtures").
`;

await mkdir(new URL("fixtures/", `file://${dir}`), { recursive: true });
for (const [name, content] of Object.entries(files)) await writeFile(`${dir}${name}`, content);

console.log(`Created plugins/${id}/:
${Object.keys(files)
  .map((f) => `  ${f}`)
  .join("\n")}

Next:
  1. npx vitest run plugins/${id}        (passes, by skipping everything: read the banner)
  2. fill manifest.ts and symbols.ts from ${id}'s API docs
  3. per method: client.ts + a route in fake.ts + a static case in cases.ts + a fixture, then delete its SKIP line
     and paste the skip list the kit prints into expectedSkips
  4. register it in plugins/index.ts and run scripts/gen-broker-docs.ts
Read plugins/tradestation/ first: the smallest real plugin, built exactly this way
(plugins/alpaca/ is the high-fidelity fake). See plugins/README.md for the checklist.`);
