/**
 * Generates the broker-specific part of the "Add connection" form from the
 * broker's JSON Schemas: credentials (labels from `title`, help from
 * `description`, a link from `x-link`, masked when secret) and settings
 * (environment, then the rest; optional overrides fold into "Advanced").
 * Nothing here knows any broker by name.
 *
 * @module
 */
import { h } from "./dom";
import { humanize } from "./format";
import { field } from "./forms";
import { readObjectSchema, type SchemaField } from "./json-schema";
import type { Broker } from "./types";

/** A generated control and how to read it back as JSON. */
interface Control {
  element: HTMLElement;
  /** `undefined` = leave the key out, so the broker's default applies. */
  read(): unknown;
}

/** What the generated section contributes to the create request. */
export interface BrokerFields {
  element: HTMLElement;
  read(): { settings: Record<string, unknown>; credentials?: Record<string, unknown> };
}

const ENVIRONMENT = "environment";
const BASE_URL = "baseUrl";

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** "Create it at app.alpaca.markets ↗": where the user gets the key. */
function keyLink(url: string): HTMLElement {
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "key-link" }, `Create or find it at ${hostOf(url)}`, h("span", { "aria-hidden": "true" }, " ↗"));
}

function help(f: SchemaField, sharedLink: string | undefined): Node | undefined {
  const link = f.link && f.link !== sharedLink ? f.link : undefined;
  if (!f.description && !link) return undefined;
  const frag = document.createDocumentFragment();
  if (f.description) frag.append(f.description);
  if (link) frag.append(f.description ? " " : "", keyLink(link));
  return frag;
}

function select(name: string, options: { value: string; label: string }[], selected: string | undefined): HTMLSelectElement {
  const el = h("select", { name });
  for (const o of options) el.append(h("option", { value: o.value, selected: o.value === selected }, o.label));
  return el;
}

/** One control for one schema field; `prefix` is the request key (`credentials`, `settings`). */
function control(prefix: string, f: SchemaField, sharedLink?: string): Control {
  const name = `${prefix}.${f.name}`;
  const label = f.title ?? humanize(f.name);
  const fallback = f.defaultValue;
  if (f.options) {
    const options = [...(f.required || fallback !== undefined ? [] : [{ value: "", label: "(broker default)" }]), ...f.options.map((o) => ({ value: o, label: o }))];
    const el = select(name, options, typeof fallback === "string" ? fallback : undefined);
    return { element: field(label, el, help(f, sharedLink)), read: () => el.value || undefined };
  }
  if (f.type === "boolean") {
    const el = h("input", { type: "checkbox", name, checked: fallback === true });
    return { element: field(label, el, help(f, sharedLink)), read: () => el.checked };
  }
  const isNumber = f.type === "number" || f.type === "integer";
  const el = h("input", {
    name,
    type: isNumber ? "number" : f.secret ? "password" : "text",
    // Secrets must not be offered back by the browser's autofill, nor be spell-checked.
    autocomplete: f.secret ? "new-password" : "off",
    spellcheck: "false",
    required: f.required,
    "aria-required": f.required ? "true" : null,
    placeholder: f.placeholder ?? null,
    step: isNumber ? (f.type === "integer" ? "1" : "any") : null,
    min: isNumber ? (f.minimum ?? null) : null,
    max: isNumber ? (f.maximum ?? null) : null,
  });
  if (fallback !== undefined && (typeof fallback === "string" || typeof fallback === "number")) el.value = String(fallback);
  const read = (): unknown => {
    const raw = f.secret ? el.value : el.value.trim();
    if (raw === "") return undefined;
    // A non-numeric entry goes through as text, so the API names the field in its answer.
    return isNumber && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  };
  return { element: field(label, el, help(f, sharedLink)), read };
}

function environmentControl(broker: Broker, declared: SchemaField | undefined): Control | null {
  const envs = Object.entries(broker.environments).filter((e): e is [string, string] => typeof e[1] === "string");
  // No choice to make (the built-in paper broker), unless the broker's schema asks for it.
  if (envs.length < 2 && !declared) return null;
  const options = envs.map(([env]) => ({ value: env, label: env === "live" ? "Live (real money)" : "Paper" }));
  const preferred = typeof declared?.defaultValue === "string" ? declared.defaultValue : "paper";
  const el = select(`settings.${ENVIRONMENT}`, options, envs.some(([env]) => env === preferred) ? preferred : envs[0]?.[0]);
  const hosts = envs.map(([env, url]) => `${env}: ${hostOf(url)}`).join(", ");
  const description = declared?.description ?? `${hosts}. Paper and live usually need separate keys: use the key made for this environment.`;
  return { element: field(declared?.title ?? "Environment", el, description), read: () => el.value || undefined };
}

/** The core accepts `settings.baseUrl` for every broker that leaves Tradeloop (see POST /api/connections). */
const BASE_URL_FIELD: SchemaField = {
  name: BASE_URL,
  type: "string",
  required: false,
  secret: false,
  title: "Base URL override",
  description: "Only for a corporate proxy, a regional host or a local fake broker: https, or http to this machine in development. Leave empty to use the broker's own host.",
  placeholder: "https://",
};

/** Builds the credentials and settings controls of `broker`. */
export function brokerFields(broker: Broker): BrokerFields {
  const auth: { scheme: string; credentialsSchema: Record<string, unknown>; secretFields?: string[] } = broker.auth;
  const credentials = readObjectSchema(auth.credentialsSchema, auth.secretFields ?? []);
  const settings = readObjectSchema(broker.settingsSchema);
  const needsCredentials = auth.scheme !== "none";

  const credentialControls = needsCredentials ? credentials.fields.map((f) => control("credentials", f, credentials.link)) : [];
  const environment = environmentControl(broker, settings.fields.find((f) => f.name === ENVIRONMENT));
  const rest = settings.fields.filter((f) => f.name !== ENVIRONMENT && f.type !== "other");
  if (needsCredentials && !rest.some((f) => f.name === BASE_URL)) rest.push(BASE_URL_FIELD);
  // Optional keys without a default are overrides most users never touch.
  const isAdvanced = (f: SchemaField): boolean => !f.required && f.defaultValue === undefined;
  const basic = rest.filter((f) => !isAdvanced(f)).map((f) => ({ name: f.name, c: control("settings", f) }));
  const advanced = rest.filter(isAdvanced).map((f) => ({ name: f.name, c: control("settings", f) }));

  const element = h(
    "div",
    { class: "broker-fields" },
    credentialControls.length > 0 &&
      h(
        "fieldset",
        { class: "credentials" },
        h("legend", {}, credentials.title ?? "Credentials"),
        credentials.description && h("p", { class: "help" }, credentials.description),
        credentials.link && h("p", { class: "help" }, keyLink(credentials.link)),
        credentialControls.map((c) => c.element),
        h("p", { class: "help" }, "Stored encrypted; Tradeloop never shows them again, only a masked hint."),
      ),
    (environment || basic.length > 0) && h("fieldset", {}, h("legend", {}, "Settings"), environment?.element, basic.map((b) => b.c.element)),
    advanced.length > 0 && h("details", { class: "advanced" }, h("summary", {}, "Advanced settings"), advanced.map((a) => a.c.element)),
  );

  const read = (): ReturnType<BrokerFields["read"]> => {
    const out: Record<string, unknown> = {};
    const env = environment?.read();
    if (env !== undefined) out[ENVIRONMENT] = env;
    for (const { name, c } of [...basic, ...advanced]) {
      const v = c.read();
      if (v !== undefined) out[name] = v;
    }
    if (!needsCredentials) return { settings: out };
    const creds: Record<string, unknown> = {};
    credentials.fields.forEach((f, i) => {
      const v = credentialControls[i]?.read();
      if (v !== undefined) creds[f.name] = v;
    });
    return { settings: out, credentials: creds };
  };
  return { element, read };
}
