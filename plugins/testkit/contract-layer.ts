/**
 * Layer 0: the plugin as data. Checks what the type checker cannot: the
 * manifest's values, the capability matrix's internal consistency, the
 * credentials form, and that the client really has the methods the
 * capabilities promise (for plugins built without `definePlugin`'s literals).
 *
 * @module
 */
import { z } from "zod";
import {
  type AssetClass,
  type BrokerPlugin,
  type OrderFeatures,
  errorMessage,
  MANDATORY_METHODS,
  OPTIONAL_METHODS,
  PluginManifestShape,
  undeclaredEnvironmentHosts,
} from "../sdk";
import { testClient, type TestConnection } from "./harness";

/** The shape of the core's client order ids (`tl` + 32 hex), which every plugin must be able to send. */
export const CORE_CLIENT_ORDER_ID = "tl0123456789abcdef0123456789abcdef";

/** Every problem found with the plugin's data; empty = fine. */
export function contractProblems(plugin: BrokerPlugin, connection: TestConnection): string[] {
  const problems: string[] = [];
  const m = plugin.manifest;
  const parsed = PluginManifestShape.safeParse(m);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `manifest.${i.path.join(".")}: ${i.message}`));
  // Credentials travel only to declared hosts: an environment elsewhere could never be reached.
  for (const url of undeclaredEnvironmentHosts(m)) problems.push(`environment URL ${url} is not on a host in manifest.hosts`);

  // Asset classes and the feature matrix must describe the same set.
  const featureClasses = Object.keys(plugin.capabilities.orders) as AssetClass[];
  for (const a of m.assetClasses) if (!featureClasses.includes(a)) problems.push(`asset class ${a} has no order features in capabilities.orders`);
  for (const a of featureClasses) if (!m.assetClasses.includes(a)) problems.push(`capabilities.orders.${a} is not in manifest.assetClasses`);

  for (const [assetClass, f] of Object.entries(plugin.capabilities.orders) as [AssetClass, OrderFeatures][]) {
    const at = `capabilities.orders.${assetClass}`;
    if (f.orderTypes.length === 0) problems.push(`${at}.orderTypes is empty`);
    if (f.timeInForce.length === 0) problems.push(`${at}.timeInForce is empty`);
    if (f.orderTypes.includes("trailing_stop") !== (f.trailingStop !== "unsupported")) {
      problems.push(`${at}: orderTypes and trailingStop disagree about trailing stops`);
    }
    if (f.modify !== "unsupported" && plugin.capabilities.methods.modifyOrder === "unsupported") {
      problems.push(`${at}.modify is ${f.modify} but methods.modifyOrder is unsupported`);
    }
    // The core's idempotency key must reach the broker unchanged, or a lost reply cannot be reconciled.
    const rules = f.clientOrderId;
    if (CORE_CLIENT_ORDER_ID.length > rules.maxLength || !rules.pattern.test(CORE_CLIENT_ORDER_ID)) {
      problems.push(`${at}.clientOrderId rules refuse the core's ids (${CORE_CLIENT_ORDER_ID.length} chars of [a-z0-9])`);
    }
  }
  const anyModify = Object.values(plugin.capabilities.orders).some((f) => f && f.modify !== "unsupported");
  if (plugin.capabilities.methods.modifyOrder !== "unsupported" && !anyModify) {
    problems.push("methods.modifyOrder is declared but no asset class has modify semantics");
  }
  if (m.providesQuotes !== (plugin.capabilities.methods.getQuote !== "unsupported")) {
    problems.push("manifest.providesQuotes and methods.getQuote disagree");
  }

  // The credentials form the dashboard renders.
  let schema: Record<string, unknown> | undefined;
  try {
    schema = z.toJSONSchema(m.auth.credentials, { io: "input" }) as Record<string, unknown>;
  } catch (e) {
    problems.push(`the credentials schema does not export to JSON Schema: ${errorMessage(e)}`);
  }
  const properties = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  if (m.auth.scheme !== "none" && Object.keys(properties).length === 0) problems.push(`auth scheme ${m.auth.scheme} with no credential fields`);
  for (const [key, field] of Object.entries(properties)) {
    if (typeof field.title !== "string" || typeof field.description !== "string") {
      problems.push(`credential field ${key} needs a label and help text (credentialField())`);
    }
  }
  if (!m.auth.credentials.safeParse(connection.credentials).success) problems.push("the test credentials do not fit the credentials schema");

  // The client's methods match the method map.
  const client = testClient(connection, async () => new Response("{}"));
  for (const name of MANDATORY_METHODS) if (typeof client[name] !== "function") problems.push(`client.${name} is missing (mandatory)`);
  for (const name of OPTIONAL_METHODS) {
    const declared = plugin.capabilities.methods[name] !== "unsupported";
    const present = typeof client[name] === "function";
    if (declared && !present) problems.push(`methods.${name} is ${plugin.capabilities.methods[name]} but the client has no ${name}`);
    if (!declared && present) problems.push(`the client has ${name} but methods.${name} is unsupported`);
  }
  return problems;
}
