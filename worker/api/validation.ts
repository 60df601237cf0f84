/**
 * Turns zod validation failures into the API's one error shape:
 * `{ error: { messageCode: "invalid-request", message, field } }`, where the
 * message is a sentence that names the field (`settings.quantity must be
 * greater than 0.`). Used both by the OpenAPI validator hook and by handlers
 * that validate nested JSON themselves (settings).
 *
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors";

type Issue = z.ZodError["issues"][number];

/** Follows a zod issue path into the raw input; undefined when absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = Reflect.get(cur, key);
  }
  return cur;
}

function joinPath(prefix: string | undefined, path: readonly PropertyKey[]): string {
  const parts = [...(prefix ? [prefix] : []), ...path.map((p) => String(p))];
  return parts.join(".");
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  record: "an object",
  null: "null",
};

function limit(value: number | bigint): string {
  return String(value);
}

function sizeMessage(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const small = issue.code === "too_small";
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "string":
      if (small && Number(bound) === 1) return "must not be empty";
      return `must be at ${small ? "least" : "most"} ${limit(bound)} characters long`;
    case "array":
    case "set":
      if (small && Number(bound) === 1) return "must not be empty";
      return `must have at ${small ? "least" : "most"} ${limit(bound)} items`;
    default:
      if (inclusive) return `must be at ${small ? "least" : "most"} ${limit(bound)}`;
      return `must be ${small ? "greater" : "less"} than ${limit(bound)}`;
  }
}

/** One sentence describing what is wrong with the value at `field`. */
function describe(issue: Issue, present: boolean): string {
  switch (issue.code) {
    case "invalid_type":
      if (!present) return "is required";
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "too_small":
    case "too_big":
      return sizeMessage(issue);
    case "invalid_format":
      if (issue.format === "email") return "must be a valid email address";
      if (issue.format === "url") return "must be a valid URL";
      if (issue.format === "uuid" || issue.format === "guid") return "must be a UUID";
      // A regex with a custom message states the rule as a predicate ("must contain only ...").
      if (issue.format === "regex" && issue.message.startsWith("must ")) return issue.message;
      return "has an invalid format";
    case "invalid_value":
      return `must be one of: ${issue.values.map((v) => String(v)).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return "is not a recognized field";
    case "invalid_union":
      return "has an invalid value";
    default:
      return `is invalid: ${issue.message}`;
  }
}

/**
 * Converts the first zod issue into an AppError. `prefix` names where the
 * validated value sits in the request (`settings`), so a nested failure
 * reports `settings.quantity` rather than `quantity`.
 */
export function zodErrorToAppError(error: z.ZodError, input: unknown, prefix?: string): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError("invalid-request", "The request is not valid.");
  // Unknown keys are reported on the key itself, which is what the caller must remove.
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  const field = joinPath(prefix, path);
  if (!field) {
    const what = issue.code === "invalid_type" ? `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}` : describe(issue, true);
    return new AppError("invalid-request", `The request body ${what}.`);
  }
  const present = valueAt(input, issue.path) !== undefined;
  // Custom refinements carry their own sentence; keep it and still name the field.
  const message = issue.code === "custom" ? `${field}: ${issue.message}` : `${field} ${describe(issue, present)}.`;
  return new AppError("invalid-request", message, { field });
}

/**
 * Parses `input` with `schema`, throwing an AppError that names the field
 * (under `prefix`) when it does not conform.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw zodErrorToAppError(result.error, input, prefix);
  return result.data;
}

/**
 * The OpenAPIHono `defaultHook`: every request that fails its route's zod
 * schema (body, query or path) becomes an `invalid-request` AppError.
 * @hono/zod-validator passes the raw input as `data` next to the error; it is
 * used only to tell "missing" from "wrong type".
 */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError },
  _c: Context,
): void {
  if (result.success) return;
  throw zodErrorToAppError(result.error, Reflect.get(result, "data"));
}

/**
 * A settings merge without its `null` keys: PATCH bodies send `null` to
 * remove an optional setting. `keep` names settings for which `null` is a
 * value of its own (a subscription's `allowedTickers: null` = follow the strategy).
 */
export function withoutNulls(merged: Record<string, unknown>, keep: readonly string[] = ["allowedTickers"]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(merged).filter(([key, value]) => value !== null || keep.includes(key)));
}
