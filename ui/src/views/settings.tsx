/**
 * Settings: the theme, where the kill switch and limits live, notification
 * channels, API tokens and security (views/settings/).
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { PageHeader } from "../components/ui";
import { setTheme, storedTheme, type Theme } from "../theme";
import { ChannelsSection } from "./channels";
import { ApiTokensSection } from "./settings/api-tokens";
import { SecuritySection } from "./settings/security";


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
      <section class="card" aria-labelledby="s-guardrails">
        <h2 id="s-guardrails">Kill switch and limits</h2>
        <p class="muted">
          The kill switch is in the top bar of every screen: one click stops every entry of every subscription (exits still run), with an
          option to flatten what your subscriptions hold. Risk limits (daily loss limit, profit target, position caps, open positions, loss
          lockout, market hours) are set per subscription under Subscriptions → Risk; account-wide overrides go through the API (PUT /api/accounts/:id/risk), and the stricter value wins.
        </p>
      </section>
      <ChannelsSection />
      <ApiTokensSection />
      <SecuritySection />
    </>
  );
}
