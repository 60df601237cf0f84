/**
 * The broker part of a connection form, generated from the broker's JSON
 * Schemas (GET /api/brokers): credentials (labels from `title`, help from
 * `description`, a link from `x-link`, masked only when secret) and settings
 * (environment, then the rest; optional overrides folded under "Advanced").
 * Client-side checks use the schema's own limits; nothing here knows a
 * broker by name.
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { humanize } from "../format";
import { readObjectSchema, type SchemaField } from "../json-schema";
import { type FieldNames, limitSentence } from "../messages";
import type { Broker } from "../types";
import { Field, controlProps } from "./ui";

const ENVIRONMENT = "environment";
const BASE_URL = "baseUrl";

/** The core accepts `settings.baseUrl` for every broker that leaves Tradeloop (see POST /api/connections). */
const BASE_URL_FIELD: SchemaField = {
  name: BASE_URL,
  type: "string",
  required: false,
  secret: false,
  title: "Base URL override",
  description: "Only for a corporate proxy, a regional host or a local fake broker. Leave empty to use the broker's own host.",
  placeholder: "https://",
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function KeyLink({ url }: { url: string }) {
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" class="key-link">
      Create or find it at {hostOf(url)}
      <span aria-hidden="true"> ↗</span>
    </a>
  );
}

/** The broker's fields as the form shows them. */
export interface BrokerSchema {
  credentials: SchemaField[];
  credentialsTitle: string;
  credentialsDescription?: string;
  credentialsLink?: string;
  environment: { options: { value: string; label: string }[]; defaultValue: string; help: string } | null;
  basic: SchemaField[];
  advanced: SchemaField[];
  needsCredentials: boolean;
}

/** Reads a broker's schemas into form fields. */
export function brokerSchema(broker: Broker): BrokerSchema {
  const auth: { scheme: string; credentialsSchema: Record<string, unknown>; secretFields?: string[] } = broker.auth;
  const credentials = readObjectSchema(auth.credentialsSchema, auth.secretFields ?? []);
  const settings = readObjectSchema(broker.settingsSchema);
  const needsCredentials = auth.scheme === "apiKey";
  const envs = Object.entries(broker.environments).filter((e): e is [string, string] => typeof e[1] === "string");
  const declared = settings.fields.find((f) => f.name === ENVIRONMENT);
  const preferred = typeof declared?.defaultValue === "string" ? declared.defaultValue : "paper";
  const environment =
    envs.length < 2 && !declared
      ? null
      : {
          options: envs.map(([env]) => ({ value: env, label: env === "live" ? "Live (real money)" : "Paper" })),
          defaultValue: envs.some(([e]) => e === preferred) ? preferred : (envs[0]?.[0] ?? "paper"),
          help: declared?.description ?? `${envs.map(([e, url]) => `${e}: ${hostOf(url)}`).join(", ")}. Paper and live usually need separate keys.`,
        };
  const rest = settings.fields.filter((f) => f.name !== ENVIRONMENT && f.type !== "other");
  if (broker.id !== "paper" && !rest.some((f) => f.name === BASE_URL)) rest.push(BASE_URL_FIELD);
  // Optional keys without a default are overrides most users never touch.
  const isAdvanced = (f: SchemaField): boolean => !f.required && f.defaultValue === undefined;
  return {
    credentials: needsCredentials ? credentials.fields : [],
    credentialsTitle: credentials.title ?? "Credentials",
    ...(credentials.description !== undefined && { credentialsDescription: credentials.description }),
    ...(credentials.link !== undefined && { credentialsLink: credentials.link }),
    environment,
    basic: rest.filter((f) => !isAdvanced(f)),
    advanced: rest.filter(isAdvanced),
    needsCredentials,
  };
}

/** Names for error sentences: `credentials.keyId` → "API key ID", asked for as "your Alpaca API key ID". */
export function brokerFieldNames(broker: Broker, schema: BrokerSchema): FieldNames {
  const names: FieldNames = {};
  for (const f of schema.credentials) {
    const label = f.title ?? humanize(f.name);
    names[`credentials.${f.name}`] = { label, enter: `your ${broker.displayName} ${label}` };
  }
  for (const f of [...schema.basic, ...schema.advanced]) names[`settings.${f.name}`] = { label: f.title ?? humanize(f.name) };
  names[`settings.${ENVIRONMENT}`] = { label: "Environment" };
  return names;
}

/** Checks the entries against the schema: field errors by API path. */
export function checkBrokerForm(form: HTMLFormElement, schema: BrokerSchema, names: FieldNames, withCredentials: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const value = (path: string): string => (form.elements.namedItem(path) as HTMLInputElement | null)?.value ?? "";
  if (withCredentials)
    for (const f of schema.credentials) {
      const path = `credentials.${f.name}`;
      if (f.required && value(path).trim() === "") errors[path] = `Enter ${names[path]?.enter ?? "this value"}.`;
    }
  for (const f of [...schema.basic, ...schema.advanced]) {
    if (f.type !== "number" && f.type !== "integer") continue;
    const path = `settings.${f.name}`;
    const limits = {
      required: f.required,
      integer: f.type === "integer",
      ...(f.minimum !== undefined && { minimum: f.minimum }),
      ...(f.maximum !== undefined && { maximum: f.maximum }),
      ...(f.exclusiveMinimum !== undefined && { exclusiveMinimum: f.exclusiveMinimum }),
      ...(f.exclusiveMaximum !== undefined && { exclusiveMaximum: f.exclusiveMaximum }),
    };
    const problem = limitSentence(value(path), limits, names[path] ?? { label: humanize(f.name) });
    if (problem) errors[path] = problem;
  }
  return errors;
}

/** Reads the generated fields as the API's `settings` and `credentials`. Empty entries are left out (the broker's default applies). */
export function readBrokerForm(form: HTMLFormElement, schema: BrokerSchema): { settings: Record<string, unknown>; credentials?: Record<string, unknown> } {
  const get = (path: string): HTMLInputElement | HTMLSelectElement | null => form.elements.namedItem(path) as HTMLInputElement | HTMLSelectElement | null;
  const settings: Record<string, unknown> = {};
  const env = get(`settings.${ENVIRONMENT}`);
  if (env?.value) settings[ENVIRONMENT] = env.value;
  for (const f of [...schema.basic, ...schema.advanced]) {
    const el = get(`settings.${f.name}`);
    if (!el) continue;
    if (f.type === "boolean") settings[f.name] = (el as HTMLInputElement).checked;
    else if (el.value.trim() !== "") settings[f.name] = f.type === "number" || f.type === "integer" ? Number(el.value) : el.value.trim();
  }
  if (!schema.needsCredentials) return { settings };
  const credentials: Record<string, unknown> = {};
  for (const f of schema.credentials) {
    const el = get(`credentials.${f.name}`);
    const v = f.secret ? (el?.value ?? "") : (el?.value.trim() ?? "");
    if (v !== "") credentials[f.name] = v;
  }
  return { settings, credentials };
}

function Control({ prefix, f, error, sharedLink }: { prefix: string; f: SchemaField; error: string | undefined; sharedLink?: string | undefined }) {
  const path = `${prefix}.${f.name}`;
  const label = f.title ?? humanize(f.name);
  const link = f.link && f.link !== sharedLink ? f.link : undefined;
  const help: Child = f.description || link ? (
    <>
      {f.description}
      {link ? <> <KeyLink url={link} /></> : null}
    </>
  ) : undefined;
  const props = { ...controlProps(path, error, Boolean(help)), name: path };
  if (f.options)
    return (
      <Field name={path} label={label} help={help} error={error}>
        <select {...props}>
          {f.required || f.defaultValue !== undefined ? null : <option value="">(broker default)</option>}
          {f.options.map((o) => (
            <option value={o} selected={o === f.defaultValue}>
              {o}
            </option>
          ))}
        </select>
      </Field>
    );
  if (f.type === "boolean")
    return (
      <Field name={path} label={label} help={help} error={error} check>
        <input {...props} type="checkbox" checked={f.defaultValue === true} />
      </Field>
    );
  const isNumber = f.type === "number" || f.type === "integer";
  return (
    <Field name={path} label={label} help={help} error={error}>
      <input
        {...props}
        type={isNumber ? "number" : f.secret ? "password" : "text"}
        // Secrets must not be offered back by autofill; ids like a key ID stay readable to check them.
        autocomplete={f.secret ? "new-password" : "off"}
        spellcheck={false}
        aria-required={f.required ? "true" : undefined}
        placeholder={f.placeholder ?? ""}
        step={isNumber ? (f.type === "integer" ? "1" : "any") : undefined}
        min={isNumber && f.minimum !== undefined ? String(f.minimum) : undefined}
        max={isNumber && f.maximum !== undefined ? String(f.maximum) : undefined}
        value={typeof f.defaultValue === "string" || typeof f.defaultValue === "number" ? String(f.defaultValue) : ""}
      />
    </Field>
  );
}

/** The generated fieldsets; `only` limits them to credentials (re-entering keys). */
export function BrokerFields({ schema, errors, only }: { schema: BrokerSchema; errors: Record<string, string>; only?: "credentials" }) {
  return (
    <div class="broker-fields">
      {schema.credentials.length > 0 ? (
        <fieldset class="credentials">
          <legend>{schema.credentialsTitle}</legend>
          {schema.credentialsDescription ? <p class="help">{schema.credentialsDescription}</p> : null}
          {schema.credentialsLink ? (
            <p class="help">
              <KeyLink url={schema.credentialsLink} />
            </p>
          ) : null}
          {schema.credentials.map((f) => (
            <Control prefix="credentials" f={f} error={errors[`credentials.${f.name}`]} sharedLink={schema.credentialsLink} />
          ))}
          <p class="help">Stored encrypted; Tradeloop never shows them again, only a masked hint.</p>
        </fieldset>
      ) : null}
      {only ? null : (
        <>
          {schema.environment || schema.basic.length > 0 ? (
            <fieldset>
              <legend>Settings</legend>
              {schema.environment ? (
                <Field name="settings.environment" label="Environment" help={schema.environment.help}>
                  <select {...controlProps("settings.environment", undefined, true)} name="settings.environment">
                    {schema.environment.options.map((o) => (
                      <option value={o.value} selected={o.value === schema.environment?.defaultValue}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </Field>
              ) : null}
              {schema.basic.map((f) => (
                <Control prefix="settings" f={f} error={errors[`settings.${f.name}`]} />
              ))}
            </fieldset>
          ) : null}
          {schema.advanced.length > 0 ? (
            <details class="advanced" open={schema.advanced.some((f) => errors[`settings.${f.name}`])}>
              <summary>Advanced settings</summary>
              {schema.advanced.map((f) => (
                <Control prefix="settings" f={f} error={errors[`settings.${f.name}`]} />
              ))}
            </details>
          ) : null}
        </>
      )}
    </div>
  );
}
