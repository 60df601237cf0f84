/**
 * Form plumbing shared by every view: showing an API error next to the field
 * it names (`error.field`, e.g. `settings.quantity`), or at the top of the
 * form when it names none, and a busy state while a request runs.
 *
 * Inputs carry `name` equal to the API's dotted field path, so the error's
 * `field` finds its input without any per-form mapping.
 *
 * @module
 */
import { ApiError } from "./api";
import { h } from "./dom";

const ERROR_CLASS = "field-error";

/** Removes every error shown in `form`. */
export function clearErrors(form: HTMLElement): void {
  for (const el of form.querySelectorAll(`.${ERROR_CLASS}`)) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const describedBy = (el.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && !id.startsWith("err-"));
    if (describedBy.length) el.setAttribute("aria-describedby", describedBy.join(" "));
    else el.removeAttribute("aria-describedby");
  }
}

/** The control for a dotted API field, trying parents (`settings.x.y` → `settings.x`). */
function controlFor(form: HTMLElement, field: string): HTMLElement | null {
  const parts = field.split(".");
  while (parts.length) {
    const el = form.querySelector<HTMLElement>(`[name="${CSS.escape(parts.join("."))}"]`);
    if (el) return el;
    parts.pop();
  }
  return null;
}

/** Shows `error` next to its field (or at the top of `form`) and focuses that field. */
export function showError(form: HTMLElement, error: unknown): void {
  clearErrors(form);
  const message = error instanceof Error ? error.message : "Something went wrong. Try again.";
  const field = error instanceof ApiError ? error.field : undefined;
  const control = field ? controlFor(form, field) : null;
  const id = `err-${Math.random().toString(36).slice(2, 10)}`;
  const note = h("p", { class: ERROR_CLASS, id, role: "alert" }, message);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") ?? ""} ${id}`.trim());
    // A field folded into "Advanced settings" must be visible to be fixed.
    control.closest("details")?.setAttribute("open", "");
    // After the control's own wrapper keeps label, input, help and error together.
    (control.closest(".field") ?? control).after(note);
    control.focus();
  } else {
    form.prepend(note);
  }
}

/** Runs `task` with the form's submit buttons disabled; shows any error it throws. */
export async function submitting(form: HTMLFormElement, task: () => Promise<void>): Promise<void> {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>("button")];
  for (const b of buttons) b.disabled = true;
  form.setAttribute("aria-busy", "true");
  clearErrors(form);
  try {
    await task();
  } catch (e) {
    showError(form, e);
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** A labelled control with optional help text, wired for screen readers. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, help?: Node | string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  const helpId = `${id}-help`;
  if (help) control.setAttribute("aria-describedby", helpId);
  const isCheck = control instanceof HTMLInputElement && control.type === "checkbox";
  const labelEl = h("label", { for: id }, label);
  return h(
    "div",
    { class: isCheck ? "field check" : "field" },
    isCheck ? [control, labelEl] : [labelEl, control],
    help ? h("p", { class: "help", id: helpId }, help) : null,
  );
}

/** The value of a named text-like control in `form`. */
export function value(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el.value : "";
}

/** Whether a named checkbox in `form` is ticked. */
export function checked(form: HTMLFormElement, name: string): boolean {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement && el.checked;
}
