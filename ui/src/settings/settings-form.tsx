/**
 * The subscription settings form: every setting in its group, inline errors
 * in words, limits from the API's schema. `onSave` gets the settings JSON;
 * an API error that names a setting is shown next to it. Used to create
 * (then reset to the defaults) and to edit a subscription; mounted alone by
 * its component test.
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { useState } from "hono/jsx/dom";
import { Field, Notice, controlProps } from "../components/ui";
import { formErrors, type FormErrors, NO_ERRORS } from "../messages";
import type { SubscriptionSettings } from "../types";
import { type Draft, type FieldSpec, fromDraft, GROUPS, SETTING_NAMES, settingOf, type SlKind, type SlType, type TpKind, toDraft, WEEKDAYS } from "./model";

const DAY_LABELS: Record<string, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

/** The form. `before` renders above the groups (the strategy/account choice when creating). */
export function SettingsForm({
  schema,
  initial,
  mode,
  onSave,
  before,
  submitLabel,
  idPrefix = "s",
}: {
  schema: unknown;
  initial: SubscriptionSettings;
  mode: "create" | "edit";
  onSave: (settings: Record<string, unknown>) => Promise<void>;
  before?: Child;
  submitLabel: string;
  idPrefix?: string;
}) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<Draft>): void => {
    setSaved(false);
    setDraft({ ...draft, ...patch } as Draft);
  };
  const id = (key: string): string => `${idPrefix}-${key}`;
  const err = (key: string): string | undefined => errors.fields[key];

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const read = fromDraft(draft, schema, mode === "edit");
    if ("errors" in read) {
      setErrors({ fields: read.errors, form: null });
      requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    onSave(read.settings)
      .then(() => {
        setSaved(true);
        // A new subscription's form starts over; an edited one keeps what was saved.
        if (mode === "create") setDraft(toDraft(initial));
      })
      .catch((e: unknown) => {
        // Next to the setting when the form shows it; otherwise on top of the form.
        const shown = (path: string): string | null => {
          const key = settingOf(path);
          return GROUPS.some((g) => g.fields.some((f) => f.key === key && (!f.showIf || f.showIf(draft)))) ? key : null;
        };
        setErrors(formErrors(e, SETTING_NAMES, shown));
        requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true], .notice.bad")?.focus());
      })
      .finally(() => setBusy(false));
  };

  const control = (f: FieldSpec): Child => {
    const e = err(f.key);
    const label = "unit" in f && f.unit ? `${f.label} (${f.unit})` : f.label;
    if (f.kind === "bool")
      return (
        <Field name={id(f.key)} label={label} help={f.help} error={e} check>
          <input {...controlProps(id(f.key), e, Boolean(f.help))} type="checkbox" checked={draft[f.key] === true} onChange={(ev: Event) => set({ [f.key]: (ev.target as HTMLInputElement).checked })} />
        </Field>
      );
    if (f.kind === "select")
      return (
        <Field name={id(f.key)} label={label} help={f.help} error={e}>
          <select {...controlProps(id(f.key), e, Boolean(f.help))} value={String(draft[f.key] ?? "")} onChange={(ev: Event) => set({ [f.key]: (ev.target as HTMLSelectElement).value })}>
            {f.optional ? <option value="">{f.optional}</option> : null}
            {Object.entries(f.labels).map(([v, l]) => (
              <option value={v}>{l}</option>
            ))}
          </select>
        </Field>
      );
    if (f.kind === "number")
      return (
        <Field name={id(f.key)} label={label} help={f.help ?? (f.optional ? "Empty = off." : undefined)} error={e}>
          <input {...controlProps(id(f.key), e, Boolean(f.help) || Boolean(f.optional))} type="number" step="any" inputMode="decimal" value={String(draft[f.key] ?? "")} onInput={(ev: Event) => set({ [f.key]: (ev.target as HTMLInputElement).value })} />
        </Field>
      );
    if (f.kind === "tickers" || f.kind === "text")
      return (
        <Field name={id(f.key)} label={label} help={f.help} error={e}>
          <input {...controlProps(id(f.key), e, Boolean(f.help))} autocomplete="off" placeholder={f.placeholder ?? ""} value={String(draft[f.key] ?? "")} onInput={(ev: Event) => set({ [f.key]: (ev.target as HTMLInputElement).value })} />
        </Field>
      );
    if (f.kind === "takeProfit")
      return (
        <div class="field group-field" role="group" aria-labelledby={id("tp-legend")}>
          <span class="label" id={id("tp-legend")}>
            Take profit
          </span>
          <div class="pair">
            <select aria-label="Take profit as" {...controlProps(id("takeProfit-kind"), undefined)} value={draft.tpKind} onChange={(ev: Event) => set({ tpKind: (ev.target as HTMLSelectElement).value as TpKind })}>
              <option value="none">None</option>
              <option value="percent">Percent from entry</option>
              <option value="amount">Price distance</option>
              <option value="pnlAmount">Dollar profit</option>
            </select>
            {draft.tpKind === "none" ? null : (
              <input aria-label="Take profit value" {...controlProps(id("takeProfit"), e)} type="number" step="any" inputMode="decimal" value={draft.tpValue} onInput={(ev: Event) => set({ tpValue: (ev.target as HTMLInputElement).value })} />
            )}
          </div>
          {e ? (
            <p class="field-error" id={`f-${id("takeProfit")}-err`} role="alert">
              {e}
            </p>
          ) : null}
        </div>
      );
    if (f.kind === "stopLoss") {
      const trailing = draft.slType === "trailing_stop";
      return (
        <div class="field group-field" role="group" aria-labelledby={id("sl-legend")}>
          <span class="label" id={id("sl-legend")}>
            Stop loss
          </span>
          <div class="pair">
            <select aria-label="Stop loss type" {...controlProps(id("stopLoss-type"), undefined)} value={draft.slType} onChange={(ev: Event) => set({ slType: (ev.target as HTMLSelectElement).value as SlType })}>
              <option value="none">None</option>
              <option value="stop">Stop</option>
              <option value="stop_limit">Stop limit</option>
              <option value="trailing_stop">Trailing stop</option>
            </select>
            {draft.slType === "none" ? null : (
              <select aria-label="Stop loss as" {...controlProps(id("stopLoss-kind"), undefined)} value={draft.slKind} onChange={(ev: Event) => set({ slKind: (ev.target as HTMLSelectElement).value as SlKind })}>
                {trailing ? (
                  <>
                    <option value="trailPercent">Trail by percent</option>
                    <option value="trailAmount">Trail by price distance</option>
                  </>
                ) : (
                  <>
                    <option value="percent">Percent from entry</option>
                    <option value="amount">Price distance</option>
                    <option value="pnlAmount">Dollar loss</option>
                  </>
                )}
              </select>
            )}
            {draft.slType === "none" ? null : (
              <input aria-label="Stop loss value" {...controlProps(id("stopLoss"), e)} type="number" step="any" inputMode="decimal" value={draft.slValue} onInput={(ev: Event) => set({ slValue: (ev.target as HTMLInputElement).value })} />
            )}
          </div>
          {draft.slType === "stop_limit" ? (
            <label class="sub">
              Limit offset past the stop
              <input type="number" step="any" min="0" value={draft.slLimitOffset} onInput={(ev: Event) => set({ slLimitOffset: (ev.target as HTMLInputElement).value })} />
            </label>
          ) : null}
          {e ? (
            <p class="field-error" id={`f-${id("stopLoss")}-err`} role="alert">
              {e}
            </p>
          ) : null}
        </div>
      );
    }
    if (f.kind === "dailyLimit") {
      const l = draft[f.key];
      const put = (patch: Partial<typeof l>): void => set({ [f.key]: { ...l, ...patch } });
      return (
        <div class="field group-field" role="group" aria-labelledby={id(`${f.key}-legend`)}>
          <span class="label" id={id(`${f.key}-legend`)}>
            {f.label}
          </span>
          {f.help ? <p class="help">{f.help}</p> : null}
          <div class="pair">
            <input aria-label={`${f.label} ($)`} placeholder="Off" {...controlProps(id(f.key), e)} type="number" step="any" min="0" inputMode="decimal" value={l.amount} onInput={(ev: Event) => put({ amount: (ev.target as HTMLInputElement).value })} />
          </div>
          {l.amount.trim() === "" ? null : (
            <>
              <label class="sub">
                The trading day starts at
                <input type="time" value={l.resetTime} onInput={(ev: Event) => put({ resetTime: (ev.target as HTMLInputElement).value })} />
              </label>
              <label class="sub">
                Time zone
                <input autocomplete="off" value={l.timezone} onInput={(ev: Event) => put({ timezone: (ev.target as HTMLInputElement).value })} />
              </label>
              <label class="sub check">
                <input type="checkbox" checked={l.flatten} onChange={(ev: Event) => put({ flatten: (ev.target as HTMLInputElement).checked })} />
                Also close this subscription's positions when it is reached
              </label>
            </>
          )}
          {e ? (
            <p class="field-error" id={`f-${id(f.key)}-err`} role="alert">
              {e}
            </p>
          ) : null}
        </div>
      );
    }
    // Trading windows: a list of start/end/days rows.
    return (
      <div class="field windows" role="group" aria-labelledby={id("windows-legend")}>
        <span class="label" id={id("windows-legend")}>
          Windows
        </span>
        {draft.windows.length === 0 ? <p class="help">No windows: entries run at any time.</p> : null}
        {draft.windows.map((w, i) => (
          <div class="window" key={String(i)}>
            <label>
              From
              <input type="time" value={w.start} onInput={(ev: Event) => set({ windows: draft.windows.map((x, j) => (j === i ? { ...x, start: (ev.target as HTMLInputElement).value } : x)) })} />
            </label>
            <label>
              To
              <input type="time" value={w.end} onInput={(ev: Event) => set({ windows: draft.windows.map((x, j) => (j === i ? { ...x, end: (ev.target as HTMLInputElement).value } : x)) })} />
            </label>
            <fieldset class="days">
              <legend class="visually-hidden">Days of window {i + 1}</legend>
              {WEEKDAYS.map((day) => (
                <label class="day">
                  <input
                    type="checkbox"
                    checked={w.days.includes(day)}
                    onChange={(ev: Event) => {
                      const on = (ev.target as HTMLInputElement).checked;
                      set({ windows: draft.windows.map((x, j) => (j === i ? { ...x, days: on ? [...x.days, day] : x.days.filter((dd) => dd !== day) } : x)) });
                    }}
                  />
                  {DAY_LABELS[day]}
                </label>
              ))}
            </fieldset>
            <button type="button" class="link" onClick={() => set({ windows: draft.windows.filter((_, j) => j !== i) })}>
              Remove window {i + 1}
            </button>
          </div>
        ))}
        <button type="button" class="secondary small" onClick={() => set({ windows: [...draft.windows, { start: "09:30", end: "16:00", days: ["mon", "tue", "wed", "thu", "fri"] }] })}>
          Add a window
        </button>
        {e ? (
          <p class="field-error" id={`f-${id("tradingWindows")}-err`} role="alert">
            {e}
          </p>
        ) : null}
      </div>
    );
  };

  const group = (g: (typeof GROUPS)[number]): Child => (
    <fieldset class="settings-group" id={id(`group-${g.id}`)} data-group={g.id}>
      <legend>{g.title}</legend>
      <p class="help">{g.intro}</p>
      {g.fields.filter((f) => !f.showIf || f.showIf(draft)).map(control)}
    </fieldset>
  );

  return (
    <form class="settings-form" noValidate onSubmit={submit} aria-busy={busy ? "true" : "false"} data-settings-form={mode}>
      {before}
      {errors.form ? (
        <p class="notice bad" role="alert" tabindex={-1}>
          {errors.form}
        </p>
      ) : null}
      {(mode === "create" ? GROUPS.slice(0, 1) : GROUPS).map(group)}
      {mode === "create" ? (
        // Creating: sizing first, the rest folded (their defaults are a fine start) unless one needs fixing.
        <details class="more-settings" open={Object.keys(errors.fields).some((k) => !GROUPS[0]?.fields.some((f) => f.key === k))}>
          <summary>More settings: entries, exits, take profit and stop loss, sides, windows, approvals, risk limits, filters</summary>
          {GROUPS.slice(1).map(group)}
        </details>
      ) : null}
      <div class="actions sticky-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {saved ? <Notice tone="good">{mode === "create" ? "Subscribed. The form is ready for another." : "Saved. The next alert uses these settings."}</Notice> : null}
      </div>
    </form>
  );
}
