/**
 * Reads the parts of a JSON Schema (as `GET /api/brokers` serves them) that a
 * form needs. The schema arrives as untyped JSON, so every key is checked
 * here rather than trusted.
 *
 * @module
 */

/** One property of an object schema, reduced to what a form control uses. */
export interface SchemaField {
  name: string;
  type: "string" | "number" | "integer" | "boolean" | "other";
  required: boolean;
  title?: string;
  description?: string;
  /** Where the user creates or finds the value (`x-link`). */
  link?: string;
  /** Mask it (`x-secret`, `writeOnly` or `format: password`). */
  secret: boolean;
  options?: string[];
  defaultValue?: unknown;
  placeholder?: string;
  minimum?: number;
  maximum?: number;
  /** Exclusive bounds stay apart from inclusive ones: `startingCash > 0` must refuse 0. */
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** Schema-level metadata of an object schema. */
export interface SchemaInfo {
  title?: string;
  description?: string;
  link?: string;
  fields: SchemaField[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const numeric = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** A nullable or union property (`anyOf: [{...}, {type: "null"}]`) is read as its first non-null branch. */
function unwrap(prop: Json): Json {
  const branches = Array.isArray(prop.anyOf) ? prop.anyOf : Array.isArray(prop.oneOf) ? prop.oneOf : null;
  const branch = branches?.find((b): b is Json => isRecord(b) && b.type !== "null");
  return branch ? { ...branch, ...prop, anyOf: undefined, oneOf: undefined } : prop;
}

function typeOf(prop: Json): SchemaField["type"] {
  const types = Array.isArray(prop.type) ? prop.type.filter((t) => t !== "null") : [prop.type];
  const t = types[0];
  if (t === "string" || t === "number" || t === "integer" || t === "boolean") return t;
  if (Array.isArray(prop.enum) && prop.enum.every((v) => typeof v === "string")) return "string";
  return "other";
}

function fieldOf(name: string, raw: Json, required: boolean, secretNames: ReadonlySet<string>): SchemaField {
  const prop = unwrap(raw);
  const options = Array.isArray(prop.enum) ? prop.enum.filter((v): v is string => typeof v === "string") : undefined;
  const example = Array.isArray(prop.examples) ? prop.examples[0] : undefined;
  const minimum = numeric(prop.minimum);
  const maximum = numeric(prop.maximum);
  const exclusiveMinimum = numeric(prop.exclusiveMinimum);
  const exclusiveMaximum = numeric(prop.exclusiveMaximum);
  const title = str(prop.title);
  const description = str(prop.description);
  const link = str(prop["x-link"]);
  return {
    name,
    type: typeOf(prop),
    required,
    secret: secretNames.has(name) || prop["x-secret"] === true || prop.writeOnly === true || prop.format === "password",
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
    ...(link !== undefined && { link }),
    ...(options?.length ? { options } : {}),
    ...(prop.default !== undefined && { defaultValue: prop.default }),
    ...(typeof example === "string" || typeof example === "number" ? { placeholder: String(example) } : {}),
    ...(minimum !== undefined && { minimum }),
    ...(maximum !== undefined && { maximum }),
    ...(exclusiveMinimum !== undefined && { exclusiveMinimum }),
    ...(exclusiveMaximum !== undefined && { exclusiveMaximum }),
  };
}

/** The fields of an object schema, in declaration order. `secretNames` adds fields to mask. */
export function readObjectSchema(schema: unknown, secretNames: readonly string[] = []): SchemaInfo {
  if (!isRecord(schema)) return { fields: [] };
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  const secrets = new Set(secretNames);
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const fields = Object.entries(properties).flatMap(([name, prop]) => (isRecord(prop) ? [fieldOf(name, prop, required.has(name), secrets)] : []));
  const title = str(schema.title);
  const description = str(schema.description);
  const link = str(schema["x-link"]);
  return { fields, ...(title !== undefined && { title }), ...(description !== undefined && { description }), ...(link !== undefined && { link }) };
}

/** The number limits of a property, as the client-side checks take them. */
export function limitsOf(schema: unknown, name: string): import("./messages").Limits & { options?: string[]; defaultValue?: unknown } {
  if (!isRecord(schema) || !isRecord(schema.properties)) return {};
  const raw = schema.properties[name];
  if (!isRecord(raw)) return {};
  const prop = unwrap(raw);
  const required = Array.isArray(schema.required) && schema.required.includes(name);
  const min = numeric(prop.minimum);
  const max = numeric(prop.maximum);
  const exMin = numeric(prop.exclusiveMinimum);
  const exMax = numeric(prop.exclusiveMaximum);
  const options = Array.isArray(prop.enum) ? prop.enum.filter((v): v is string => typeof v === "string") : undefined;
  return {
    ...(required && { required }),
    ...(prop.type === "integer" && { integer: true }),
    ...(min !== undefined && { minimum: min }),
    ...(max !== undefined && { maximum: max }),
    ...(exMin !== undefined && { exclusiveMinimum: exMin }),
    ...(exMax !== undefined && { exclusiveMaximum: exMax }),
    ...(options?.length ? { options } : {}),
    ...(prop.default !== undefined && { defaultValue: prop.default }),
  };
}

/** The object schema of a property (e.g. `takeProfit`), for its own fields' limits. */
export function propertySchema(schema: unknown, name: string): unknown {
  if (!isRecord(schema) || !isRecord(schema.properties)) return undefined;
  const raw = schema.properties[name];
  return isRecord(raw) ? unwrap(raw) : undefined;
}
