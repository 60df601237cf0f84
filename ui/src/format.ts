/** Display formatting shared by the views. @module */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** An ISO timestamp in the viewer's locale and time zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** A number without float noise (prices, quantities). */
export function num(value: number | string | null | undefined, maxDigits = 8): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n.toLocaleString(undefined, { maximumFractionDigits: maxDigits }) : String(value);
}

/** A money amount with its currency. */
export function money(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return "—";
  try {
    return value.toLocaleString(undefined, { style: "currency", currency });
  } catch {
    // A crypto "currency" (USDT) is not ISO 4217.
    return `${num(value, 2)} ${currency}`;
  }
}

/** `enter-new-position` → `Enter new position`; `pending_approval` → `Pending approval`. */
export function humanize(code: string): string {
  const words = code.replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
