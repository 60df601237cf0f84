/**
 * Contract v1's original module, kept so existing imports keep working.
 * New code imports from `plugins/sdk` (index.ts).
 *
 * @module
 */
export type { Capabilities, ClientOrderIdRules, MethodMap, OrderFeatures, Support } from "./capabilities";
export type { BrokerClient } from "./client";
export type { PluginContext } from "./context";
export type { PluginEnvironments, PluginManifest } from "./manifest";
export type { BrokerPlugin } from "./plugin";
