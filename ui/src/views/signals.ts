/**
 * The signal log, newest first: each signal opens to its trades (one per
 * subscription) and their orders. Refreshes every few seconds while visible,
 * keeping open signals open.
 *
 * @module
 */
import { api, call } from "../api";
import { h, replace } from "../dom";
import { humanize, num, when } from "../format";
import type { Connection, Signal, Strategy, Subscription } from "../types";
import { badge, note, table, viewHeader } from "../widgets";
import { errorMessage } from "../../../plugins/sdk/errors";

const REFRESH_MS = 4_000;
const PAGE = "50";

type Names = { strategy(id: string): string; subscription(id: string): string };

function payloadSummary(payload: unknown): string {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "Signal";
  const p = payload as Record<string, unknown>;
  const parts = [p.action, p.quantity, p.ticker].filter((x) => typeof x === "string" || typeof x === "number").map(String);
  if (typeof p.sentiment === "string") parts.push(`(${p.sentiment})`);
  return parts.length ? parts.join(" ") : "Signal";
}

function tradeSummary(s: Signal): string {
  if (s.duplicateOf) return "duplicate";
  if (s.trades.length === 0) return s.status === "rejected" ? humanize(s.messageCode ?? "not executed") : "no subscriptions";
  const counts = new Map<string, number>();
  for (const t of s.trades) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${humanize(status).toLowerCase()}`).join(", ");
}

/** What the signal did, in words ("Traded", "Nothing traded"...); the sentence behind it on hover and for screen readers. */
function outcomeBadge(s: Signal): HTMLElement {
  const el = badge(s.outcome);
  el.classList.add("outcome-badge");
  el.title = s.outcomeMessage;
  el.setAttribute("aria-label", `${el.textContent ?? ""}: ${s.outcomeMessage}`);
  return el;
}

function ordersTable(orders: Signal["trades"][number]["orders"]): HTMLElement {
  if (orders.length === 0) return note("No orders were placed for this trade.");
  return table(
    "Orders",
    ["Role", "Side", "Qty", "Type", "Limit / stop", "Status", "Filled", "Avg price", "Broker id"],
    orders.map((o) => [
      humanize(o.role),
      o.side,
      num(o.quantity),
      o.type,
      [o.limitPrice, o.stopPrice].filter((p) => p !== undefined).map((p) => num(p)).join(" / ") || "—",
      badge(o.status),
      num(o.filledQuantity),
      num(o.avgFillPrice),
      h("code", {}, o.brokerOrderId ?? "—"),
    ]),
  );
}

function signalItem(s: Signal, names: Names, open: Set<string>): HTMLElement {
  const details = h(
    "details",
    { class: "signal", "data-signal-id": s.id, open: open.has(s.id) },
    h(
      "summary",
      {},
      h("span", { class: "when" }, when(s.receivedAt)),
      h("strong", { class: "what" }, payloadSummary(s.payload)),
      h("span", { class: "muted" }, names.strategy(s.strategyId)),
      outcomeBadge(s),
      h("span", { class: "trades-summary" }, tradeSummary(s)),
    ),
    h(
      "div",
      { class: "signal-body" },
      s.message && h("p", {}, s.messageCode ? h("strong", {}, `${humanize(s.messageCode)}: `) : null, s.message),
      s.duplicateOf && h("p", { class: "muted" }, `Duplicate of signal ${s.duplicateOf}; it did not trade again.`),
      s.trades.map((t) =>
        h(
          "section",
          { class: "trade", "data-trade-status": t.status },
          h("h3", {}, names.subscription(t.subscriptionId), " ", badge(t.status)),
          t.message && h("p", {}, t.messageCode ? h("strong", {}, `${humanize(t.messageCode)}: `) : null, t.message),
          ordersTable(t.orders),
        ),
      ),
      h("details", { class: "payload" }, h("summary", {}, "Alert message"), h("pre", {}, JSON.stringify(s.payload, null, 2))),
    ),
  );
  details.addEventListener("toggle", () => (details.open ? open.add(s.id) : open.delete(s.id)));
  return details;
}

async function loadNames(): Promise<Names> {
  const [strategies, subscriptions, connections] = await Promise.all([
    call(api.api.strategies.$get()),
    call(api.api.subscriptions.$get({ query: {} })),
    call(api.api.connections.$get()),
  ]);
  const byId = <T extends { id: string }>(rows: T[]): Map<string, T> => new Map(rows.map((r) => [r.id, r]));
  const s: Map<string, Strategy> = byId(strategies);
  const sub: Map<string, Subscription> = byId(subscriptions);
  const c: Map<string, Connection> = byId(connections);
  return {
    strategy: (id) => s.get(id)?.name ?? "Deleted strategy",
    subscription: (id) => {
      const row = sub.get(id);
      const conn = row ? c.get(row.connectionId) : undefined;
      const account = conn?.accounts.find((a) => a.id === row?.accountId);
      return conn ? `${conn.name}${account && conn.accounts.length > 1 ? ` · ${account.name}` : ""}` : "Deleted subscription";
    },
  };
}

export function signalsView(root: HTMLElement): () => void {
  const list = h("div", { class: "signal-list", "aria-live": "polite", "aria-busy": "true" }, note("Loading signals…"));
  const more = h("div", { class: "more" });
  const updated = h("span", { class: "muted small" });
  replace(root, viewHeader("Signals", "Every alert your strategies received, newest first, with what each subscription did about it.", updated), list, more);

  const open = new Set<string>();
  let names: Names | null = null;
  let older: Signal[] = [];
  let cursor: string | null = null;
  let stopped = false;

  let shown = "";
  const render = (signals: Signal[]): void => {
    if (!names) return;
    const n = names;
    // Redraw only on change, so a refresh does not steal focus or reset nested disclosures.
    const key = JSON.stringify([signals, cursor]);
    if (key === shown) return;
    shown = key;
    list.setAttribute("aria-busy", "false");
    if (signals.length === 0) {
      replace(list, note("No signals yet. Send an alert to a strategy's webhook URL (see Strategies → Alert templates)."));
    } else {
      replace(list, signals.map((s) => signalItem(s, n, open)));
    }
    replace(more, cursor ? h("button", { type: "button", class: "secondary", onclick: loadOlder }, "Load older signals") : null);
  };

  let latest: Signal[] = [];
  const merged = (): Signal[] => [...latest, ...older.filter((o) => !latest.some((l) => l.id === o.id))];

  async function refresh(): Promise<void> {
    try {
      names ??= await loadNames();
      const page = await call(api.api.signals.$get({ query: { limit: PAGE } }));
      if (stopped) return;
      // A new subscription since the names were loaded: reload them once.
      if (page.signals.some((s) => s.trades.some((t) => names?.subscription(t.subscriptionId) === "Deleted subscription"))) names = await loadNames();
      latest = page.signals;
      if (older.length === 0) cursor = page.nextCursor;
      render(merged());
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (!stopped) replace(list, h("p", { class: "field-error", role: "alert" }, errorMessage(e)));
    }
  }

  async function loadOlder(): Promise<void> {
    if (!cursor) return;
    const page = await call(api.api.signals.$get({ query: { limit: PAGE, cursor } }));
    older = [...older, ...page.signals];
    cursor = page.nextCursor;
    render(merged());
  }

  void refresh();
  const timer = setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
