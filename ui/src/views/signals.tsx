/**
 * Signals: every alert, newest first, with what it did (its outcome, never a
 * bare "accepted"), the latency from receipt to the first order, and, opened,
 * each subscription's trade with its orders, fills and the broker's words.
 * Filters by strategy, ticker and date (server side) and outcome (on the
 * loaded signals); exports the filtered log as CSV.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call, download, errorText } from "../api";
import { Badge, DataTable, Empty, LoadState, Notice, PageHeader } from "../components/ui";
import { humanize, num, when } from "../format";
import { usePoll } from "../hooks";
import { latencyMs, OUTCOMES, outcomeLabel, signalOutcome } from "../outcome";
import type { Signal, Strategy, Subscription, Connection, Trade } from "../types";

const PAGE = "50";
const REFRESH_MS = 4_000;

interface Filters {
  strategyId: string;
  ticker: string;
  outcome: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { strategyId: "", ticker: "", outcome: "", from: "", to: "" };

function payloadSummary(payload: unknown): string {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "Signal";
  const p = payload as Record<string, unknown>;
  const parts = [p.action, p.quantity, p.ticker].filter((x) => typeof x === "string" || typeof x === "number").map(String);
  const price = p.price ?? p.signalPrice;
  if (typeof price === "string" || typeof price === "number") parts.push(`@ ${price}`);
  return parts.length ? parts.join(" ") : "Signal";
}

/** Query parameters for the server-side filters; dates are local days. */
function serverQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.strategyId) q.strategyId = f.strategyId;
  if (f.ticker.trim()) q.ticker = f.ticker.trim();
  if (f.from) q.from = new Date(`${f.from}T00:00:00`).toISOString();
  if (f.to) q.to = new Date(new Date(`${f.to}T00:00:00`).getTime() + 86_400_000).toISOString();
  return q;
}

function latencyText(ms: number | null): string {
  if (ms === null) return "no order";
  return ms < 1000 ? `${ms} ms to order` : `${(ms / 1000).toFixed(1)} s to order`;
}

interface Names {
  strategy: (id: string) => string;
  subscription: (id: string) => string;
}

function namesOf(strategies: Strategy[], subscriptions: Subscription[], connections: Connection[]): Names {
  return {
    strategy: (id) => strategies.find((s) => s.id === id)?.name ?? "Deleted strategy",
    subscription: (id) => {
      const sub = subscriptions.find((s) => s.id === id);
      const conn = connections.find((c) => c.id === sub?.connectionId);
      const account = conn?.accounts.find((a) => a.id === sub?.accountId);
      return conn ? `${conn.name}${account && conn.accounts.length > 1 ? ` · ${account.name}` : ""}` : "Deleted subscription";
    },
  };
}

function TradeDetail({ trade, name }: { trade: Trade; name: string }) {
  return (
    <section class="trade" data-trade-status={trade.status}>
      <h3>
        {name} <Badge status={trade.status} />
      </h3>
      {trade.message ? (
        <p>
          {trade.messageCode ? <strong>{humanize(trade.messageCode)}: </strong> : null}
          {trade.message}
        </p>
      ) : null}
      {trade.orders.length === 0 ? (
        <p class="muted">No orders were placed for this trade.</p>
      ) : (
        <DataTable
          caption="Orders"
          rowKey={(o) => o.id}
          rows={trade.orders}
          columns={[
            { label: "Role", kind: "main", cell: (o) => humanize(o.role) },
            { label: "Side", cell: (o) => o.side },
            { label: "Qty", kind: "num", cell: (o) => num(o.quantity) },
            { label: "Type", cell: (o) => o.type },
            { label: "Limit / stop", kind: "num", cell: (o) => [o.limitPrice, o.stopPrice].filter((p) => p !== undefined).map((p) => num(p)).join(" / ") || "—" },
            { label: "Status", cell: (o) => <Badge status={o.status} /> },
            { label: "Filled", kind: "num", cell: (o) => num(o.filledQuantity) },
            { label: "Avg price", kind: "num", cell: (o) => num(o.avgFillPrice) },
            { label: "Broker", cell: (o) => (o.message ? <span>{o.message}</span> : <code>{o.brokerOrderId ?? "—"}</code>) },
          ]}
        />
      )}
    </section>
  );
}

function SignalItem({ s, names }: { s: Signal; names: Names }) {
  const { outcome, message } = signalOutcome(s);
  const latency = latencyMs(s);
  return (
    <details class="signal" data-signal-id={s.id} data-outcome={outcome}>
      <summary>
        <span class="when">{when(s.receivedAt)}</span>
        <strong class="what">{payloadSummary(s.payload)}</strong>
        <span class="muted strategy">{names.strategy(s.strategyId)}</span>
        <span class="outcome-badge" title={message ?? ""} aria-label={message ? `${outcomeLabel(outcome)}: ${message}` : outcomeLabel(outcome)}>
          <Badge status={outcome} label={outcomeLabel(outcome)} />
        </span>
        <span class="latency muted small">{latencyText(latency)}</span>
      </summary>
      <div class="signal-body">
        {message ? <p class="why">{message}</p> : null}
        {s.status === "rejected" && s.messageCode ? (
          <p class="muted small">
            Code: <code>{s.messageCode}</code>
          </p>
        ) : null}
        {s.trades.map((t) => (
          <TradeDetail key={t.id} trade={t} name={names.subscription(t.subscriptionId)} />
        ))}
        <details class="payload">
          <summary>Alert message</summary>
          <pre>{JSON.stringify(s.payload, null, 2)}</pre>
        </details>
      </div>
    </details>
  );
}

/** The Signals screen. */
export function SignalsView() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [older, setOlder] = useState<{ signals: Signal[]; cursor: string | null } | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const names = usePoll(async () => {
    const [strategies, subscriptions, connections] = await Promise.all([call(api.api.strategies.$get()), call(api.api.subscriptions.$get({ query: {} })), call(api.api.connections.$get())]);
    return { strategies, names: namesOf(strategies, subscriptions, connections) };
  }, 30_000);
  const query = serverQuery(filters);
  const page = usePoll(() => call(api.api.signals.$get({ query: { ...query, limit: PAGE } })), REFRESH_MS, [JSON.stringify(query)]);

  const set = (patch: Partial<Filters>): void => {
    setOlder(null);
    setFilters({ ...filters, ...patch });
  };
  const loadOlder = async (cursor: string): Promise<void> => {
    const next = await call(api.api.signals.$get({ query: { ...query, limit: PAGE, cursor } }));
    setOlder({ signals: [...(older?.signals ?? []), ...next.signals], cursor: next.nextCursor });
  };
  const exportCsv = (): void => {
    setExportError(null);
    download(`/api/signals/export?${new URLSearchParams(query).toString()}`, "tradeloop-signals.csv").catch((e: unknown) => setExportError(errorText(e)));
  };

  return (
    <>
      <PageHeader title="Signals" intro="Every alert your strategies received, newest first, and what each account did about it.">
        <button type="button" class="secondary" onClick={exportCsv}>
          Export CSV
        </button>
      </PageHeader>
      <form class="filters" role="search" aria-label="Filter signals" onSubmit={(e: Event) => e.preventDefault()}>
        <label>
          Strategy
          <select name="strategyId" value={filters.strategyId} onChange={(e: Event) => set({ strategyId: (e.target as HTMLSelectElement).value })}>
            <option value="">All strategies</option>
            {(names.data?.strategies ?? []).map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          Ticker
          <input name="ticker" value={filters.ticker} placeholder="Any" autocomplete="off" onChange={(e: Event) => set({ ticker: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Outcome
          <select name="outcome" value={filters.outcome} onChange={(e: Event) => set({ outcome: (e.target as HTMLSelectElement).value })}>
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => (
              <option value={o.value}>{o.label}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={filters.from} onChange={(e: Event) => set({ from: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          To
          <input type="date" name="to" value={filters.to} onChange={(e: Event) => set({ to: (e.target as HTMLInputElement).value })} />
        </label>
        {JSON.stringify(filters) !== JSON.stringify(NO_FILTERS) ? (
          <button type="button" class="link" onClick={() => set(NO_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </form>
      {exportError ? <Notice tone="bad">{exportError}</Notice> : null}
      <LoadState loaded={page} what="signals">
        {(p) => {
          const all = [...p.signals, ...(older?.signals ?? []).filter((o) => !p.signals.some((l) => l.id === o.id))];
          const shown = filters.outcome ? all.filter((s) => signalOutcome(s).outcome === filters.outcome) : all;
          const cursor = older ? older.cursor : p.nextCursor;
          const n = names.data?.names ?? namesOf([], [], []);
          return (
            <>
              {shown.length === 0 ? (
                JSON.stringify(filters) === JSON.stringify(NO_FILTERS) ? (
                  <Empty title="No signals yet">
                    Send an alert to a strategy's webhook URL: Strategies → <a href="#/strategies">Alert messages</a> has ready-to-paste ones.
                  </Empty>
                ) : (
                  <Empty title="No signals match these filters">{cursor ? "Older signals may: load them below." : "Clear a filter to see more."}</Empty>
                )
              ) : (
                <div class="signal-list" aria-live="polite">
                  {shown.map((s) => (
                    <SignalItem key={s.id} s={s} names={n} />
                  ))}
                </div>
              )}
              {cursor ? (
                <div class="more">
                  <button type="button" class="secondary" onClick={() => void loadOlder(cursor)}>
                    Load older signals
                  </button>
                </div>
              ) : null}
            </>
          );
        }}
      </LoadState>
    </>
  );
}
