/**
 * Notification channels (Settings): where Tradeloop tells you about fills,
 * refusals (risk blocks included), failures, approvals, expiring
 * connections and drift. Add a channel by kind, send it a test, see every
 * delivery attempt, choose its events, delete it. A webhook channel's
 * signing secret is shown once, right after it is created.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call, errorText } from "../api";
import { Badge, ConfirmButton, CopyButton, Empty, Field, LoadState, Notice, controlProps } from "../components/ui";
import { when } from "../format";
import { usePoll } from "../hooks";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors } from "../messages";

type ChannelList = Awaited<ReturnType<typeof loadChannels>>;
type Channel = ChannelList[number];
type Kind = Channel["kind"];
type Delivery = Awaited<ReturnType<typeof loadDeliveries>>[number];
type EventFilter = Parameters<typeof api.api.channels.$post>[0]["json"]["events"];

const KINDS: Record<Kind, string> = { webhook: "Your webhook (signed)", discord: "Discord", slack: "Slack", telegram: "Telegram", email: "Email (Resend)" };

const EVENTS: Record<string, string> = {
  "trade-filled": "Trade filled",
  "trade-rejected": "Trade refused (risk blocks included)",
  "trade-failed": "Trade failed",
  "approval-pending": "Waiting for approval",
  "connection-expiring": "Connection expiring",
  "connection-expired": "Connection expired",
  "drift-detected": "Broker out of step (drift)",
};

/** The settings each kind asks for. */
const KIND_FIELDS: Record<Kind, { key: string; label: string; help?: string; type?: string }[]> = {
  webhook: [{ key: "url", label: "URL", help: "HTTPS. Each request is signed; the secret is shown once after you add the channel.", type: "url" }],
  discord: [{ key: "url", label: "Discord webhook URL", help: "In Discord: channel settings, Integrations, Webhooks, Copy Webhook URL.", type: "url" }],
  slack: [{ key: "url", label: "Slack incoming-webhook URL", help: "Add the Incoming Webhooks app to the channel and copy its URL.", type: "url" }],
  telegram: [
    { key: "botToken", label: "Bot token", help: "From @BotFather." },
    { key: "chatId", label: "Chat id", help: "A numeric chat id, or @channelname for a public channel the bot can post in." },
  ],
  email: [
    { key: "apiKey", label: "Resend API key", help: "A key with sending access (re_...)." },
    { key: "from", label: "From", help: "An address on a domain you verified in Resend." },
    { key: "to", label: "To", help: "One address, or several separated by commas (up to 10).", type: "email" },
  ],
};

async function loadChannels() {
  return call(api.api.channels.$get());
}

async function loadDeliveries(id: string) {
  return call(api.api.channels[":id"].deliveries.$get({ param: { id }, query: {} }));
}

function names(kind: Kind): FieldNames {
  return {
    name: { label: "Name", enter: "a name for the channel" },
    ...Object.fromEntries(KIND_FIELDS[kind].map((f) => [`settings.${f.key}`, { label: f.label }])),
  };
}

function AddChannel({ onCreated }: { onCreated: () => Promise<void> }) {
  const [kind, setKind] = useState<Kind>("webhook");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const fieldNames = names(kind);

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const value = (key: string) => ((form.elements.namedItem(key) as HTMLInputElement | null)?.value ?? "").trim();
    const fields: Record<string, string> = {};
    const name = value("name");
    if (!name) fields.name = "Enter a name for the channel.";
    const settings: Record<string, unknown> = {};
    for (const f of KIND_FIELDS[kind]) {
      const v = value(`settings.${f.key}`);
      if (!v) fields[`settings.${f.key}`] = `Enter the ${f.label.charAt(0).toLowerCase()}${f.label.slice(1)}.`;
      else settings[f.key] = f.key === "to" ? v.split(/[\s,]+/).filter(Boolean) : v;
    }
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    const picked = [...form.querySelectorAll<HTMLInputElement>("input[name=events]:checked")].map((i) => i.value);
    const failuresOnly = (form.elements.namedItem("failuresOnly") as HTMLInputElement).checked;
    setErrors(NO_ERRORS);
    setBusy(true);
    // The checkboxes carry exactly the API's event names (EVENTS' keys).
    const events = (picked.length === 0 || picked.length === Object.keys(EVENTS).length ? null : picked) as EventFilter;
    call(api.api.channels.$post({ json: { kind, name, settings, events, failuresOnly } }))
      .then(async (created) => {
        setSecret("secret" in created && created.secret ? created.secret : null);
        setRound(round + 1);
        await onCreated();
      })
      .catch((e: unknown) => setErrors(formErrors(e, fieldNames, (f) => (fieldNames[f] ? f : null))))
      .finally(() => setBusy(false));
  };

  return (
    <form key={`${kind}-${round}`} class="card form-grid channel-form" noValidate aria-labelledby="add-channel" onSubmit={submit} aria-busy={busy ? "true" : "false"}>
      <h3 id="add-channel">Add a channel</h3>
      {secret ? (
        <Notice tone="good">
          <span>
            Channel added. Its signing secret, shown only now: <code data-secret>{secret}</code>
          </span>
          <CopyButton text={secret} label="Copy secret" />
        </Notice>
      ) : null}
      {errors.form ? (
        <p class="notice bad" role="alert">
          {errors.form}
        </p>
      ) : null}
      <Field name="kind" label="Send to">
        <select {...controlProps("kind", undefined)} value={kind} onChange={(e: Event) => (setKind((e.target as HTMLSelectElement).value as Kind), setErrors(NO_ERRORS), setSecret(null))}>
          {Object.entries(KINDS).map(([k, l]) => (
            <option value={k}>{l}</option>
          ))}
        </select>
      </Field>
      <Field name="name" label="Name" error={errors.fields.name}>
        <input {...controlProps("name", errors.fields.name)} name="name" autocomplete="off" placeholder="Trading alerts" />
      </Field>
      {KIND_FIELDS[kind].map((f) => {
        const key = `settings.${f.key}`;
        const e = errors.fields[key];
        return (
          <Field name={key} label={f.label} help={f.help} error={e}>
            <input {...controlProps(key, e, Boolean(f.help))} name={key} autocomplete="off" type={f.type === "url" ? "url" : "text"} />
          </Field>
        );
      })}
      <fieldset class="events">
        <legend>Events (none ticked = all)</legend>
        {Object.entries(EVENTS).map(([v, l]) => (
          <label class="check">
            <input type="checkbox" name="events" value={v} />
            {l}
          </label>
        ))}
      </fieldset>
      <label class="check">
        <input type="checkbox" name="failuresOnly" />
        Failures only (refused and failed trades, expiring connections, drift)
      </label>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add channel"}
        </button>
      </div>
    </form>
  );
}

function Deliveries({ id }: { id: string }) {
  const loaded = usePoll(() => loadDeliveries(id), 15_000, [id]);
  return (
    <LoadState loaded={loaded} what="deliveries">
      {(list: Delivery[]) =>
        list.length === 0 ? (
          <p class="muted small">No deliveries yet.</p>
        ) : (
          <ol class="deliveries">
            {list.map((d) => (
              <li key={d.id} data-delivery={d.status}>
                <Badge status={d.status === "delivered" ? "filled" : d.status === "pending" ? "pending" : "failed"} label={d.status} /> {EVENTS[d.eventType] ?? (d.eventType === "test" ? "Test" : d.eventType)} · {when(d.createdAt)}
                <ul>
                  {d.attempts.map((a) => (
                    <li key={String(a.n)}>
                      Attempt {a.n}: {a.detail}
                    </li>
                  ))}
                  {d.nextAttemptAt ? <li class="muted">Next attempt {when(d.nextAttemptAt)}.</li> : null}
                </ul>
              </li>
            ))}
          </ol>
        )
      }
    </LoadState>
  );
}

function ChannelCard({ channel, reload }: { channel: Channel; reload: () => Promise<void> }) {
  const [result, setResult] = useState<{ tone: "good" | "bad"; text: string } | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const test = (): void => {
    setBusy(true);
    call(api.api.channels[":id"].test.$post({ param: { id: channel.id } }))
      .then((r) => setResult(r.delivered ? { tone: "good", text: "Test delivered." } : { tone: "bad", text: r.delivery.attempts.at(-1)?.detail ?? "Not delivered." }))
      .catch((e: unknown) => setResult({ tone: "bad", text: errorText(e) }))
      .finally(() => void reload().finally(() => setBusy(false)));
  };
  const where = Object.values(channel.settings)
    .filter((v) => typeof v === "string" || Array.isArray(v))
    .map((v) => (Array.isArray(v) ? v.join(", ") : String(v)))
    .join(" · ");
  return (
    <article class="card channel" data-channel={channel.kind} aria-labelledby={`ch-${channel.id}`}>
      <header class="card-head">
        <h3 id={`ch-${channel.id}`}>{channel.name}</h3>
        <Badge status={!channel.enabled ? "disabled" : channel.lastError ? "error" : "active"} label={!channel.enabled ? "off" : channel.lastError ? "failing" : KINDS[channel.kind]} />
      </header>
      <p class="muted small">{where}</p>
      <p class="small">
        {channel.events ? channel.events.map((e) => EVENTS[e] ?? e).join(", ") : "Every event"}
        {channel.failuresOnly ? " · failures only" : ""}
      </p>
      {channel.lastError ? <Notice tone="bad">{channel.lastError}</Notice> : null}
      {result ? <Notice tone={result.tone}>{result.text}</Notice> : null}
      <div class="actions">
        <button type="button" class="secondary small" disabled={busy} onClick={test}>
          {busy ? "Sending…" : "Send a test"}
        </button>
        <button type="button" class="secondary small" aria-expanded={open ? "true" : "false"} onClick={() => setOpen(!open)}>
          {open ? "Hide deliveries" : "Deliveries"}
        </button>
        <button
          type="button"
          class="secondary small"
          onClick={() => void call(api.api.channels[":id"].$patch({ param: { id: channel.id }, json: { enabled: !channel.enabled } })).then(reload)}
        >
          {channel.enabled ? "Turn off" : "Turn on"}
        </button>
        <ConfirmButton
          label="Delete"
          title={`Delete “${channel.name}”?`}
          body="Tradeloop stops sending to it; deliveries still pending are dropped."
          confirmLabel="Delete channel"
          danger
          onConfirm={async () => {
            await call(api.api.channels[":id"].$delete({ param: { id: channel.id } }));
            await reload();
          }}
        />
      </div>
      {open ? <Deliveries id={channel.id} /> : null}
    </article>
  );
}

/** The Notifications section of Settings. */
export function ChannelsSection() {
  const loaded = usePoll(loadChannels, 30_000);
  return (
    <section class="card" aria-labelledby="s-notifications">
      <h2 id="s-notifications">Notifications</h2>
      <p class="muted">Where Tradeloop tells you about fills, refused and failed trades, approvals, expiring connections and drift. Delivery never slows a trade; failed deliveries are retried for about ten hours.</p>
      <LoadState loaded={loaded} what="channels">
        {(list: ChannelList) => (
          <>
            {list.length === 0 ? <Empty title="No channels yet">Add one below, then send it a test.</Empty> : list.map((c) => <ChannelCard key={c.id} channel={c} reload={loaded.reload} />)}
            <AddChannel onCreated={loaded.reload} />
          </>
        )}
      </LoadState>
    </section>
  );
}
