/**
 * Strategies: create one and see its webhook URL once (Tradeloop stores
 * only a hash of the secret), edit (name, tickers, duplicate window, signal
 * age, on/off), rotate the secret, delete, and build alert messages.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call } from "../api";
import { MessageBuilder } from "../components/message-builder";
import { Badge, ConfirmButton, CopyButton, Empty, Field, LoadState, Notice, PageHeader, controlProps } from "../components/ui";
import { humanize, when } from "../format";
import { usePoll } from "../hooks";
import { limitsOf } from "../json-schema";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors, limitSentence } from "../messages";
import { settingsSchemas } from "../schemas";
import type { Strategy } from "../types";

const ASSET_CLASSES = ["stocks", "options", "futures", "crypto", "forex"] as const satisfies readonly Strategy["assetClass"][];

const NAMES: FieldNames = {
  name: { label: "Name", enter: "a name for the strategy" },
  allowedTickers: { label: "Allowed tickers" },
  "settings.duplicateWindowSeconds": { label: "Duplicate window (seconds)" },
  "settings.maxSignalAgeSeconds": { label: "Maximum signal age (seconds)" },
};
const SHOWN = new Set(Object.keys(NAMES));

function tickersOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
}

/** Reads and checks the strategy form; returns the body or the field errors. */
async function readForm(form: HTMLFormElement, creating: boolean): Promise<{ body: Record<string, unknown> } | { errors: Record<string, string> }> {
  const schema = (await settingsSchemas()).strategySettings;
  const value = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "";
  const errors: Record<string, string> = {};
  const name = value("name").trim();
  if (!name) errors.name = "Enter a name for the strategy.";
  const settings: Record<string, unknown> = {};
  for (const key of ["duplicateWindowSeconds", "maxSignalAgeSeconds"] as const) {
    const path = `settings.${key}`;
    const raw = value(path);
    const problem = limitSentence(raw, limitsOf(schema, key), NAMES[path] ?? { label: key });
    if (problem) errors[path] = problem;
    else if (raw.trim() !== "") settings[key] = Number(raw);
    else if (key === "duplicateWindowSeconds") settings[key] = 0;
  }
  if (Object.keys(errors).length) return { errors };
  const tickers = tickersOf(value("allowedTickers"));
  const body: Record<string, unknown> = { name, allowedTickers: tickers.length ? tickers : null, settings };
  if (creating) body.assetClass = value("assetClass");
  else body.enabled = (form.elements.namedItem("enabled") as HTMLInputElement).checked;
  // An edit that clears the signal age removes it: the API merges settings and drops `null` keys.
  if (!creating && settings.maxSignalAgeSeconds === undefined) settings.maxSignalAgeSeconds = null;
  return { body };
}

function StrategyFields({ s, errors, prefix }: { s: Strategy | null; errors: FormErrors; prefix: string }) {
  const id = (n: string): string => `${prefix}${n}`;
  const err = (n: string): string | undefined => errors.fields[n];
  return (
    <>
      <Field name={id("name")} label="Name" error={err("name")}>
        <input {...controlProps(id("name"), err("name"))} name="name" value={s?.name ?? ""} autocomplete="off" placeholder="Trend follower" required aria-required="true" />
      </Field>
      {s ? null : (
        <Field name={id("assetClass")} label="Asset class">
          <select {...controlProps(id("assetClass"), undefined)} name="assetClass">
            {ASSET_CLASSES.map((a) => (
              <option value={a}>{humanize(a)}</option>
            ))}
          </select>
        </Field>
      )}
      <Field name={id("allowedTickers")} label="Allowed tickers" help="Optional, comma-separated. Empty = any ticker." error={err("allowedTickers")}>
        <input {...controlProps(id("allowedTickers"), err("allowedTickers"), true)} name="allowedTickers" value={s?.allowedTickers?.join(", ") ?? ""} autocomplete="off" placeholder="AAPL, MSFT" />
      </Field>
      <Field name={id("settings.duplicateWindowSeconds")} label="Duplicate window (seconds)" help="Ignore an identical alert repeated within this time. 0 = off." error={err("settings.duplicateWindowSeconds")}>
        <input {...controlProps(id("settings.duplicateWindowSeconds"), err("settings.duplicateWindowSeconds"), true)} name="settings.duplicateWindowSeconds" type="number" step="1" min="0" value={String(s?.settings.duplicateWindowSeconds ?? 0)} />
      </Field>
      <Field name={id("settings.maxSignalAgeSeconds")} label="Maximum signal age (seconds)" help="Refuse alerts whose time is older than this. Empty = no limit." error={err("settings.maxSignalAgeSeconds")}>
        <input {...controlProps(id("settings.maxSignalAgeSeconds"), err("settings.maxSignalAgeSeconds"), true)} name="settings.maxSignalAgeSeconds" type="number" step="1" min="1" value={s?.settings.maxSignalAgeSeconds === undefined ? "" : String(s.settings.maxSignalAgeSeconds)} />
      </Field>
      {s ? (
        <Field name={id("enabled")} label="Enabled" help="Off: alerts are refused with strategy-disabled." check>
          <input {...controlProps(id("enabled"), undefined, true)} name="enabled" type="checkbox" checked={s.enabled} />
        </Field>
      ) : null}
    </>
  );
}

function useSubmit(creating: boolean, send: (body: Record<string, unknown>) => Promise<void>) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setBusy(true);
    readForm(form, creating)
      .then(async (r) => {
        if ("errors" in r) return setErrors({ fields: r.errors, form: null });
        await send(r.body);
        setErrors(NO_ERRORS);
        if (creating) form.reset();
      })
      .catch((e: unknown) => setErrors(formErrors(e, NAMES, (f) => (SHOWN.has(f) ? f : null))))
      .finally(() => setBusy(false));
  };
  return { errors, busy, submit };
}

function WebhookPanel({ strategy, url, onDone }: { strategy: Strategy; url: string; onDone: () => void }) {
  return (
    <section class="secret-once" role="alert" aria-label={`Webhook URL of ${strategy.name}`}>
      <h2>Webhook URL for “{strategy.name}”</h2>
      <div class="copy-row">
        <input type="text" readonly class="mono" name="webhookUrl" aria-label={`Webhook URL of ${strategy.name}`} value={url} onFocus={(e: Event) => (e.target as HTMLInputElement).select()} />
        <CopyButton text={url} label="Copy URL" />
      </div>
      <p>
        <strong>Store it now. </strong>This URL contains the secret that lets alerts trade. Tradeloop keeps only a hash of it and cannot show it again; if you lose it, rotate the secret for a new one.
      </p>
      <button type="button" class="secondary" onClick={onDone}>
        I stored it
      </button>
    </section>
  );
}

function Templates({ strategy }: { strategy: Strategy }) {
  const templates = usePoll(() => call(api.api.strategies[":id"].templates.$get({ param: { id: strategy.id } })), 0, [strategy.id]);
  return <LoadState loaded={templates} what="alert messages">{(t) => <MessageBuilder templates={t.templates} idPrefix={`mb-${strategy.id.slice(0, 8)}`} webhookUrlHint={t.webhookUrlHint} />}</LoadState>;
}

function StrategyCard({ s, reload, showUrl }: { s: Strategy; reload: () => Promise<void>; showUrl: (s: Strategy, url: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const edit = useSubmit(false, async (json) => {
    await call(api.api.strategies[":id"].$patch({ param: { id: s.id }, json }));
    // "Saved" once the card shows what was saved.
    await reload();
    setEditing(false);
    setSaved(true);
  });
  return (
    <article class="card" data-strategy-id={s.id}>
      <header class="card-head">
        <h2>{s.name}</h2>
        <Badge status={s.enabled ? "enabled" : "disabled"} />
      </header>
      {editing ? (
        <form class="form-grid" noValidate onSubmit={edit.submit} aria-label={`Edit ${s.name}`} aria-busy={edit.busy ? "true" : "false"}>
          {edit.errors.form ? <Notice tone="bad">{edit.errors.form}</Notice> : null}
          <StrategyFields s={s} errors={edit.errors} prefix={`e-${s.id.slice(0, 8)}-`} />
          <div class="actions">
            <button type="submit" disabled={edit.busy}>
              Save
            </button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <dl class="facts">
          <dt>Asset class</dt>
          <dd>{humanize(s.assetClass)}</dd>
          <dt>Tickers</dt>
          <dd>{s.allowedTickers?.join(", ") ?? "Any"}</dd>
          <dt>Webhook</dt>
          <dd>
            <code class="mono">{s.webhookUrlHint}</code>
          </dd>
          <dt>Duplicates</dt>
          <dd>{s.settings.duplicateWindowSeconds ? `ignored within ${s.settings.duplicateWindowSeconds} s` : "only by alertId"}</dd>
          <dt>Created</dt>
          <dd>{when(s.createdAt)}</dd>
        </dl>
      )}
      {saved && !editing ? <Notice tone="good">Saved.</Notice> : null}
      <div class="actions">
        {editing ? null : (
          <button type="button" class="secondary small" onClick={() => (setSaved(false), setEditing(true))}>
            Edit
          </button>
        )}
        <ConfirmButton
          label="Rotate secret"
          title={`Rotate the webhook secret of “${s.name}”?`}
          body={<p>The current URL stops working at once. Update your alerts with the new one, shown next.</p>}
          confirmLabel="Rotate secret"
          onConfirm={async () => {
            const updated = await call(api.api.strategies[":id"]["rotate-secret"].$post({ param: { id: s.id } }));
            if (updated.webhookUrl) showUrl(updated, updated.webhookUrl);
          }}
        />
        <ConfirmButton
          label="Delete"
          danger
          title={`Delete “${s.name}”?`}
          body={<p>Its subscriptions are deleted with it and its webhook URL stops working. Open positions stay open at the broker; the signal log is kept.</p>}
          confirmLabel="Delete strategy"
          onConfirm={async () => {
            await call(api.api.strategies[":id"].$delete({ param: { id: s.id } }));
            await reload();
          }}
        />
      </div>
      <details class="templates-toggle">
        <summary>Alert messages</summary>
        <Templates strategy={s} />
      </details>
    </article>
  );
}

/** The Strategies screen. */
export function StrategiesView() {
  const list = usePoll(() => call(api.api.strategies.$get()), 0);
  const [secret, setSecret] = useState<{ strategy: Strategy; url: string } | null>(null);
  const showUrl = (strategy: Strategy, url: string): void => {
    setSecret({ strategy, url });
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(".secret-once input")?.focus());
  };
  const create = useSubmit(true, async (body) => {
    const json = body as { name: string; assetClass: Strategy["assetClass"] };
    const created = await call(api.api.strategies.$post({ json }));
    if (created.webhookUrl) showUrl(created, created.webhookUrl);
    await list.reload();
  });
  return (
    <>
      <PageHeader title="Strategies" intro="A strategy is a source of alerts with its own webhook URL. Subscribe broker accounts to it under Subscriptions." />
      {secret ? <WebhookPanel strategy={secret.strategy} url={secret.url} onDone={() => setSecret(null)} /> : null}
      <form class="card form-grid" noValidate aria-labelledby="new-strategy" onSubmit={create.submit} aria-busy={create.busy ? "true" : "false"}>
        <h2 id="new-strategy">New strategy</h2>
        {create.errors.form ? <Notice tone="bad">{create.errors.form}</Notice> : null}
        <StrategyFields s={null} errors={create.errors} prefix="" />
        <div class="actions">
          <button type="submit" disabled={create.busy}>
            Create strategy
          </button>
        </div>
      </form>
      <LoadState loaded={list} what="strategies">
        {(rows) =>
          rows.length === 0 ? (
            <Empty title="No strategies yet">Create one above to get a webhook URL for your alerts.</Empty>
          ) : (
            <div class="cards">
              {rows.map((s) => (
                <StrategyCard key={s.id} s={s} reload={list.reload} showUrl={showUrl} />
              ))}
            </div>
          )
        }
      </LoadState>
    </>
  );
}
