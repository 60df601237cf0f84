/**
 * The dashboard's shell: the auth screen without a session, otherwise the
 * header with navigation and the current view (hash routing).
 *
 * @module
 */
import "./style.css";
import { api, setUnauthorizedHandler } from "./api";
import { h, replace } from "./dom";
import { currentPath, navigate, type Route } from "./router";
import { clearSession, getEmail, hasSession, saveSession } from "./session";
import { approvalsView } from "./views/approvals";
import { authView } from "./views/auth";
import { connectionsView } from "./views/connections";
import { signalsView } from "./views/signals";
import { strategiesView } from "./views/strategies";
import { subscriptionsView } from "./views/subscriptions";

const ROUTES: Route[] = [
  { path: "signals", label: "Signals", view: signalsView },
  { path: "strategies", label: "Strategies", view: strategiesView },
  { path: "connections", label: "Connections", view: connectionsView },
  { path: "subscriptions", label: "Subscriptions", view: subscriptionsView },
  { path: "approvals", label: "Approvals", view: approvalsView },
];

const app = document.getElementById("app") ?? document.body;
let cleanup: (() => void) | void;

function logOut(): void {
  // Ends the session on the server (its cookies stop working everywhere), then forgets it here.
  void api.api.auth.logout.$post().finally(() => {
    clearSession();
    render();
  });
}

function shell(): { nav: HTMLElement; view: HTMLElement } {
  const nav = h("nav", { "aria-label": "Main" }, h("ul", {}, ROUTES.map((r) => h("li", {}, h("a", { href: `#/${r.path}`, "data-path": r.path }, r.label)))));
  const view = h("main", { id: "view", tabindex: "-1" });
  replace(
    app,
    h("a", { href: "#view", class: "skip" }, "Skip to content"),
    h(
      "header",
      { class: "topbar" },
      h("a", { href: "#/signals", class: "brand" }, "Tradeloop"),
      nav,
      h("div", { class: "who" }, h("span", { class: "muted" }, getEmail() ?? ""), h("button", { type: "button", class: "secondary small", onclick: logOut }, "Log out")),
    ),
    view,
  );
  return { nav, view };
}

let frame: { nav: HTMLElement; view: HTMLElement } | null = null;

function render(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  if (!hasSession()) {
    frame = null;
    authView(app, () => {
      if (!ROUTES.some((r) => r.path === currentPath())) navigate("signals");
      render();
    });
    return;
  }
  const route = ROUTES.find((r) => r.path === currentPath());
  if (!route) return navigate("signals");
  frame ??= shell();
  for (const a of frame.nav.querySelectorAll("a")) {
    if (a.dataset.path === route.path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${route.label} · Tradeloop`;
  cleanup = route.view(frame.view);
  frame.view.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
}

setUnauthorizedHandler(() => {
  // An expired or revoked session: back to the log-in screen (a failed log-in itself has no session).
  if (!hasSession()) return;
  clearSession();
  render();
});

window.addEventListener("hashchange", () => {
  // The skip link targets #view; it is not a route.
  if (location.hash === "#view") return;
  render();
});

// A reload keeps the session: the cookies are still there, so ask who is logged in.
void api.api.auth.me
  .$get()
  .then(async (res) => {
    if (res.ok) saveSession((await res.json()).user.email);
  })
  .catch(() => undefined)
  .finally(render);
