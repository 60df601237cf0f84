/**
 * Positions & orders across every account: quantity, average price, mark,
 * unrealized and realized P&L, and the strategy that opened each position;
 * the broker's open orders with a cancel button; and on paper accounts,
 * reset and set-price controls. One request (GET /api/portfolio) per refresh.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call } from "../api";
import { Badge, ConfirmButton, DataTable, Empty, ErrorNote, Field, LoadState, Money, Notice, PageHeader, controlProps } from "../components/ui";
import { humanize, num } from "../format";
import { usePoll } from "../hooks";
import { DriftPanel } from "./drift";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors, limitSentence } from "../messages";
import type { PortfolioAccount, PortfolioOrder, PortfolioPosition, Strategy } from "../types";

const REFRESH_MS = 5_000;
const MARK_NOTES: Record<string, string> = { "paper-price": "paper price", quote: "broker quote", "last-fill": "last fill" };
/** The limits of POST /api/connections/{id}/paper/price and /reset (worker/api/connection-broker.ts). */
const PRICE_LIMITS = { required: true, exclusiveMinimum: 0, maximum: 1_000_000_000 };
const PRICE_NAMES: FieldNames = { ticker: { label: "Ticker", enter: "a ticker" }, price: { label: "Price", enter: "a price" }, startingCash: { label: "Starting cash" } };

function SetPriceForm({ account, onDone }: { account: PortfolioAccount; onDone: () => Promise<void> }) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = `price-${account.accountId}`;
  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const ticker = (form.elements.namedItem("ticker") as HTMLInputElement).value.trim().toUpperCase();
    const rawPrice = (form.elements.namedItem("price") as HTMLInputElement).value;
    const fields: Record<string, string> = {};
    if (!ticker) fields.ticker = "Enter a ticker.";
    const priceError = limitSentence(rawPrice, PRICE_LIMITS, PRICE_NAMES.price ?? { label: "Price" });
    if (priceError) fields.price = priceError;
    setDone(null);
    if (Object.keys(fields).length) return setErrors({ fields, form: null });
    setBusy(true);
    call(api.api.connections[":id"].paper.price.$post({ param: { id: account.connectionId }, json: { ticker, price: Number(rawPrice) } }))
      .then(async (r) => {
        setErrors(NO_ERRORS);
        form.reset();
        setDone(`${r.ticker} is now at ${num(r.price)}; resting orders it crosses have filled.`);
        await onDone();
      })
      .catch((e: unknown) => setErrors(formErrors(e, PRICE_NAMES, (f) => (f === "ticker" || f === "price" ? f : null))))
      .finally(() => setBusy(false));
  };
  return (
    <form class="inline-form" noValidate onSubmit={submit} aria-label={`Set a market price on ${account.accountName}`}>
      <Field name={`${prefix}-ticker`} label="Ticker" error={errors.fields.ticker}>
        <input {...controlProps(`${prefix}-ticker`, errors.fields.ticker)} name="ticker" autocomplete="off" placeholder="AAPL" />
      </Field>
      <Field name={`${prefix}-price`} label="Price" error={errors.fields.price}>
        <input {...controlProps(`${prefix}-price`, errors.fields.price)} name="price" type="number" step="any" min="0" inputMode="decimal" placeholder="190.25" />
      </Field>
      <button type="submit" class="secondary" disabled={busy}>
        Set price
      </button>
      {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
      {done ? <Notice tone="good">{done}</Notice> : null}
    </form>
  );
}

function PositionsTable({ account, strategyName }: { account: PortfolioAccount; strategyName: (id: string | null) => string }) {
  if (account.positions.length === 0) return <Empty title="No open positions">Positions appear here when an alert trades this account.</Empty>;
  const c = account.currency;
  return (
    <DataTable<PortfolioPosition>
      caption={`Positions of ${account.accountName}`}
      rows={account.positions}
      rowKey={(p) => p.ticker}
      rowAttrs={(p) => ({ "data-ticker": p.ticker })}
      columns={[
        { label: "Ticker", kind: "main", cell: (p) => <strong>{p.ticker}</strong> },
        { label: "Quantity", kind: "num", cell: (p) => <span class={p.quantity < 0 ? "loss" : ""}>{num(p.quantity)}</span> },
        { label: "Avg price", kind: "num", cell: (p) => num(p.avgPrice) },
        {
          label: "Mark",
          kind: "num",
          cell: (p) => (p.markPrice === null ? <span class="muted">unknown</span> : <span title={MARK_NOTES[p.markSource ?? ""] ?? ""}>{num(p.markPrice)}</span>),
        },
        { label: "Unrealized", kind: "num", cell: (p) => <Money value={p.unrealizedPnl} currency={c} signed /> },
        { label: "Realized", kind: "num", cell: (p) => <Money value={p.realizedPnl} currency={c} signed /> },
        { label: "Opened by", cell: (p) => (p.strategyId ? strategyName(p.strategyId) : <span class="muted">not Tradeloop</span>) },
      ]}
    />
  );
}

function OrdersTable({ account, strategyName, onChanged }: { account: PortfolioAccount; strategyName: (id: string | null) => string; onChanged: () => Promise<void> }) {
  if (account.openOrders.length === 0) return <p class="muted">No open orders.</p>;
  return (
    <DataTable<PortfolioOrder>
      caption={`Open orders of ${account.accountName}`}
      rows={account.openOrders}
      rowKey={(o) => o.brokerOrderId ?? o.clientOrderId ?? `${o.ticker}-${o.createdAt}`}
      columns={[
        { label: "Ticker", kind: "main", cell: (o) => <strong>{o.ticker}</strong> },
        { label: "Side", cell: (o) => o.side },
        { label: "Qty", kind: "num", cell: (o) => num(o.quantity) },
        { label: "Type", cell: (o) => `${o.type}${o.role ? ` (${humanize(o.role).toLowerCase()})` : ""}` },
        { label: "Limit / stop", kind: "num", cell: (o) => [o.limitPrice, o.stopPrice].filter((p) => p !== null).map((p) => num(p)).join(" / ") || "—" },
        { label: "Status", cell: (o) => <Badge status={o.status} /> },
        { label: "Strategy", cell: (o) => (o.strategyId ? strategyName(o.strategyId) : <span class="muted">placed elsewhere</span>) },
        {
          label: "",
          kind: "actions",
          cell: (o) =>
            o.brokerOrderId ? (
              <ConfirmButton
                label="Cancel"
                danger
                title={`Cancel this ${o.side} order for ${o.ticker}?`}
                body={<p>The broker cancels the order if it has not filled yet. A bracket's other leg may be cancelled with it.</p>}
                confirmLabel="Cancel order"
                onConfirm={async () => {
                  await call(api.api.connections[":id"].orders[":orderId"].$delete({ param: { id: account.connectionId, orderId: o.brokerOrderId ?? "" }, query: { accountId: account.accountId } }));
                  await onChanged();
                }}
              />
            ) : null,
        },
      ]}
    />
  );
}

function ResetButton({ account, onDone }: { account: PortfolioAccount; onDone: () => Promise<void> }) {
  const [cash, setCash] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = `reset-cash-${account.accountId}`;
  return (
    <ConfirmButton
      label="Reset paper account"
      danger
      title={`Start “${account.accountName}” over?`}
      confirmLabel="Reset account"
      body={
        <>
          <p>Every position, open order and price on this paper account is removed and its cash set to the amount below. Your signal log is kept; performance counts from now.</p>
          <Field name={id} label="Starting cash" help="Empty: the connection's own starting cash." error={error ?? undefined}>
            <input {...controlProps(id, error ?? undefined, true)} type="number" min="0" step="any" value={cash} onInput={(e: Event) => setCash((e.target as HTMLInputElement).value)} />
          </Field>
        </>
      }
      onConfirm={async () => {
        const problem = limitSentence(cash, { exclusiveMinimum: 0, maximum: 1_000_000_000 }, { label: "Starting cash" });
        setError(problem);
        if (problem) throw new Error(problem);
        await call(api.api.connections[":id"].paper.reset.$post({ param: { id: account.connectionId }, json: cash.trim() ? { startingCash: Number(cash) } : {} }));
        setCash("");
        await onDone();
      }}
    />
  );
}

function AccountSection({ account, strategyName, reload }: { account: PortfolioAccount; strategyName: (id: string | null) => string; reload: () => Promise<void> }) {
  const b = account.balance;
  return (
    <section class="card account" data-account-id={account.accountId} aria-labelledby={`acct-${account.accountId}`}>
      <header class="card-head">
        <h2 id={`acct-${account.accountId}`}>
          {account.connectionName}
          {account.accountName !== account.connectionName ? <span class="muted"> · {account.accountName}</span> : null}
        </h2>
        <Badge status={account.mode === "live" ? "live" : "paper"} label={account.mode === "live" ? "Live" : "Paper"} />
      </header>
      {account.error ? <ErrorNote error={new Error(account.error.message)} retry={() => void reload()} /> : null}
      {b ? (
        <dl class="stats">
          <div>
            <dt>Equity</dt>
            <dd>
              <Money value={b.equity} currency={b.currency} />
            </dd>
          </div>
          <div>
            <dt>Cash</dt>
            <dd>
              <Money value={b.cash} currency={b.currency} />
            </dd>
          </div>
          <div>
            <dt>Buying power</dt>
            <dd>
              <Money value={b.buyingPower} currency={b.currency} />
            </dd>
          </div>
          <div>
            <dt>Realized (Tradeloop fills)</dt>
            <dd>
              <Money value={account.realizedPnl} currency={b.currency} signed />
            </dd>
          </div>
        </dl>
      ) : null}
      {account.error ? null : (
        <>
          <h3>Positions</h3>
          <PositionsTable account={account} strategyName={strategyName} />
          <h3>Open orders</h3>
          <OrdersTable account={account} strategyName={strategyName} onChanged={reload} />
        </>
      )}
      {account.paper ? (
        <div class="paper-controls">
          <h3>Paper controls</h3>
          <SetPriceForm account={account} onDone={reload} />
          <ResetButton account={account} onDone={reload} />
        </div>
      ) : null}
    </section>
  );
}

/** The Positions screen. */
export function PositionsView() {
  const portfolio = usePoll(() => call(api.api.portfolio.$get()), REFRESH_MS);
  const strategies = usePoll(() => call(api.api.strategies.$get()), 30_000);
  const strategyName = (id: string | null): string => (strategies.data ?? []).find((s: Strategy) => s.id === id)?.name ?? "Deleted strategy";
  return (
    <>
      <PageHeader title="Positions" intro="What every account holds now, valued at the latest price, with the P&L of the trades Tradeloop made." />
      <DriftPanel onChange={portfolio.reload} />
      {/* Positions wait for the strategy names too, so a row never flashes "Deleted strategy" while they load. */}
      <LoadState loaded={strategies.data === undefined && !strategies.error ? { ...portfolio, data: undefined, error: portfolio.error } : portfolio} what="positions">
        {(p) =>
          p.accounts.length === 0 ? (
            <Empty title="No accounts yet">
              Add a <a href="#/connections">connection</a>: the built-in paper broker needs no keys.
            </Empty>
          ) : (
            <div class="accounts">
              {p.accounts.map((a) => (
                <AccountSection key={a.accountId} account={a} strategyName={strategyName} reload={portfolio.reload} />
              ))}
            </div>
          )
        }
      </LoadState>
    </>
  );
}
