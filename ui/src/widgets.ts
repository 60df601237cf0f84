/**
 * Small presentational pieces shared by the views.
 *
 * @module
 */
import { type Child, h } from "./dom";
import { humanize } from "./format";

const TONES: Record<string, string> = {
  active: "good",
  accepted: "good",
  filled: "good",
  enabled: "good",
  approved: "good",
  partially_filled: "warn",
  open: "warn",
  queued: "warn",
  executing: "warn",
  pending_approval: "warn",
  expired: "bad",
  error: "bad",
  rejected: "bad",
  failed: "bad",
  cancelled: "muted",
  disabled: "muted",
  // Signal outcomes (GET /api/signals `outcome`)
  traded: "good",
  "partly-traded": "warn",
  pending: "warn",
  "awaiting-approval": "warn",
  "nothing-traded": "muted",
};

/** A status pill; the text carries the meaning, the colour only repeats it. */
export function badge(status: string): HTMLElement {
  return h("span", { class: `badge ${TONES[status] ?? "muted"}` }, humanize(status));
}

/** The view's heading and intro; the heading takes focus after navigation for screen readers. */
export function viewHeader(title: string, intro: string, ...actions: Child[]): HTMLElement {
  return h("header", { class: "view-header" }, h("div", {}, h("h1", { tabindex: "-1" }, title), h("p", { class: "lead" }, intro)), h("div", { class: "actions" }, ...actions));
}

/** A live region for a one-sentence outcome (a test result, an approval). */
export function outcome(kind: "good" | "bad" | "info", text: string): HTMLElement {
  return h("p", { class: `outcome ${kind}`, role: kind === "bad" ? "alert" : "status" }, text);
}

/** A paragraph shown while something loads, or when a list is empty. */
export function note(text: Child, ...more: Child[]): HTMLElement {
  return h("p", { class: "note" }, text, ...more);
}

/** A simple data table; cells are any children. */
export function table(caption: string, head: string[], rows: Child[][]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))),
    ),
  );
}
