/**
 * Subscriptions: which account follows which strategy and how. The list
 * (pause, resume, delete, edit), the new-subscription form, and the editor
 * (`#/subscriptions/<id>`) with every setting grouped the way traders think.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call } from "../api";
import { Badge, ConfirmButton, DataTable, Empty, Field, LoadState, PageHeader, controlProps } from "../components/ui";
import { humanize, num } from "../format";
import { usePoll } from "../hooks";
import { settingsSchemas } from "../schemas";
import { defaultSettings } from "../settings/model";
import { SettingsForm } from "../settings/settings-form";
import type { Connection, Strategy, Subscription } from "../types";

interface Data {
  strategies: Strategy[];
  connections: Connection[];
  subscriptions: Subscription[];
  schema: unknown;
}

async function loadAll(): Promise<Data> {
  const [strategies, connections, subscriptions, schemas] = await Promise.all([
    call(api.api.strategies.$get()),
    call(api.api.connections.$get()),
    call(api.api.subscriptions.$get({ query: {} })),
    settingsSchemas(),
  ]);
  return { strategies, connections, subscriptions, schema: schemas.subscriptionSettings };
}

function accountName(connections: Connection[], s: Pick<Subscription, "connectionId" | "accountId">): string {
  const c = connections.find((x) => x.id === s.connectionId);
  const a = c?.accounts.find((x) => x.id === s.accountId);
  return c ? `${c.name}${a && c.accounts.length > 1 ? ` · ${a.name}` : ""}` : "Deleted connection";
}

function sizing(s: Subscription["settings"]): string {
  switch (s.sizingMode) {
    case "fixed_quantity":
      return `${num(s.quantity)} per entry`;
    case "dollar_amount":
      return `$${num(s.sizingValue)} per entry`;
    case "percent_of_equity":
      return `${num(s.sizingValue)}% of equity`;
    case "risk_dollar_amount":
      return `$${num(s.sizingValue)} at risk`;
    default:
      return `${num(s.sizingValue)}% at risk`;
  }
}

function Actions({ s, reload, name, onEditor }: { s: Subscription; reload: () => Promise<void>; name: string; onEditor?: boolean }) {
  const [busy, setBusy] = useState(false);
  const toggle = (): void => {
    setBusy(true);
    call(api.api.subscriptions[":id"].$patch({ param: { id: s.id }, json: { enabled: !s.enabled } }))
      .then(reload)
      .finally(() => setBusy(false));
  };
  return (
    <div class="actions" role="group" aria-label={`Actions for ${name}`}>
      {onEditor ? null : (
        <a class="button secondary small" href={`#/subscriptions/${s.id}`}>
          Edit
        </a>
      )}
      <button type="button" class="secondary small" disabled={busy} onClick={toggle}>
        {s.enabled ? "Pause" : "Resume"}
      </button>
      <ConfirmButton
        label="Delete"
        danger
        title={`Delete the subscription ${name}?`}
        body={<p>This account stops following the strategy. Open positions stay open at the broker, and the signal log is kept.</p>}
        confirmLabel="Delete subscription"
        onConfirm={async () => {
          await call(api.api.subscriptions[":id"].$delete({ param: { id: s.id } }));
          await reload();
        }}
      />
    </div>
  );
}

function CreateForm({ data, reload }: { data: Data; reload: () => Promise<void> }) {
  const [strategyId, setStrategyId] = useState(data.strategies[0]?.id ?? "");
  const [connectionId, setConnectionId] = useState(data.connections[0]?.id ?? "");
  const accounts = data.connections.find((c) => c.id === connectionId)?.accounts ?? [];
  const [accountId, setAccountId] = useState("");
  return (
    <section class="card" aria-labelledby="new-subscription">
      <h2 id="new-subscription">New subscription</h2>
      <SettingsForm
        schema={data.schema}
        initial={defaultSettings(data.schema)}
        mode="create"
        idPrefix="new"
        submitLabel="Subscribe"
        before={
          <div class="form-grid">
            <Field name="new-strategy" label="Strategy">
              <select {...controlProps("new-strategy", undefined)} value={strategyId} onChange={(e: Event) => setStrategyId((e.target as HTMLSelectElement).value)}>
                {data.strategies.map((s) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            </Field>
            <Field name="new-connection" label="Connection">
              <select {...controlProps("new-connection", undefined)} value={connectionId} onChange={(e: Event) => (setConnectionId((e.target as HTMLSelectElement).value), setAccountId(""))}>
                {data.connections.map((c) => (
                  <option value={c.id}>{c.name}</option>
                ))}
              </select>
            </Field>
            {accounts.length > 1 ? (
              <Field name="new-account" label="Account">
                <select {...controlProps("new-account", undefined)} value={accountId || accounts[0]?.id} onChange={(e: Event) => setAccountId((e.target as HTMLSelectElement).value)}>
                  {accounts.map((a) => (
                    <option value={a.id}>
                      {a.name} ({a.mode})
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
          </div>
        }
        onSave={async (settings) => {
          await call(api.api.subscriptions.$post({ json: { strategyId, connectionId, ...(accountId && { accountId }), settings } }));
          await reload();
        }}
      />
    </section>
  );
}

function Editor({ id, data, reload }: { id: string; data: Data; reload: () => Promise<void> }) {
  const s = data.subscriptions.find((x) => x.id === id);
  if (!s)
    return (
      <Empty title="This subscription no longer exists">
        <a href="#/subscriptions">Back to subscriptions</a>
      </Empty>
    );
  const name = `${data.strategies.find((x) => x.id === s.strategyId)?.name ?? "Deleted strategy"} → ${accountName(data.connections, s)}`;
  return (
    <>
      <PageHeader title="Edit subscription" intro={name}>
        <a class="button secondary" href="#/subscriptions">
          Back
        </a>
      </PageHeader>
      <div class="card edit-status">
        <span>
          Status: <Badge status={s.enabled ? "active" : "paused"} label={s.enabled ? "Active" : "Paused"} />
        </span>
        <Actions s={s} reload={reload} name={name} onEditor />
      </div>
      <SettingsForm
        key={s.id}
        schema={data.schema}
        initial={s.settings}
        mode="edit"
        idPrefix={`edit-${s.id.slice(0, 8)}`}
        submitLabel="Save settings"
        onSave={async (settings) => {
          await call(api.api.subscriptions[":id"].$patch({ param: { id: s.id }, json: { settings } }));
          await reload();
        }}
      />
    </>
  );
}

/** The Subscriptions screen; `editing` is the id from `#/subscriptions/<id>`. */
export function SubscriptionsView({ editing }: { editing: string | null }) {
  const data = usePoll(loadAll, 0);
  return (
    <LoadState loaded={data} what="subscriptions">
      {(d) => {
        if (editing) return <Editor id={editing} data={d} reload={data.reload} />;
        const strategyName = (id: string): string => d.strategies.find((x) => x.id === id)?.name ?? "Deleted strategy";
        return (
          <>
            <PageHeader title="Subscriptions" intro="Subscribe a broker account to a strategy: its alerts then trade that account, with these settings." />
            {d.strategies.length && d.connections.length ? (
              <CreateForm data={d} reload={data.reload} />
            ) : (
              <Empty title="Two steps first">
                Create a <a href="#/strategies">strategy</a> and a <a href="#/connections">connection</a>; then subscribe the account here.
              </Empty>
            )}
            {d.subscriptions.length === 0 ? (
              <Empty title="No subscriptions yet" />
            ) : (
              <DataTable<Subscription>
                caption="Subscriptions"
                rows={d.subscriptions}
                rowKey={(s) => s.id}
                rowAttrs={(s) => ({ "data-subscription-id": s.id })}
                columns={[
                  { label: "Strategy", kind: "main", cell: (s) => <strong>{strategyName(s.strategyId)}</strong> },
                  { label: "Account", cell: (s) => accountName(d.connections, s) },
                  { label: "Sizing", cell: (s) => sizing(s.settings) },
                  { label: "Orders", cell: (s) => (s.settings.autoSubmit ? "Automatic" : "Need approval") },
                  { label: "Sides", cell: (s) => humanize(s.settings.sides === "both" ? "long and short" : s.settings.sides === "bullish" ? "long only" : "short only") },
                  { label: "Status", cell: (s) => <Badge status={s.enabled ? "active" : "paused"} label={s.enabled ? "Active" : "Paused"} /> },
                  { label: "", kind: "actions", cell: (s) => <Actions s={s} reload={data.reload} name={`${strategyName(s.strategyId)} → ${accountName(d.connections, s)}`} /> },
                ]}
              />
            )}
            <p class="muted small">
              Tip: open <a href="#/performance">Performance</a> to compare subscriptions. Editing a setting takes effect on the next alert.
            </p>
          </>
        );
      }}
    </LoadState>
  );
}
