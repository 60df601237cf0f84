/**
 * The registry of installed broker plugins. Adding a broker = adding a line.
 *
 * @module
 */
import type { BrokerPlugin } from "./sdk";
import { paperPlugin } from "./paper";

export const plugins: Readonly<Record<string, BrokerPlugin>> = {
  [paperPlugin.manifest.id]: paperPlugin,
};

/** Looks up an installed plugin by id. */
export function getPlugin(id: string): BrokerPlugin | undefined {
  return Object.hasOwn(plugins, id) ? plugins[id] : undefined;
}
