/**
 * Renders docs/brokers.md from the installed plugins' descriptions (the same
 * JSON `GET /api/brokers` serves). Pure: `scripts/gen-broker-docs.ts` writes
 * the file, and `broker-docs.test.ts` fails when the file is stale.
 *
 * @module
 */
import { plugins } from "../index";
import { describePlugin, type PluginDescription } from "../sdk/describe";

/** The command that regenerates the file. */
export const REGENERATE = "node --disable-warning=ExperimentalWarning scripts/gen-broker-docs.ts";

const cell = (v: unknown): string => String(v).replaceAll("|", "\\|").replaceAll("\n", " ");
const yes = (b: boolean): string => (b ? "yes" : "no");

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

interface FeaturesJson {
  orderTypes: string[];
  timeInForce: string[];
  extendedHours: boolean;
  brackets: { oto: string; oco: string; otoco: string };
  trailingStop: string;
  fractional: boolean;
  notional: boolean;
  shorting: boolean;
  clientOrderId: { maxLength: number; pattern: string; uniqueness?: string };
  modify: string;
}

interface CapabilitiesJson {
  methods: Record<string, string>;
  orders: Record<string, FeaturesJson>;
  concurrentSubmission?: boolean;
}

interface FieldJson {
  title?: string;
  description?: string;
  "x-link"?: string;
  "x-secret"?: boolean;
}

function overview(brokers: PluginDescription[]): string {
  return table(
    ["Broker", "id", "Version", "Level", "Asset classes", "Environments", "Auth", "Quotes", "Rate limit", "Maintenance"],
    brokers.map((b) => [
      b.displayName,
      `\`${b.id}\``,
      b.version,
      b.certification,
      b.assetClasses.join(", "),
      Object.keys(b.environments).join(", "),
      b.auth.oauth && b.auth.scheme !== "oauth2" ? `${b.auth.scheme} or OAuth` : b.auth.scheme === "oauth2" ? "OAuth" : b.auth.scheme,
      yes(b.providesQuotes),
      b.rateLimit ? `${b.rateLimit.requests} / ${b.rateLimit.perMs / 1000} s` : "—",
      b.maintenanceWindows.length === 0 ? "—" : b.maintenanceWindows.map((w) => `${w.start}-${w.end} ${w.timezone}${w.reason ? ` (${w.reason})` : ""}`).join("; "),
    ]),
  );
}

function methods(brokers: PluginDescription[]): string {
  const names = ["getQuote", "modifyOrder", "observePrice", "getOrder"];
  return table(
    ["Broker", ...names.map((n) => `\`${n}\``)],
    brokers.map((b) => {
      const m = (b.capabilities as unknown as CapabilitiesJson).methods;
      return [b.displayName, ...names.map((n) => m[n] ?? (n === "getOrder" ? "native" : "unsupported"))];
    }),
  );
}

function features(b: PluginDescription): string {
  const orders = (b.capabilities as unknown as CapabilitiesJson).orders;
  return table(
    ["Asset class", "Order types", "Time in force", "Ext. hours", "OTO / OCO / OTOCO", "Trailing stop", "Fractional", "Notional", "Short", "Client order id", "Modify"],
    Object.entries(orders).map(([assetClass, f]) => [
      assetClass,
      f.orderTypes.join(", "),
      f.timeInForce.join(", "),
      yes(f.extendedHours),
      `${f.brackets.oto} / ${f.brackets.oco} / ${f.brackets.otoco}`,
      f.trailingStop,
      yes(f.fractional),
      yes(f.notional),
      yes(f.shorting),
      `≤ ${f.clientOrderId.maxLength}, \`${f.clientOrderId.pattern}\`${f.clientOrderId.uniqueness ? `, unique ${f.clientOrderId.uniqueness}` : ""}`,
      f.modify,
    ]),
  );
}

function oauth(b: PluginDescription): string | null {
  const o = b.auth.oauth;
  if (!o) return null;
  return [
    `Connect with \`GET /api/connections/oauth/${b.id}/start\` (environments: ${o.environments.join(", ")}). Register this Tradeloop's own app at ${o.registrationUrl}, enter the redirect URL \`<your Tradeloop origin>/api/connections/oauth/${b.id}/callback\`, then set the Worker secrets \`${o.secrets.clientId}\` and \`${o.secrets.clientSecret}\`.`,
    "",
    `Scopes: ${o.scopes.length > 0 ? o.scopes.map((x) => `\`${x}\``).join(", ") : "none asked for"}. PKCE: ${o.pkce ? "yes" : "no"}.${o.note ? ` ${o.note}` : ""}`,
  ].join("\n");
}

function credentials(b: PluginDescription): string {
  const props = (b.auth.credentialsSchema.properties ?? {}) as Record<string, FieldJson>;
  const entries = Object.entries(props);
  if (entries.length === 0) return "No credentials.";
  return table(
    ["Field", "Label", "Help", "Where to get it", "Secret"],
    entries.map(([key, f]) => [`\`${key}\``, f.title ?? "", f.description ?? "", f["x-link"] ?? "", yes(b.auth.secretFields.includes(key))]),
  );
}

/** The whole of docs/brokers.md. */
export function renderBrokerDocs(brokers: readonly PluginDescription[]): string {
  const sorted = [...brokers].sort((a, b) => (a.id === "paper" ? -1 : b.id === "paper" ? 1 : a.id.localeCompare(b.id)));
  const parts = [
    "# Brokers",
    "",
    `<!-- Generated from the plugin manifests by \`${REGENERATE}\`. Do not edit by hand: a test fails when this file is stale. -->`,
    "",
    "Every broker Tradeloop can trade through, what each can do, and what a connection needs. The same data is served by `GET /api/brokers`. How to add a broker: [plugins/README.md](../plugins/README.md).",
    "",
    "Levels: **experimental** passes the conformance kit against its fake broker; **community-tested** also ran the checklist on a sandbox account; **certified** was re-checked live by a maintainer who owns it.",
    "",
    "## Overview",
    "",
    overview(sorted),
    "",
    "## Methods",
    "",
    "`native`: the broker does it; `emulated`: the plugin builds it from other calls; `unsupported`: not available (the core works around it or refuses with a messageCode).",
    "",
    methods(sorted),
    "",
  ];
  for (const b of sorted) {
    parts.push(`## ${b.displayName} (\`${b.id}\`)`, "", "### Order features", "", features(b), "", "### Credentials", "", credentials(b), "");
    const connect = oauth(b);
    if (connect) parts.push("### OAuth", "", connect, "");
  }
  return `${parts.join("\n").trimEnd()}\n`;
}

/** docs/brokers.md as the installed plugins generate it now. */
export function currentBrokerDocs(): string {
  return renderBrokerDocs(Object.values(plugins).map(describePlugin));
}
