/**
 * Compile-time tests of the contract, checked by `tsc --noEmit -p .` and never
 * imported at run time. Each `@ts-expect-error` proves the type checker
 * refuses a broken plugin; if the contract ever stops refusing it, the
 * directive itself becomes an error and typecheck fails.
 *
 * @module
 */
import { z } from "zod";
import type { BrokerClient, ClientFor } from "./client";
import type { Capabilities, OrderFeatures } from "./capabilities";
import { definePlugin, type RegisteredPlugin } from "./plugin";
import type { BrokerOrder, OrderRequest } from "./models";

const features: OrderFeatures = {
  orderTypes: ["market", "limit"],
  timeInForce: ["day", "gtc"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId: { maxLength: 48, pattern: /^[A-Za-z0-9-]+$/ },
  modify: "unsupported",
};

const manifest = {
  id: "typetest",
  displayName: "Type test",
  version: "0.0.0",
  assetClasses: ["stocks"],
  environments: { paper: "https://paper.example.test" },
  hosts: ["paper.example.test"],
  auth: { scheme: "apiKey", credentials: z.object({ key: z.string() }) },
  providesQuotes: true,
} as const;

const order = {} as BrokerOrder;
const mandatory = {
  testConnection: async () => [],
  getBalance: async () => ({ currency: "USD", cash: "0", equity: "0" }),
  getPositions: async () => [],
  getOpenOrders: async () => [],
  getOrder: async () => null,
  placeOrder: async (_a: string, _r: OrderRequest) => order,
  cancelOrder: async () => {},
};
const quote = async () => ({ ticker: "AAPL", bid: null, ask: null, last: null, at: "" });

// 1. Declares getQuote natively and implements it: fine.
export const good = definePlugin({
  manifest,
  capabilities: { methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
  symbol: (t) => t,
  connect: (ctx) => {
    // Credentials are typed from the manifest's schema.
    const key: string = ctx.credentials.key;
    void key;
    return { ...mandatory, getQuote: quote };
  },
});

// 2. Declares getQuote but does not implement it.
export const missingOptional = definePlugin({
  manifest,
  capabilities: { methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
  symbol: (t) => t,
  // @ts-expect-error -- getQuote is declared "native" but the client has none
  connect: () => ({ ...mandatory }),
});

// 3. Omits a mandatory method (getOrder, the one reconciliation depends on).
const { getOrder: _dropped, ...withoutGetOrder } = mandatory;
export const missingMandatory = definePlugin({
  manifest,
  capabilities: { methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
  symbol: (t) => t,
  // @ts-expect-error -- getOrder is mandatory
  connect: () => ({ ...withoutGetOrder, getQuote: quote }),
});

// 4. Implements modifyOrder while declaring it unsupported: the map may not under-promise either.
export const undeclared = definePlugin({
  manifest,
  capabilities: { methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
  symbol: (t) => t,
  // @ts-expect-error -- modifyOrder is declared unsupported
  connect: () => ({ ...mandatory, getQuote: quote, modifyOrder: async () => order }),
});

// 5. An "emulated" capability counts as a promise too.
export const emulated = definePlugin({
  manifest,
  capabilities: { methods: { getQuote: "native", modifyOrder: "emulated", observePrice: "unsupported" }, orders: { stocks: { ...features, modify: "cancel-replace" } } },
  symbol: (t) => t,
  // @ts-expect-error -- modifyOrder is declared emulated but missing
  connect: () => ({ ...mandatory, getQuote: quote }),
});

// 6. Widened capabilities (no literals) demand every optional method: declare `as const satisfies Capabilities`.
const widened: Capabilities = { methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: {} };
// @ts-expect-error -- with widened capabilities, getQuote, modifyOrder and observePrice are all required
export const widenedClient: ClientFor<typeof widened> = { ...mandatory };

// 7. A hand-made plugin object is not accepted by the registry: only definePlugin's output is.
const handMade = { manifest, capabilities: widened, symbol: (t: string) => t, connect: (): BrokerClient => mandatory, canSubmit: () => ({ ok: true as const }) };
// @ts-expect-error -- the registry takes RegisteredPlugin (made by definePlugin), not look-alikes
export const registered: RegisteredPlugin = handMade;
export const registeredGood: RegisteredPlugin = good;
