/**
 * Connections: each broker connection with its status (a badge for whatever
 * status the Worker reports, with the reason and when), test, rename,
 * re-enter credentials, disconnect (confirming that open positions stay
 * open at the broker), and "Add connection" generated from the broker's
 * schemas, or a "Connect with <broker>" button for a broker that signs in
 * with OAuth.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { ApiError, api, call, errorText } from "../api";
import { BrokerFields, brokerFieldNames, brokerSchema, checkBrokerForm, readBrokerForm } from "../components/broker-form";
import { Badge, ConfirmButton, Empty, Field, LoadState, Notice, PageHeader, controlProps } from "../components/ui";
import { when } from "../format";
import { usePoll } from "../hooks";
import { type FormErrors, NO_ERRORS, formErrors, scrubPaths } from "../messages";
import type { Broker, Connection } from "../types";

type Result = { tone: "good" | "bad" | "info"; text: string } | null;

/** `POST /api/connections/:id/test` as one sentence. */
async function testConnection(id: string, brokerName: string): Promise<Result> {
  try {
    const r = await call(api.api.connections[":id"].test.$post({ param: { id } }));
    if (!r.ok) return { tone: "bad", text: r.message };
    const n = r.accounts.length;
    return { tone: "good", text: `${brokerName} accepted the connection and reports ${n} account${n === 1 ? "" : "s"}${n ? `: ${r.accounts.map((a) => a.name).join(", ")}` : ""}.` };
  } catch (e) {
    return { tone: "bad", text: errorText(e) };
  }
}

/**
 * Starts a broker's OAuth sign-in (GET /api/connections/oauth/:broker/start → {url})
 * and leaves for the broker's page; `connectionId` reconnects an existing connection.
 */
async function startOAuth(broker: Broker, connectionId?: string): Promise<void> {
  const { url } = await call(api.api.connections.oauth[":broker"].start.$get({ param: { broker: broker.id }, query: connectionId ? { connectionId } : {} }));
  location.assign(url);
}

/** What a disconnect left, in words. */
function disconnectSentence(r: { openPositions: { ticker: string; quantity: number }[] | null; positionsMessage: string | null; pausedSubscriptions: string[] }, brokerName: string): string {
  const paused = r.pausedSubscriptions.length;
  const positions =
    r.openPositions === null
      ? (r.positionsMessage ?? `${brokerName} could not be asked for open positions; check them there.`)
      : r.openPositions.length === 0
        ? "No positions are open at the broker."
        : `Still open at ${brokerName}: ${r.openPositions.map((p) => `${p.ticker} ${p.quantity}`).join(", ")}. Manage them there.`;
  return `Disconnected. ${paused} subscription${paused === 1 ? "" : "s"} paused until you reconnect and resume. ${positions}`;
}

function AddConnection({ brokers, onCreated }: { brokers: Broker[]; onCreated: () => Promise<void> }) {
  const [brokerId, setBrokerId] = useState(brokers[0]?.id ?? "");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const broker = brokers.find((b) => b.id === brokerId) ?? brokers[0];
  if (!broker) return null;
  const schema = brokerSchema(broker);
  const names = { ...brokerFieldNames(broker, schema), name: { label: "Name", enter: "a name for the connection" } };
  const oauth = broker.auth.scheme === "oauth2";

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = (form.elements.namedItem("name") as HTMLInputElement).value.trim();
    const fields = checkBrokerForm(form, schema, names, true);
    if (!name) fields.name = "Enter a name for the connection.";
    setResult(null);
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    setErrors(NO_ERRORS);
    setBusy(true);
    setResult({ tone: "info", text: `Checking with ${broker.displayName}…` });
    const { settings, credentials } = readBrokerForm(form, schema);
    call(api.api.connections.$post({ json: { broker: broker.id, name, settings, ...(credentials && { credentials }) } }))
      .then(async (created) => {
        const test = await testConnection(created.id, broker.displayName);
        setResult(test?.tone === "bad" ? test : { tone: "good", text: `Connected “${created.name}”. ${test?.text ?? ""}` });
        // A fresh, empty form: keys are not kept in the page longer than needed.
        setRound(round + 1);
        await onCreated();
      })
      .catch((e: unknown) => {
        // The broker's verdict on the keys (no field) is the form's result; a field error goes next to its field.
        if (e instanceof ApiError && !e.field) setResult({ tone: "bad", text: scrubPaths(e.message, names) });
        else {
          setResult(null);
          setErrors(formErrors(e, names, (f) => (names[f as keyof typeof names] ? f : null)));
        }
      })
      .finally(() => setBusy(false));
  };

  return (
    <form key={`${broker.id}-${round}`} class="card form-grid connection-form" noValidate aria-labelledby="add-connection" onSubmit={submit} aria-busy={busy ? "true" : "false"}>
      <h2 id="add-connection">Add connection</h2>
      <Field name="broker" label="Broker">
        <select {...controlProps("broker", undefined)} value={broker.id} onChange={(e: Event) => (setBrokerId((e.target as HTMLSelectElement).value), setErrors(NO_ERRORS), setResult(null))}>
          {brokers.map((b) => (
            <option value={b.id}>{b.displayName}</option>
          ))}
        </select>
      </Field>
      {oauth ? (
        <div class="oauth">
          <p class="help">{broker.displayName} signs you in on its own site; Tradeloop never sees your password.</p>
          <button type="button" onClick={() => void startOAuth(broker).catch((e: unknown) => setResult({ tone: "bad", text: errorText(e) }))}>
            Connect with {broker.displayName}
          </button>
        </div>
      ) : (
        <>
          <Field name="name" label="Name" help="How this connection appears in Tradeloop." error={errors.fields.name}>
            <input {...controlProps("name", errors.fields.name, true)} value={broker.id === "paper" ? "Paper account" : `${broker.displayName} account`} autocomplete="off" aria-required="true" />
          </Field>
          <BrokerFields schema={schema} errors={errors.fields} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              Connect
            </button>
          </div>
        </>
      )}
      {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
      {result ? <Notice tone={result.tone}>{result.text}</Notice> : null}
    </form>
  );
}

function Rename({ c, onDone }: { c: Connection; onDone: () => Promise<void> }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const id = `rename-${c.id.slice(0, 8)}`;
  return (
    <form
      class="inline-form"
      noValidate
      onSubmit={(e: Event) => {
        e.preventDefault();
        const name = ((e.currentTarget as HTMLFormElement).elements.namedItem(id) as HTMLInputElement).value.trim();
        if (!name) return setError("Enter a name for the connection.");
        call(api.api.connections[":id"].$patch({ param: { id: c.id }, json: { name } }))
          .then(onDone)
          .catch((err: unknown) => setError(errorText(err)));
      }}
    >
      <Field name={id} label="New name" error={error}>
        <input {...controlProps(id, error)} value={c.name} autocomplete="off" />
      </Field>
      <button type="submit" class="secondary">
        Rename
      </button>
    </form>
  );
}

function Rekey({ c, broker, onDone }: { c: Connection; broker: Broker; onDone: (r: Result) => Promise<void> }) {
  const schema = brokerSchema(broker);
  const names = brokerFieldNames(broker, schema);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="rekey"
      noValidate
      aria-label={`New credentials for ${c.name}`}
      onSubmit={(e: Event) => {
        e.preventDefault();
        const form = e.currentTarget as HTMLFormElement;
        const fields = checkBrokerForm(form, schema, names, true);
        if (Object.keys(fields).length) return setErrors({ fields, form: null });
        setBusy(true);
        const { credentials } = readBrokerForm(form, schema);
        call(api.api.connections[":id"].$patch({ param: { id: c.id }, json: { credentials: credentials ?? {} } }))
          .then(async () => onDone(await testConnection(c.id, broker.displayName)))
          .catch((err: unknown) => setErrors(formErrors(err, names, (f) => (names[f] ? f : null))))
          .finally(() => setBusy(false));
      }}
    >
      <BrokerFields schema={schema} errors={errors.fields} only="credentials" />
      {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
      <button type="submit" disabled={busy}>
        Save and test
      </button>
    </form>
  );
}

function ConnectionCard({ c, broker, reload }: { c: Connection; broker: Broker | undefined; reload: () => Promise<void> }) {
  const [result, setResult] = useState<Result>(null);
  const [panel, setPanel] = useState<"none" | "rename" | "rekey">("none");
  const [testing, setTesting] = useState(false);
  const brokerName = broker?.displayName ?? c.broker;
  const status: string = c.status;
  const canRekey = broker?.auth.scheme === "apiKey";
  return (
    <article class="card" data-connection-id={c.id}>
      <header class="card-head">
        <h2>{c.name}</h2>
        <Badge status={status} />
      </header>
      {c.statusMessage ? (
        <p class="status-reason">
          {c.statusMessage} <span class="muted small">({when(c.updatedAt)})</span>
        </p>
      ) : null}
      <dl class="facts">
        <dt>Broker</dt>
        <dd>{brokerName}</dd>
        <dt>Accounts</dt>
        <dd>{c.accounts.map((a) => `${a.name} (${a.mode})`).join(", ") || "None"}</dd>
        {c.credentialsHint ? (
          <>
            <dt>Key</dt>
            <dd>
              <code>{c.credentialsHint}</code>
            </dd>
          </>
        ) : null}
        <dt>Connected</dt>
        <dd>{when(c.createdAt)}</dd>
      </dl>
      <div class="actions">
        <button
          type="button"
          class="secondary small"
          disabled={testing}
          onClick={() => {
            setTesting(true);
            setResult({ tone: "info", text: `Testing with ${brokerName}…` });
            void testConnection(c.id, brokerName)
              .then(async (r) => (setResult(r), await reload()))
              .finally(() => setTesting(false));
          }}
        >
          Test connection
        </button>
        <button type="button" class="secondary small" aria-expanded={panel === "rename" ? "true" : "false"} onClick={() => setPanel(panel === "rename" ? "none" : "rename")}>
          Rename
        </button>
        {canRekey ? (
          <button type="button" class="secondary small" aria-expanded={panel === "rekey" ? "true" : "false"} onClick={() => setPanel(panel === "rekey" ? "none" : "rekey")}>
            Re-enter credentials
          </button>
        ) : null}
        {broker?.auth.scheme === "oauth2" ? (
          <button type="button" class="secondary small" onClick={() => void startOAuth(broker, c.id).catch((e: unknown) => setResult({ tone: "bad", text: errorText(e) }))}>
            Reconnect with {brokerName}
          </button>
        ) : null}
        {status === "connected" || status === "expiring" ? (
          <button
            type="button"
            class="secondary small"
            onClick={() =>
              void call(api.api.connections[":id"]["resume-subscriptions"].$post({ param: { id: c.id } }))
                .then((r) => setResult({ tone: "good", text: r.resumed.length ? `${r.resumed.length} paused subscription${r.resumed.length === 1 ? "" : "s"} trade again.` : "No subscription was paused." }))
                .catch((e: unknown) => setResult({ tone: "bad", text: errorText(e) }))
            }
          >
            Resume subscriptions
          </button>
        ) : null}
        {status === "disconnected" ? null : (
          <ConfirmButton
            label="Disconnect"
            danger
            title={`Disconnect “${c.name}”?`}
            body={
              <>
                <p>
                  <strong>Open positions at the broker stay open</strong>, and so do its working orders: close them at {brokerName} if you want them gone.
                </p>
                <p>Tradeloop revokes and forgets the credentials and pauses the subscriptions that trade this connection until you reconnect. The signal log is kept.</p>
              </>
            }
            confirmLabel="Disconnect"
            onConfirm={async () => {
              const r = await call(api.api.connections[":id"].disconnect.$post({ param: { id: c.id } }));
              setResult({ tone: "info", text: disconnectSentence(r, brokerName) });
              await reload();
            }}
          />
        )}
        <ConfirmButton
          label="Delete"
          danger
          title={`Delete “${c.name}” from Tradeloop?`}
          body={<p>The connection, its accounts and the subscriptions that trade them are deleted. Open positions at the broker stay open. The signal log is kept.</p>}
          confirmLabel="Delete connection"
          onConfirm={async () => {
            await call(api.api.connections[":id"].$delete({ param: { id: c.id } }));
            await reload();
          }}
        />
      </div>
      {panel === "rename" ? <Rename c={c} onDone={async () => (setPanel("none"), await reload())} /> : null}
      {panel === "rekey" && broker ? (
        <Rekey
          c={c}
          broker={broker}
          onDone={async (r) => {
            setPanel("none");
            setResult(r);
            await reload();
          }}
        />
      ) : null}
      {result ? <Notice tone={result.tone}>{result.text}</Notice> : null}
      <p class="muted small">
        Balance and positions: <a href="#/positions">Positions</a>.
      </p>
    </article>
  );
}

/** The Connections screen. */
export function ConnectionsView() {
  const data = usePoll(async () => {
    const [brokers, connections] = await Promise.all([call(api.api.brokers.$get()), call(api.api.connections.$get())]);
    return { brokers, connections };
  }, 30_000);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader title="Connections" intro="Broker accounts Tradeloop can trade. Credentials are stored encrypted and never shown again.">
        <button type="button" aria-expanded={adding ? "true" : "false"} disabled={!data.data} onClick={() => setAdding(!adding)}>
          Add connection
        </button>
      </PageHeader>
      <LoadState loaded={data} what="connections">
        {(d) => (
          <>
            {adding ? <AddConnection brokers={d.brokers} onCreated={data.reload} /> : null}
            {d.connections.length === 0 ? (
              <Empty title="No connections yet">Add one to trade: the built-in paper broker needs no keys.</Empty>
            ) : (
              <div class="cards">
                {d.connections.map((c) => (
                  <ConnectionCard key={c.id} c={c} broker={d.brokers.find((b) => b.id === c.broker)} reload={data.reload} />
                ))}
              </div>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}
