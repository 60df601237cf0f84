/**
 * Turns the API's field errors into sentences a trader reads. The API
 * answers `{ field: "settings.quantity", message: "settings.quantity must be
 * greater than 0." }`; the form knows the field's label ("Quantity per
 * entry") and shows "Quantity per entry must be more than 0." next to it.
 * A field path never reaches the screen: unknown fields are humanized.
 *
 * The same sentences are produced for client-side checks
 * ({@link limitSentence}), so an error reads the same whichever side caught it.
 *
 * @module
 */
import { ApiError } from "./api";
import { humanize } from "./format";

/** How a field is named in sentences. */
export interface FieldName {
  /** The label, e.g. "Quantity per entry". */
  label: string;
  /** What to ask for when it is missing, e.g. "your Alpaca API key ID". Default: "the <label>". */
  enter?: string;
}

/** Field names by API field path (`settings.quantity`, `credentials.keyId`, `email`). */
export type FieldNames = Record<string, FieldName>;

const PATH = /\b(?:settings|credentials|json)\.[\w.]+|\b[a-z]+[A-Z][\w]*(?:\.[\w]+)+/g;

function nameFor(field: string, names: FieldNames): FieldName {
  // `settings.takeProfit.percent` falls back to `settings.takeProfit`.
  const parts = field.split(".");
  while (parts.length) {
    const hit = names[parts.join(".")];
    if (hit) return hit;
    parts.pop();
  }
  return { label: humanize(field.split(".").at(-1) ?? field) };
}

function enterPhrase(n: FieldName): string {
  return n.enter ?? `the ${n.label.charAt(0).toLowerCase()}${n.label.slice(1)}`;
}

/** Rewrites the predicate part of a validation message ("must be greater than 0") for a label. */
function predicate(rest: string, n: FieldName): string {
  const r = rest.replace(/\.$/, "").trim();
  if (r === "is required" || r === "must not be empty") return `Enter ${enterPhrase(n)}.`;
  let m = /^must be greater than (.+)$/.exec(r);
  if (m) return `${n.label} must be more than ${m[1]}.`;
  m = /^must be less than (.+)$/.exec(r);
  if (m) return `${n.label} must be less than ${m[1]}.`;
  m = /^must be one of: (.+)$/.exec(r);
  if (m) return `Choose a ${n.label.toLowerCase()} from the list.`;
  if (r === "is not a recognized field") return `${n.label} is not a setting this Tradeloop knows; reload the page.`;
  if (r.startsWith(": ")) return `${n.label}: ${r.slice(2)}.`;
  return `${n.label} ${r}.`;
}

/** The sentence for an API error about `field`, never showing a field path. */
export function fieldSentence(error: ApiError, names: FieldNames): string {
  const field = error.field;
  if (!field) return scrubPaths(error.message, names);
  const n = nameFor(field, names);
  const message = error.message.trim();
  if (message.startsWith(field)) return predicate(message.slice(field.length), n);
  return scrubPaths(message, names);
}

/** Replaces any field path left in a sentence with its label. */
export function scrubPaths(message: string, names: FieldNames): string {
  return message.replace(PATH, (path) => nameFor(path, names).label.toLowerCase());
}

/** Errors of a form: by field path, plus one for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/** Where an error thrown by a submit goes: next to its field when the form shows that field, else on top. */
export function formErrors(e: unknown, names: FieldNames, shown: (field: string) => string | null): FormErrors {
  if (e instanceof ApiError && e.field) {
    const sentence = fieldSentence(e, names);
    const target = shown(e.field);
    return target ? { fields: { [target]: sentence }, form: null } : { fields: {}, form: sentence };
  }
  return { fields: {}, form: e instanceof ApiError ? scrubPaths(e.message, names) : e instanceof Error ? e.message : "Something went wrong. Try again." };
}

/** Limits of a number field, as JSON Schema states them. */
export interface Limits {
  required?: boolean;
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** The client-side check of a number entry against its limits: a sentence, or null when fine. */
export function limitSentence(raw: string, limits: Limits, n: FieldName): string | null {
  const text = raw.trim();
  if (text === "") return limits.required ? `Enter ${enterPhrase(n)}.` : null;
  const value = Number(text);
  if (!Number.isFinite(value)) return `${n.label} must be a number.`;
  if (limits.integer && !Number.isInteger(value)) return `${n.label} must be a whole number.`;
  if (limits.exclusiveMinimum !== undefined && value <= limits.exclusiveMinimum) return `${n.label} must be more than ${limits.exclusiveMinimum}.`;
  if (limits.minimum !== undefined && value < limits.minimum) return `${n.label} must be at least ${limits.minimum}.`;
  if (limits.exclusiveMaximum !== undefined && value >= limits.exclusiveMaximum) return `${n.label} must be less than ${limits.exclusiveMaximum}.`;
  if (limits.maximum !== undefined && value > limits.maximum) return `${n.label} must be at most ${limits.maximum}.`;
  return null;
}
