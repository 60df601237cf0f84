/**
 * The registry of installed broker plugins. Adding a broker = adding a line.
 *
 * @module
 */
import type { RegisteredPlugin } from "./sdk";
import { alpacaPlugin } from "./alpaca";
import { binancePlugin } from "./binance";
import { coinbasePlugin } from "./coinbase";
import { krakenPlugin } from "./kraken";
import { oandaPlugin } from "./oanda";
import { paperPlugin } from "./paper";
import { robinhoodPlugin } from "./robinhood";
import { tradierPlugin } from "./tradier";
import { schwabPlugin } from "./schwab";
import { tradestationPlugin } from "./tradestation";
import { tradovatePlugin } from "./tradovate";

/** Only plugins made with `definePlugin` fit here, so each passed its type-level checks. */
export const plugins: Readonly<Record<string, RegisteredPlugin>> = {
  [paperPlugin.manifest.id]: paperPlugin,
  [alpacaPlugin.manifest.id]: alpacaPlugin,
  [binancePlugin.manifest.id]: binancePlugin,
  [krakenPlugin.manifest.id]: krakenPlugin,
  [oandaPlugin.manifest.id]: oandaPlugin,
  [coinbasePlugin.manifest.id]: coinbasePlugin,
  [robinhoodPlugin.manifest.id]: robinhoodPlugin,
  [tradierPlugin.manifest.id]: tradierPlugin,
  [tradestationPlugin.manifest.id]: tradestationPlugin,
  [schwabPlugin.manifest.id]: schwabPlugin,
  [tradovatePlugin.manifest.id]: tradovatePlugin,
};

/** Looks up an installed plugin by id. */
export function getPlugin(id: string): RegisteredPlugin | undefined {
  return Object.hasOwn(plugins, id) ? plugins[id] : undefined;
}
