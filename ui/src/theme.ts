/**
 * Light and dark themes. The default follows the system
 * (`prefers-color-scheme`); a choice made in the page is remembered on this
 * device (a preference, not a secret) as `data-theme` on <html>.
 *
 * @module
 */
const KEY = "tradeloop.theme";

export type Theme = "system" | "light" | "dark";

/** The stored choice. */
export function storedTheme(): Theme {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** Applies and remembers a choice. */
export function setTheme(theme: Theme): void {
  if (theme === "system") {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}

/** Applies the stored choice at start-up. */
export function applyStoredTheme(): void {
  setTheme(storedTheme());
}
