/**
 * Performance per subscription and per account: the equity curve first
 * (lightweight-charts), the numbers beside it (realized P&L, win rate,
 * trades, max drawdown), then every scope side by side. Everything is
 * computed by the Worker from the fills of the orders Tradeloop placed.
 *
 * @module
 */
import { api, call } from "../api";
import { EquityChart } from "../components/chart";
import { DataTable, Empty, LoadState, Money, PageHeader } from "../components/ui";
import { when } from "../format";
import { navigate, usePoll } from "../hooks";
import type { Connection, PerformanceList, Strategy, Subscription } from "../types";

type Summary = Omit<PerformanceList["accounts"][number], "accountId">;
interface Scope {
  key: string;
  kind: "account" | "subscription";
  id: string;
  name: string;
  summary: Summary;
}

function percent(v: number | null): string {
  return v === null ? "—" : `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 1)}%`;
}

function scopesOf(list: PerformanceList, strategies: Strategy[], subscriptions: Subscription[], connections: Connection[]): Scope[] {
  const accountName = (accountId: string): string => {
    const c = connections.find((x) => x.accounts.some((a) => a.id === accountId));
    const a = c?.accounts.find((x) => x.id === accountId);
    return c ? `${c.name}${a && c.accounts.length > 1 ? ` · ${a.name}` : ""}` : "Deleted account";
  };
  return [
    ...list.accounts.map((s) => ({ key: `account:${s.accountId}`, kind: "account" as const, id: s.accountId, name: `${accountName(s.accountId)} (account)`, summary: s })),
    ...list.subscriptions.map((s) => {
      const sub = subscriptions.find((x) => x.id === s.subscriptionId);
      const strategy = strategies.find((x) => x.id === sub?.strategyId)?.name ?? "Deleted strategy";
      return { key: `subscription:${s.subscriptionId}`, kind: "subscription" as const, id: s.subscriptionId, name: `${strategy} → ${sub ? accountName(sub.accountId) : "deleted"}`, summary: s };
    }),
  ];
}

function Detail({ scope }: { scope: Scope }) {
  const detail = usePoll(
    () =>
      scope.kind === "account"
        ? call(api.api.performance.accounts[":id"].$get({ param: { id: scope.id } }))
        : call(api.api.performance.subscriptions[":id"].$get({ param: { id: scope.id } })),
    10_000,
    [scope.key],
  );
  return (
    <LoadState loaded={detail} what="performance">
      {(d) => (
        <section class="card perf" aria-label={`Performance of ${scope.name}`}>
          <div class="perf-grid">
            <div class="perf-chart">
              <h2>{d.startingEquity > 0 ? "Equity (realized)" : "Realized P&L"}</h2>
              {d.equityCurve.length < 2 ? (
                <Empty title="No closed trades yet">The curve starts when a position is closed: an exit or a take profit after an entry.</Empty>
              ) : (
                <EquityChart points={d.equityCurve} baseline={d.startingEquity} label={`${d.startingEquity > 0 ? "Equity" : "Realized P&L"} of ${scope.name} over time, now ${d.equityCurve.at(-1)?.value ?? 0}`} />
              )}
            </div>
            <dl class="stats vertical">
              <div>
                <dt>Realized P&L</dt>
                <dd>
                  <Money value={d.realizedPnl} currency={d.currency} signed />
                </dd>
              </div>
              <div>
                <dt>Win rate</dt>
                <dd>{percent(d.winRate)}</dd>
              </div>
              <div>
                <dt>Trades</dt>
                <dd>
                  {d.tradeCount} <span class="muted small">({d.wins} won, {d.losses} lost)</span>
                </dd>
              </div>
              <div>
                <dt>Max drawdown</dt>
                <dd>
                  <Money value={0 - d.maxDrawdown} currency={d.currency} />
                  {d.maxDrawdownPercent !== null ? <span class="muted small"> ({percent(d.maxDrawdownPercent)})</span> : null}
                </dd>
              </div>
              <div>
                <dt>Fills counted</dt>
                <dd>
                  {d.fillCount}
                  {d.since ? <span class="muted small"> since reset {when(d.since)}</span> : null}
                </dd>
              </div>
            </dl>
          </div>
          <p class="muted small">A trade is a position opened and closed again. Only orders Tradeloop placed are counted; trades made by hand at the broker are not.</p>
          {/* The chart library's license asks for this attribution; its in-chart logo is turned off. */}
          <p class="muted small">
            Chart:{" "}
            <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
              TradingView Lightweight Charts™
            </a>
          </p>
        </section>
      )}
    </LoadState>
  );
}

/** The Performance screen; `selected` is `account:<id>` or `subscription:<id>` from the route. */
export function PerformanceView({ selected }: { selected: string | null }) {
  const data = usePoll(async () => {
    const [list, strategies, subscriptions, connections] = await Promise.all([
      call(api.api.performance.$get()),
      call(api.api.strategies.$get()),
      call(api.api.subscriptions.$get({ query: {} })),
      call(api.api.connections.$get()),
    ]);
    return scopesOf(list, strategies, subscriptions, connections);
  }, 15_000);
  return (
    <>
      <PageHeader title="Performance" intro="Realized results per account and per subscription, from the fills of the orders Tradeloop placed." />
      <LoadState loaded={data} what="performance">
        {(scopes) => {
          if (scopes.length === 0)
            return (
              <Empty title="Nothing to measure yet">
                Connect an account and <a href="#/subscriptions">subscribe</a> it to a strategy; results appear after the first closed trade.
              </Empty>
            );
          const scope = scopes.find((s) => s.key === selected) ?? scopes.find((s) => s.summary.tradeCount > 0) ?? scopes[0];
          if (!scope) return null;
          return (
            <>
              <div class="scope-picker">
                <label for="perf-scope">Show</label>
                <select id="perf-scope" value={scope.key} onChange={(e: Event) => navigate(`performance/${(e.target as HTMLSelectElement).value}`)}>
                  {scopes.map((s) => (
                    <option value={s.key}>{s.name}</option>
                  ))}
                </select>
              </div>
              <Detail key={scope.key} scope={scope} />
              <h2>All accounts and subscriptions</h2>
              <DataTable<Scope>
                caption="Performance summary"
                rows={scopes}
                rowKey={(s) => s.key}
                columns={[
                  { label: "Name", kind: "main", cell: (s) => <a href={`#/performance/${s.key}`}>{s.name}</a> },
                  { label: "Realized P&L", kind: "num", cell: (s) => <Money value={s.summary.realizedPnl} currency={s.summary.currency} signed /> },
                  { label: "Trades", kind: "num", cell: (s) => String(s.summary.tradeCount) },
                  { label: "Win rate", kind: "num", cell: (s) => percent(s.summary.winRate) },
                  { label: "Max drawdown", kind: "num", cell: (s) => <Money value={0 - s.summary.maxDrawdown} currency={s.summary.currency} /> },
                ]}
              />
            </>
          );
        }}
      </LoadState>
    </>
  );
}
