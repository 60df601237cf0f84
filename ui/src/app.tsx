/**
 * The shell: who is logged in (asked of `GET /api/auth/me`, since the
 * session cookie is invisible to scripts), the log-in / sign-up / first-run
 * screens without a session, otherwise the top bar with navigation (and the
 * pending-approval count) and the current screen (hash routing).
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { useEffect, useState } from "hono/jsx/dom";
import { api, call, logOut, setUnauthorizedHandler } from "./api";
import { navigate, useApprovalsChanged, usePoll, useRoute, type Route } from "./hooks";
import { KillSwitch } from "./components/kill-switch";
import { ApprovalsView } from "./views/approvals";
import { AuthView } from "./views/auth";
import { ConnectionsView } from "./views/connections";
import { PerformanceView } from "./views/performance";
import { PositionsView } from "./views/positions";
import { SettingsView } from "./views/settings";
import { SignalsView } from "./views/signals";
import { StrategiesView } from "./views/strategies";
import { SubscriptionsView } from "./views/subscriptions";

interface Screen {
  path: string;
  label: string;
  view: (route: Route) => Child;
}

const SCREENS: Screen[] = [
  { path: "signals", label: "Signals", view: () => <SignalsView /> },
  { path: "positions", label: "Positions", view: () => <PositionsView /> },
  { path: "performance", label: "Performance", view: (r) => <PerformanceView selected={r.rest[0] ?? null} /> },
  { path: "strategies", label: "Strategies", view: () => <StrategiesView /> },
  { path: "subscriptions", label: "Subscriptions", view: (r) => <SubscriptionsView editing={r.rest[0] ?? null} /> },
  { path: "connections", label: "Connections", view: () => <ConnectionsView /> },
  { path: "approvals", label: "Approvals", view: () => <ApprovalsView /> },
  { path: "settings", label: "Settings", view: () => <SettingsView /> },
];

const HOME = "signals";

type Session = { state: "checking" } | { state: "out" } | { state: "in"; email: string };

/** The whole dashboard. */
export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const route = useRoute();

  useEffect(() => {
    setUnauthorizedHandler(() => setSession({ state: "out" }));
    call(api.api.auth.me.$get(), { quiet401: true })
      .then((me) => setSession({ state: "in", email: me.user.email }))
      .catch(() => setSession({ state: "out" }));
  }, []);

  const signedIn = (email: string): void => {
    setSession({ state: "in", email });
    if (!SCREENS.some((s) => s.path === route.path)) navigate(HOME);
  };

  if (session.state === "checking") return <p class="boot muted">Loading Tradeloop…</p>;
  if (route.path === "setup" && session.state === "out") return <AuthView mode="setup" setupToken={route.query.get("token") ?? ""} onSession={signedIn} />;
  if (session.state === "out") return <AuthView mode="login" onSession={signedIn} />;
  const screen = SCREENS.find((s) => s.path === route.path);
  if (!screen) {
    navigate(HOME);
    return null;
  }
  return (
    <Shell email={session.email} current={screen.path} onLogOut={() => void logOut().then(() => setSession({ state: "out" }))}>
      {screen.view(route)}
    </Shell>
  );
}

function Shell({ email, current, onLogOut, children }: { email: string; current: string; onLogOut: () => void; children: Child }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const pending = usePoll(async () => (await call(api.api.approvals.$get())).trades.length, 10_000);
  useApprovalsChanged(pending.reload);
  const screen = SCREENS.find((s) => s.path === current);
  useEffect(() => {
    document.title = `${screen?.label ?? "Tradeloop"} · Tradeloop`;
    setMenuOpen(false);
  }, [current]);
  return (
    <>
      <a href="#view" class="skip" onClick={(e: Event) => (e.preventDefault(), document.getElementById("view")?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a href="#/signals" class="brand" aria-label="Tradeloop home">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          Tradeloop
        </a>
        <button type="button" class="secondary small menu-toggle" aria-expanded={menuOpen ? "true" : "false"} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" class={menuOpen ? "open" : ""}>
          <ul>
            {SCREENS.map((s) => (
              <li key={s.path}>
                <a href={`#/${s.path}`} aria-current={s.path === current ? "page" : undefined}>
                  {s.label}
                  {s.path === "approvals" && pending.data ? (
                    <span class="count" aria-label={`${pending.data} waiting`}>
                      {pending.data}
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <KillSwitch />
          <span class="muted email">{email}</span>
          <button type="button" class="secondary small" onClick={onLogOut} title={`Logged in as ${email}`}>
            Log out
          </button>
        </div>
      </header>
      <main id="view" tabindex={-1}>
        {children}
      </main>
    </>
  );
}
