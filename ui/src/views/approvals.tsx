/**
 * Approvals: trades of subscriptions that do not send orders automatically
 * wait here until approved, rejected, or their deadline passes. Each shows
 * the account, the strategy, the alert's price, the orders approval sends
 * and a countdown, so two similar trades are told apart.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call, errorText } from "../api";
import { Empty, LoadState, Notice, PageHeader } from "../components/ui";
import { humanize, num, when } from "../format";
import { notifyApprovalsChanged, useCountdown, usePoll } from "../hooks";
import type { Connection, PendingTrade, Strategy, Subscription } from "../types";

const REFRESH_MS = 5_000;

interface Row {
  trade: PendingTrade;
  strategy: string;
  account: string;
  price: string | null;
}

function orderLine(o: PendingTrade["orders"][number]): string {
  const price = [o.limitPrice && `limit ${num(o.limitPrice)}`, o.stopPrice && `stop ${num(o.stopPrice)}`].filter(Boolean).join(", ");
  return `${humanize(o.role)}: ${o.side} ${num(o.quantity)} ${o.type}${price ? ` (${price})` : ""}`;
}

const signalPrices = new Map<string, string | null>();

/** The alert's price of a signal (cached: a signal's payload never changes). */
async function signalPrice(id: string): Promise<string | null> {
  if (signalPrices.has(id)) return signalPrices.get(id) ?? null;
  const s = await call(api.api.signals[":id"].$get({ param: { id } })).catch(() => null);
  const p = s && typeof s.payload === "object" && s.payload !== null ? ((s.payload as Record<string, unknown>).price ?? (s.payload as Record<string, unknown>).signalPrice) : undefined;
  const price = typeof p === "number" || typeof p === "string" ? String(p) : null;
  signalPrices.set(id, price);
  return price;
}

async function load(): Promise<Row[]> {
  const [{ trades }, subscriptions, strategies, connections] = await Promise.all([
    call(api.api.approvals.$get()),
    call(api.api.subscriptions.$get({ query: {} })),
    call(api.api.strategies.$get()),
    call(api.api.connections.$get()),
  ]);
  return Promise.all(
    trades.map(async (trade) => {
      const sub: Subscription | undefined = subscriptions.find((s) => s.id === trade.subscriptionId);
      const conn: Connection | undefined = connections.find((c) => c.id === sub?.connectionId);
      const acct = conn?.accounts.find((a) => a.id === sub?.accountId);
      return {
        trade,
        strategy: strategies.find((s: Strategy) => s.id === sub?.strategyId)?.name ?? "Deleted strategy",
        account: conn ? `${conn.name}${acct && conn.accounts.length > 1 ? ` · ${acct.name}` : ""}` : "Deleted connection",
        price: await signalPrice(trade.signalId),
      };
    }),
  );
}

function Countdown({ deadline }: { deadline: string | null }) {
  const left = useCountdown(deadline);
  if (left === null) return <span class="muted">no deadline</span>;
  const m = Math.floor(left / 60);
  const s = left % 60;
  return (
    <span class={left < 30 ? "loss" : ""} title={when(deadline)}>
      {left === 0 ? "expiring" : `${m}:${String(s).padStart(2, "0")} left`}
    </span>
  );
}

function Pending({ row, onDecided }: { row: Row; onDecided: (text: string, ok: boolean) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const t = row.trade;
  const decide = (approve: boolean): void => {
    setBusy(true);
    const param = { param: { id: t.id } };
    (approve ? call(api.api.trades[":id"].approve.$post(param)) : call(api.api.trades[":id"].reject.$post(param)))
      .then((after) => onDecided(`${t.ticker ?? "Trade"} on ${row.account}: ${approve ? "approved" : "rejected"} (now ${humanize(after.status).toLowerCase()}).`, true))
      .catch((e: unknown) => onDecided(errorText(e), false))
      .finally(() => setBusy(false));
  };
  return (
    <article class="card pending" data-trade-id={t.id}>
      <header class="card-head">
        <h2>
          {t.ticker ?? "Trade"} <span class="muted">{row.price ? `@ ${num(row.price)}` : ""}</span>
        </h2>
        <Countdown deadline={t.approvalDeadline} />
      </header>
      <dl class="facts">
        <dt>Account</dt>
        <dd>{row.account}</dd>
        <dt>Strategy</dt>
        <dd>{row.strategy}</dd>
        <dt>What</dt>
        <dd>{t.message ?? humanize(t.messageCode ?? t.status)}</dd>
        <dt>Orders</dt>
        <dd>
          <ul class="plain">
            {t.orders.map((o) => (
              <li>{orderLine(o)}</li>
            ))}
          </ul>
        </dd>
        <dt>Received</dt>
        <dd>{when(t.createdAt)}</dd>
      </dl>
      <div class="actions" role="group" aria-label={`Decide on ${t.ticker ?? "trade"} for ${row.account}`}>
        <button type="button" disabled={busy} onClick={() => decide(true)}>
          Approve
        </button>
        <button type="button" class="secondary danger" disabled={busy} onClick={() => decide(false)}>
          Reject
        </button>
      </div>
    </article>
  );
}

/** The Approvals screen. */
export function ApprovalsView() {
  const rows = usePoll(load, REFRESH_MS);
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  return (
    <>
      <PageHeader title="Approvals" intro="Trades waiting for your decision. Approving sends the listed orders; rejecting sends nothing." />
      {outcome ? <Notice tone={outcome.ok ? "good" : "bad"}>{outcome.text}</Notice> : null}
      <LoadState loaded={rows} what="approvals">
        {(list) =>
          list.length === 0 ? (
            <Empty title="Nothing is waiting">Trades appear here for subscriptions whose orders are not sent automatically.</Empty>
          ) : (
            <div class="cards">
              {list.map((r) => (
                <Pending
                  key={r.trade.id}
                  row={r}
                  onDecided={async (text, ok) => {
                    setOutcome({ text, ok });
                    notifyApprovalsChanged();
                    await rows.reload();
                  }}
                />
              ))}
            </div>
          )
        }
      </LoadState>
    </>
  );
}
