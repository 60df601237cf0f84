/**
 * Settings: the theme, and the places where the account-wide guardrails and
 * security settings live. Each section says plainly when this Tradeloop does
 * not offer it yet, rather than showing made-up data.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { PageHeader } from "../components/ui";
import { setTheme, storedTheme, type Theme } from "../theme";

function Planned({ title, children }: { title: string; children: string }) {
  return (
    <section class="card planned" aria-labelledby={`s-${title}`}>
      <h2 id={`s-${title}`}>{title}</h2>
      <p class="muted">{children}</p>
      <p class="small">Not available on this Tradeloop yet: it appears here after an update.</p>
    </section>
  );
}

/** The Settings screen. */
export function SettingsView() {
  const [theme, setThemeState] = useState<Theme>(storedTheme());
  return (
    <>
      <PageHeader title="Settings" intro="Your account, its safety limits, and how the dashboard looks." />
      <section class="card" aria-labelledby="s-theme">
        <h2 id="s-theme">Appearance</h2>
        <fieldset class="inline-choice">
          <legend>Theme</legend>
          {(["system", "light", "dark"] as const).map((t) => (
            <label>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={theme === t}
                onChange={() => {
                  setTheme(t);
                  setThemeState(t);
                }}
              />
              {t === "system" ? "Follow the system" : t === "light" ? "Light" : "Dark"}
            </label>
          ))}
        </fieldset>
      </section>
      <Planned title="Kill switch">Stop every subscription from trading with one click, from any screen, and start again when you are ready.</Planned>
      <Planned title="Limits">Daily loss, order size and position limits that refuse a trade before it reaches the broker.</Planned>
      <Planned title="Notifications">Channels that tell you when a trade fails, waits for approval or a connection expires.</Planned>
      <Planned title="API tokens">Tokens for your own scripts, each with its own name and revocable on its own.</Planned>
      <Planned title="Sessions">Where you are logged in, with a way to log other devices out.</Planned>
    </>
  );
}
