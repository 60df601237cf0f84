/**
 * Presentational pieces every screen uses: badges, headers, the loading /
 * empty / error states, labelled fields, notices, a confirmation dialog,
 * money, and a table that becomes a list of cards on a phone.
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { errorText } from "../api";
import { humanize, money } from "../format";
import type { Loaded } from "../hooks";

type Tone = "good" | "warn" | "bad" | "muted" | "info";

const TONES: Record<string, Tone> = {
  active: "good",
  connected: "good",
  accepted: "good",
  filled: "good",
  enabled: "good",
  approved: "good",
  traded: "good",
  partially_filled: "warn",
  "partly-traded": "warn",
  expiring: "warn",
  open: "info",
  queued: "info",
  executing: "info",
  pending: "info",
  pending_approval: "warn",
  "awaiting-approval": "warn",
  paused: "muted",
  expired: "bad",
  error: "bad",
  rejected: "bad",
  failed: "bad",
  "nothing-traded": "muted",
  cancelled: "muted",
  disabled: "muted",
  disconnected: "muted",
};

/** A status pill. Any status string gets a sensible tone; the text carries the meaning, the colour repeats it. */
export function Badge({ status, label }: { status: string; label?: string }) {
  return <span class={`badge ${TONES[status] ?? "muted"}`}>{label ?? humanize(status)}</span>;
}

/** A screen's heading, intro and actions. The heading takes focus after navigation, for screen readers. */
export function PageHeader({ title, intro, children }: { title: string; intro: string; children?: Child }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), [title]);
  return (
    <header class="view-header">
      <div>
        <h1 tabindex={-1} ref={ref}>
          {title}
        </h1>
        <p class="lead">{intro}</p>
      </div>
      {children ? <div class="actions">{children}</div> : null}
    </header>
  );
}

/** Skeleton rows while a list loads. */
export function Loading({ what }: { what: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="visually-hidden">Loading {what}…</span>
      <div class="skeleton" />
      <div class="skeleton" />
      <div class="skeleton short" />
    </div>
  );
}

/** A designed empty state: what this is, and the one next step. */
export function Empty({ title, children }: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children ? <p class="muted">{children}</p> : null}
    </div>
  );
}

/** An error with a way to try again. */
export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="notice bad" role="alert">
      <span>{errorText(error)}</span>
      {retry ? (
        <button type="button" class="secondary small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/**
 * The three states of loaded data: loading, a load error (with retry), or
 * the content; a refresh that fails after data was shown keeps the data and
 * says so above it.
 */
export function LoadState<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => Child }) {
  if (loaded.data === undefined) {
    if (loaded.error) return <ErrorNote error={loaded.error} retry={() => void loaded.reload()} />;
    return <Loading what={what} />;
  }
  return (
    <>
      {loaded.error ? <ErrorNote error={loaded.error} retry={() => void loaded.reload()} /> : null}
      {children(loaded.data)}
    </>
  );
}

/** A one-sentence outcome (saved, tested, approved). */
export function Notice({ tone, children }: { tone: "good" | "bad" | "info"; children: Child }) {
  return (
    <p class={`notice ${tone}`} role={tone === "bad" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** Ids and ARIA wiring for the control of field `name`. */
export function controlProps(name: string, error: string | undefined, help?: boolean) {
  const id = `f-${name.replace(/[^\w-]/g, "-")}`;
  const describedBy = [help ? `${id}-help` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return { id, name, "aria-invalid": error ? "true" : undefined, "aria-describedby": describedBy || undefined };
}

/** A labelled field: label, the control (children), help, and its error in words. */
export function Field({ name, label, help, error, check, children }: { name: string; label: string; help?: Child; error?: string | undefined; check?: boolean; children: Child }) {
  const id = `f-${name.replace(/[^\w-]/g, "-")}`;
  return (
    <div class={check ? "field check" : "field"}>
      {check ? children : null}
      <label for={id}>{label}</label>
      {check ? null : children}
      {help ? (
        <p class="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-err`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A money amount; `signed` colours gains and losses and shows the sign. */
export function Money({ value, currency = "USD", signed }: { value: number | null | undefined; currency?: string; signed?: boolean }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const text = money(value, currency);
  if (!signed) return <span class="num">{text}</span>;
  const tone = value > 0 ? "gain" : value < 0 ? "loss" : "";
  return <span class={`num ${tone}`}>{value > 0 ? `+${text}` : text}</span>;
}

/** A column of {@link DataTable}. */
export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  /** `num` right-aligns; `main` is the card's title on a phone; `actions` holds buttons. */
  kind?: "num" | "main" | "actions";
}

/**
 * A table on wide screens; on a phone each row becomes a card whose cells
 * carry their column's label (CSS only: `data-label`), so nothing sits in a
 * sideways-scrolling box.
 */
export function DataTable<T>({ caption, columns, rows, rowKey, rowAttrs }: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; rowAttrs?: (row: T) => Record<string, string> }) {
  return (
    <table class="data">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" class={c.kind ?? ""}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)} {...(rowAttrs?.(r) ?? {})}>
            {columns.map((c) => (
              <td class={c.kind ?? ""} data-label={c.label}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The async Clipboard API needs a secure context; a LAN address is not one.
    const area = document.createElement("textarea");
    area.value = text;
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** A button that copies `text` and says so for a moment. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button type="button" class="secondary small" onClick={() => void writeClipboard(text).then((ok) => setState(ok ? "copied" : "failed"))}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy manually" : label}
    </button>
  );
}

/**
 * A confirmation as a modal <dialog> (focus trapped, Escape cancels) that
 * says what will happen; `onConfirm` runs the action and closes on success.
 */
export function ConfirmButton({ label, title, body, confirmLabel, danger, onConfirm, small = true }: { label: string; title: string; body: Child; confirmLabel: string; danger?: boolean; onConfirm: () => Promise<void>; small?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = (): void => {
    setBusy(true);
    setError(null);
    onConfirm()
      .then(() => dialog.current?.close())
      .catch((e: unknown) => setError(e))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" class={`secondary${small ? " small" : ""}${danger ? " danger" : ""}`} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="confirm" aria-label={title}>
        <h2>{title}</h2>
        <div class="confirm-body">{body}</div>
        {error ? <ErrorNote error={error} /> : null}
        <div class="actions">
          <button type="button" class={danger ? "danger-solid" : ""} disabled={busy} onClick={confirm}>
            {busy ? "Working…" : confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
