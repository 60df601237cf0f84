import { z } from "zod";
import type { BrokerPlugin } from "../sdk";

/** Placeholder; the real paper plugin replaces it. */
export const paperPlugin: BrokerPlugin = {
  manifest: {
    id: "paper",
    displayName: "Paper broker",
    version: "0.0.0",
    assetClasses: ["stocks"],
    environments: { paper: "https://paper.tradeloop.internal" },
    auth: { scheme: "none", credentials: z.object({}) },
    providesQuotes: false,
  },
  capabilities: { methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "native" }, orders: {} },
  symbol: (ticker) => ticker,
  connect: () => {
    throw new Error("not implemented");
  },
};
