/**
 * Strategies: create one, see its webhook URL once (Tradeloop stores only a
 * hash of the secret), rotate the secret, and copy alert templates.
 *
 * @module
 */
import { api, call } from "../api";
import { copyButton } from "../copy";
import { h, replace } from "../dom";
import { humanize, when } from "../format";
import { field, submitting, value } from "../forms";
import type { Strategy } from "../types";
import { badge, note, viewHeader } from "../widgets";
import { errorMessage } from "../../../plugins/sdk/errors";

const ASSET_CLASSES = ["stocks", "options", "futures", "crypto", "forex"] as const satisfies readonly Strategy["assetClass"][];

/** The once-only webhook URL, with a copy button and the warning that it will not be shown again. */
function webhookPanel(strategy: Strategy, url: string, onDone: () => void): HTMLElement {
  const input = h("input", { type: "text", readonly: true, class: "mono", name: "webhookUrl", "aria-label": `Webhook URL of ${strategy.name}` });
  input.value = url;
  input.addEventListener("focus", () => input.select());
  const panel = h(
    "section",
    { class: "secret-once", role: "alert", "aria-label": `Webhook URL of ${strategy.name}` },
    h("h2", {}, `Webhook URL for “${strategy.name}”`),
    h("div", { class: "copy-row" }, input, copyButton(() => url, "Copy URL")),
    h(
      "p",
      {},
      h("strong", {}, "Store it now. "),
      "This URL contains the secret that lets alerts trade. Tradeloop keeps only a hash of it and cannot show it again; if you lose it, rotate the secret for a new one.",
    ),
    h("button", { type: "button", class: "secondary", onclick: onDone }, "I stored it"),
  );
  return panel;
}

function templatesSection(strategy: Strategy): HTMLElement {
  const body = h("div", { class: "templates" }, note("Loading templates…"));
  const details = h("details", { class: "templates-toggle" }, h("summary", {}, "Alert templates"), body);
  let loaded = false;
  details.addEventListener("toggle", () => {
    if (!details.open || loaded) return;
    loaded = true;
    call(api.api.strategies[":id"].templates.$get({ param: { id: strategy.id } }))
      .then((t) =>
        replace(
          body,
          h("p", { class: "help" }, "Paste your full webhook URL (shown when you created the strategy or rotated its secret) where a template shows ", h("code", {}, "<secret>"), "."),
          t.templates.map((tpl) =>
            h(
              "article",
              { class: "template", "data-template": tpl.id },
              h("h3", {}, tpl.title),
              h("p", { class: "help" }, tpl.instructions),
              h("pre", {}, h("code", {}, tpl.body)),
              copyButton(() => tpl.body, `Copy ${tpl.kind === "json" ? "message" : "code"}`),
            ),
          ),
        ),
      )
      .catch((e: unknown) => {
        loaded = false;
        replace(body, h("p", { class: "field-error", role: "alert" }, errorMessage(e)));
      });
  });
  return details;
}

function strategyCard(s: Strategy, showUrl: (s: Strategy, url: string) => void): HTMLElement {
  const rotateArea = h("div");
  const rotate = h("button", { type: "button", class: "secondary small" }, "Rotate secret");
  rotate.addEventListener("click", () => {
    if (!confirm(`Rotate the webhook secret of “${s.name}”? The current URL stops working at once; update your alerts with the new one.`)) return;
    rotate.disabled = true;
    call(api.api.strategies[":id"]["rotate-secret"].$post({ param: { id: s.id } }))
      .then((updated) => {
        if (updated.webhookUrl) showUrl(updated, updated.webhookUrl);
      })
      .catch((e: unknown) => replace(rotateArea, h("p", { class: "field-error", role: "alert" }, errorMessage(e))))
      .finally(() => (rotate.disabled = false));
  });
  return h(
    "article",
    { class: "card", "data-strategy-id": s.id },
    h("header", { class: "card-head" }, h("h2", {}, s.name), badge(s.enabled ? "enabled" : "disabled")),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Asset class"),
      h("dd", {}, humanize(s.assetClass)),
      h("dt", {}, "Tickers"),
      h("dd", {}, s.allowedTickers?.join(", ") ?? "Any"),
      h("dt", {}, "Webhook"),
      h("dd", {}, h("code", { class: "mono" }, s.webhookUrlHint)),
      h("dt", {}, "Created"),
      h("dd", {}, when(s.createdAt)),
    ),
    h("div", { class: "actions" }, rotate),
    rotateArea,
    templatesSection(s),
  );
}

export function strategiesView(root: HTMLElement): void {
  const secretArea = h("div");
  const list = h("div", { class: "cards" }, note("Loading strategies…"));
  const name = h("input", { name: "name", required: true, "aria-required": "true", autocomplete: "off", placeholder: "Trend follower" });
  const assetClass = h("select", { name: "assetClass" }, ASSET_CLASSES.map((a) => h("option", { value: a }, humanize(a))));
  const tickers = h("input", { name: "allowedTickers", autocomplete: "off", placeholder: "AAPL, MSFT" });
  const form = h(
    "form",
    { class: "card form-grid", novalidate: true, "aria-labelledby": "new-strategy" },
    h("h2", { id: "new-strategy" }, "New strategy"),
    field("Name", name),
    field("Asset class", assetClass),
    field("Allowed tickers", tickers, "Optional, comma-separated. Empty = any ticker."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create strategy")),
  );

  const showUrl = (s: Strategy, url: string): void => {
    replace(secretArea, webhookPanel(s, url, () => replace(secretArea)));
    secretArea.scrollIntoView({ block: "nearest" });
    secretArea.querySelector("input")?.focus();
  };

  const load = async (): Promise<void> => {
    const rows = await call(api.api.strategies.$get());
    replace(list, rows.length ? rows.map((s) => strategyCard(s, showUrl)) : note("No strategies yet. Create one to get a webhook URL for your alerts."));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(form, async () => {
      const list = value(form, "allowedTickers").split(/[\s,]+/).filter(Boolean);
      const created = await call(
        api.api.strategies.$post({
          json: {
            name: value(form, "name"),
            assetClass: ASSET_CLASSES.find((a) => a === assetClass.value) ?? "stocks",
            ...(list.length > 0 && { allowedTickers: list }),
          },
        }),
      );
      form.reset();
      if (created.webhookUrl) showUrl(created, created.webhookUrl);
      await load();
    });
  });

  replace(root, viewHeader("Strategies", "A strategy is a source of alerts with its own webhook URL. Subscribe broker accounts to it under Subscriptions."), secretArea, form, list);
  load().catch((e: unknown) => replace(list, h("p", { class: "field-error", role: "alert" }, errorMessage(e))));
}
