/**
 * Connections: each broker connection with its status, a test button, and
 * per account the live balance and positions; plus the "Add connection" form.
 *
 * @module
 */
import { api, call } from "../api";
import { testConnection } from "../connection-test";
import { h, replace } from "../dom";
import { money, num, when } from "../format";
import type { Account, Broker, Connection } from "../types";
import { badge, note, outcome, table, viewHeader } from "../widgets";
import { connectionForm } from "./connection-form";
import { errorMessage } from "../../../plugins/sdk/errors";

async function accountPanel(connectionId: string, account: Account): Promise<HTMLElement> {
  const param = { id: connectionId };
  const query = { accountId: account.id };
  const [balance, positions] = await Promise.allSettled([
    call(api.api.connections[":id"].balance.$get({ param, query })),
    call(api.api.connections[":id"].positions.$get({ param, query })),
  ]);
  return h(
    "section",
    { class: "account", "data-account-id": account.id },
    h("h3", {}, account.name, " ", h("span", { class: "muted" }, `${account.brokerAccountId} · ${account.mode}`)),
    balance.status === "fulfilled"
      ? h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Cash"),
          h("dd", {}, money(balance.value.cash, balance.value.currency)),
          h("dt", {}, "Equity"),
          h("dd", {}, money(balance.value.equity, balance.value.currency)),
          h("dt", {}, "Buying power"),
          h("dd", {}, money(balance.value.buyingPower, balance.value.currency)),
        )
      : h("p", { class: "field-error", role: "alert" }, errorMessage(balance.reason)),
    positions.status === "fulfilled"
      ? positions.value.length
        ? table(
            `Positions of ${account.name}`,
            ["Ticker", "Quantity", "Avg price"],
            positions.value.map((p) => [p.ticker, num(p.quantity), num(p.avgPrice)]),
          )
        : note("No open positions.")
      : h("p", { class: "field-error", role: "alert" }, errorMessage(positions.reason)),
  );
}

function connectionCard(c: Connection, brokerName: string): HTMLElement {
  const status = h("div", { class: "result" });
  const test = h("button", { type: "button", class: "secondary small" }, "Test connection");
  test.addEventListener("click", () => {
    test.disabled = true;
    replace(status, outcome("info", `Testing with ${brokerName}…`));
    void testConnection(c.id, brokerName)
      .then((r) => replace(status, outcome(r.ok === false ? "bad" : r.ok ? "good" : "info", r.sentence)))
      .finally(() => (test.disabled = false));
  });
  const holdings = h("div", { class: "holdings" }, note("Loading…"));
  const details = h("details", { class: "holdings-toggle" }, h("summary", {}, "Balance and positions"), holdings);
  details.addEventListener("toggle", () => {
    if (!details.open) return;
    replace(holdings, note("Loading…"));
    void Promise.all(c.accounts.map((a) => accountPanel(c.id, a))).then((panels) =>
      replace(holdings, panels.length ? panels : note("This connection reports no accounts.")),
    );
  });
  return h(
    "article",
    { class: "card", "data-connection-id": c.id },
    h("header", { class: "card-head" }, h("h2", {}, c.name), badge(c.status)),
    c.statusMessage && h("p", { class: "muted" }, c.statusMessage),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Broker"),
      h("dd", {}, brokerName),
      h("dt", {}, "Accounts"),
      h("dd", {}, c.accounts.map((a) => `${a.name} (${a.mode})`).join(", ") || "None"),
      c.credentialsHint && [h("dt", {}, "Key"), h("dd", {}, h("code", {}, c.credentialsHint))],
      h("dt", {}, "Connected"),
      h("dd", {}, when(c.createdAt)),
    ),
    h("div", { class: "actions" }, test),
    status,
    details,
  );
}

export function connectionsView(root: HTMLElement): void {
  const list = h("div", { class: "cards" }, note("Loading connections…"));
  const formArea = h("div");
  // Enabled once the broker list (which the form is generated from) has loaded.
  const add = h("button", { type: "button", "aria-expanded": "false", disabled: true }, "Add connection");
  let brokers: Broker[] = [];

  const load = async (): Promise<void> => {
    const rows = await call(api.api.connections.$get());
    const nameOf = (id: string): string => brokers.find((b) => b.id === id)?.displayName ?? id;
    replace(list, rows.length ? rows.map((c) => connectionCard(c, nameOf(c.broker))) : note("No connections yet. Add one to trade: the built-in paper broker needs no keys."));
  };

  add.addEventListener("click", () => {
    const opening = !formArea.firstChild;
    add.setAttribute("aria-expanded", String(opening));
    if (!opening) return replace(formArea);
    const form = connectionForm(brokers, load);
    replace(formArea, form);
    form.querySelector("select")?.focus();
  });

  replace(root, viewHeader("Connections", "Broker accounts Tradeloop can trade. Credentials are stored encrypted and never shown again.", add), formArea, list);
  call(api.api.brokers.$get())
    .then((b) => {
      brokers = b;
      add.disabled = false;
      return load();
    })
    .catch((e: unknown) => replace(list, h("p", { class: "field-error", role: "alert" }, errorMessage(e))));
}
