/**
 * Subscriptions: which account follows which strategy, with the settings
 * traders change most (quantity, adding to a position, side swaps, manual
 * approval), and enable/disable.
 *
 * @module
 */
import { api, call } from "../api";
import { h, replace } from "../dom";
import { num } from "../format";
import { checked, field, submitting, value } from "../forms";
import type { Connection, Strategy, Subscription } from "../types";
import { badge, note, table, viewHeader } from "../widgets";
import { errorMessage } from "../../../plugins/sdk/errors";

function yesNo(v: boolean): string {
  return v ? "Yes" : "No";
}

function createForm(strategies: Strategy[], connections: Connection[], onCreated: () => Promise<void>): HTMLFormElement {
  const strategy = h("select", { name: "strategyId" }, strategies.map((s) => h("option", { value: s.id }, s.name)));
  const connection = h("select", { name: "connectionId" }, connections.map((c) => h("option", { value: c.id }, c.name)));
  const account = h("select", { name: "accountId" });
  const accountField = field("Account", account);
  const syncAccounts = (): void => {
    const accounts = connections.find((c) => c.id === connection.value)?.accounts ?? [];
    replace(account, accounts.map((a) => h("option", { value: a.id }, `${a.name} (${a.mode})`)));
    // Most connections reach one account: no choice to show then.
    accountField.hidden = accounts.length < 2;
  };
  connection.addEventListener("change", syncAccounts);
  syncAccounts();

  const quantity = h("input", { name: "settings.quantity", type: "number", min: "0", step: "any", value: "1", required: true, "aria-required": "true" });
  const form = h(
    "form",
    { class: "card form-grid", novalidate: true, "aria-labelledby": "new-subscription" },
    h("h2", { id: "new-subscription" }, "New subscription"),
    field("Strategy", strategy),
    field("Connection", connection),
    accountField,
    field("Quantity", quantity, "Shares, contracts or units per entry, unless the alert says otherwise."),
    field("Add to an open position", h("input", { type: "checkbox", name: "settings.allowAddToPosition" }), "A buy while already long buys more, instead of being ignored."),
    field("Allow side swap", h("input", { type: "checkbox", name: "settings.allowSideSwap", checked: true }), "A sell while long closes the long and opens a short."),
    field("Send orders automatically", h("input", { type: "checkbox", name: "settings.autoSubmit", checked: true }), "Untick to approve each trade under Approvals before any order is sent."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Subscribe")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(form, async () => {
      const q = value(form, "settings.quantity").trim();
      await call(
        api.api.subscriptions.$post({
          json: {
            strategyId: strategy.value,
            connectionId: connection.value,
            ...(account.value && { accountId: account.value }),
            settings: {
              // Text that is not a number goes through unchanged so the API names the field.
              quantity: q !== "" && Number.isFinite(Number(q)) ? Number(q) : q,
              allowAddToPosition: checked(form, "settings.allowAddToPosition"),
              allowSideSwap: checked(form, "settings.allowSideSwap"),
              autoSubmit: checked(form, "settings.autoSubmit"),
            },
          },
        }),
      );
      await onCreated();
    });
  });
  return form;
}

function toggleButton(sub: Subscription, onChanged: () => Promise<void>): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary small" }, sub.enabled ? "Disable" : "Enable");
  button.addEventListener("click", () => {
    button.disabled = true;
    call(api.api.subscriptions[":id"].$patch({ param: { id: sub.id }, json: { enabled: !sub.enabled } }))
      .then(onChanged)
      .catch((e: unknown) => button.after(h("p", { class: "field-error", role: "alert" }, errorMessage(e))))
      .finally(() => (button.disabled = false));
  });
  return button;
}

export function subscriptionsView(root: HTMLElement): void {
  const formArea = h("div");
  const list = h("div", {}, note("Loading subscriptions…"));
  replace(root, viewHeader("Subscriptions", "Subscribe a broker account to a strategy: its alerts then trade that account."), formArea, list);

  const load = async (): Promise<void> => {
    const [strategies, connections, subs] = await Promise.all([
      call(api.api.strategies.$get()),
      call(api.api.connections.$get()),
      call(api.api.subscriptions.$get({ query: {} })),
    ]);
    if (!formArea.firstChild) {
      replace(
        formArea,
        strategies.length && connections.length
          ? createForm(strategies, connections, load)
          : note("Create a ", h("a", { href: "#/strategies" }, "strategy"), " and a ", h("a", { href: "#/connections" }, "connection"), " first."),
      );
    }
    const strategyName = (id: string): string => strategies.find((s) => s.id === id)?.name ?? "Deleted strategy";
    const accountName = (s: Subscription): string => {
      const c = connections.find((c) => c.id === s.connectionId);
      const a = c?.accounts.find((a) => a.id === s.accountId);
      return c ? `${c.name}${a && c.accounts.length > 1 ? ` · ${a.name}` : ""}` : "Deleted connection";
    };
    replace(
      list,
      subs.length
        ? table(
            "Subscriptions",
            ["Strategy", "Account", "Quantity", "Add to position", "Side swap", "Automatic", "Status", ""],
            subs.map((s) => [
              strategyName(s.strategyId),
              accountName(s),
              num(s.settings.quantity),
              yesNo(s.settings.allowAddToPosition),
              yesNo(s.settings.allowSideSwap),
              s.settings.autoSubmit ? "Yes" : "Needs approval",
              badge(s.enabled ? "enabled" : "disabled"),
              toggleButton(s, load),
            ]),
          )
        : note("No subscriptions yet."),
    );
  };
  load().catch((e: unknown) => replace(list, h("p", { class: "field-error", role: "alert" }, errorMessage(e))));
}
