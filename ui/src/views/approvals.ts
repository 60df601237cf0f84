/**
 * Approvals: trades of subscriptions with "send orders automatically" off
 * wait here until approved, rejected, or their deadline passes.
 *
 * @module
 */
import { api, call } from "../api";
import { h, replace } from "../dom";
import { humanize, num, when } from "../format";
import type { PendingTrade } from "../types";
import { note, outcome, table, viewHeader } from "../widgets";
import { errorMessage } from "../../../plugins/sdk/errors";

const REFRESH_MS = 5_000;

function orderLine(o: PendingTrade["orders"][number]): string {
  const price = [o.limitPrice && `limit ${num(o.limitPrice)}`, o.stopPrice && `stop ${num(o.stopPrice)}`].filter(Boolean).join(", ");
  return `${humanize(o.role)}: ${o.side} ${num(o.quantity)} ${o.type}${price ? ` (${price})` : ""}`;
}

export function approvalsView(root: HTMLElement): () => void {
  const result = h("div", { class: "result" });
  const list = h("div", { "aria-busy": "true" }, note("Loading…"));
  replace(root, viewHeader("Approvals", "Trades waiting for your decision. Approving sends the listed orders; rejecting sends nothing."), result, list);
  let stopped = false;
  let shown = "";

  const decide = async (trade: PendingTrade, approve: boolean): Promise<void> => {
    try {
      const param = { param: { id: trade.id } };
      const after = await call(approve ? api.api.trades[":id"].approve.$post(param) : api.api.trades[":id"].reject.$post(param));
      const what = `${trade.ticker ?? "Trade"}: ${approve ? "approved" : "rejected"}`;
      replace(result, outcome("good", `${what} (now ${humanize(after.status).toLowerCase()}).`));
    } catch (e) {
      replace(result, outcome("bad", errorMessage(e)));
    }
    await load();
  };

  async function load(): Promise<void> {
    const { trades } = await call(api.api.approvals.$get());
    if (stopped) return;
    list.setAttribute("aria-busy", "false");
    // Redraw only on change, so polling does not move focus off a button.
    const key = JSON.stringify(trades);
    if (key === shown) return;
    shown = key;
    if (trades.length === 0) {
      replace(list, note("Nothing is waiting. Trades appear here for subscriptions whose orders are not sent automatically."));
      return;
    }
    replace(
      list,
      table(
        "Trades waiting for approval",
        ["Ticker", "What", "Orders", "Decide by", ""],
        trades.map((t) => {
          const buttons = [h("button", { type: "button", class: "small" }, "Approve"), h("button", { type: "button", class: "secondary small danger" }, "Reject")];
          buttons.forEach((b, i) =>
            b.addEventListener("click", () => {
              for (const other of buttons) other.disabled = true;
              void decide(t, i === 0);
            }),
          );
          return [
            h("strong", {}, t.ticker ?? "—"),
            t.message ?? humanize(t.messageCode ?? t.status),
            h("ul", { class: "plain" }, t.orders.map((o) => h("li", {}, orderLine(o)))),
            when(t.approvalDeadline),
            h("div", { class: "actions", "data-trade-id": t.id, role: "group", "aria-label": `Decide on ${t.ticker ?? "trade"}` }, buttons),
          ];
        }),
      ),
    );
  }

  const tick = (): void => {
    load().catch((e: unknown) => {
      if (!stopped) replace(list, h("p", { class: "field-error", role: "alert" }, errorMessage(e)));
    });
  };
  tick();
  const timer = setInterval(() => !document.hidden && tick(), REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
