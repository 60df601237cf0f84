/**
 * Building blocks shared by every JSON API router: the router factory (with
 * the validation hook), the error schema, and OpenAPI response helpers.
 *
 * @module
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { requireAuth } from "../auth/middleware";
import type { AppBindings } from "../env";
import { validationHook } from "./validation";

/** A router whose request validation failures render as AppErrors. */
export function createRouter(): OpenAPIHono<AppBindings> {
  return new OpenAPIHono<AppBindings>({ defaultHook: validationHook });
}

/** Name of the bearer security scheme in the OpenAPI document. */
export const BEARER_SCHEME = "Bearer";
/** `security` for routes that need a session token. */
export const bearerSecurity = [{ [BEARER_SCHEME]: [] }];

/** The body of every API error (see worker/errors.ts). */
export const ErrorSchema = z
  .object({
    error: z.object({
      messageCode: z.string().openapi({ example: "invalid-request", description: "Stable machine-readable code." }),
      message: z.string().openapi({ description: "A sentence the user can act on." }),
      field: z.string().optional().openapi({ example: "settings.quantity", description: "The request field concerned, dotted." }),
      requestId: z.string().optional().openapi({ description: "The request's id (also in the `X-Request-Id` header and every log line of the request)." }),
    }),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "Invalid request (`invalid-request`, `invalid-json`, `json-too-deep`; `credentials-required` when a connection's destination changes without its credentials; OAuth: `oauth-not-configured` names the Worker secrets to set, `oauth-unsupported`)",
  401: "Missing, invalid, expired or logged-out session or API token (`unauthorized`)",
  403: "Not allowed (`forbidden`: cross-origin, API token scope or account management; `signup-closed`; `setup-token-required`)",
  404: "Not found, or not yours (`not-found`)",
  409: "Conflict (`email-taken`, `duplicate-subscription`, `conflict`; `limit-reached` for a per-user cap)",
  413: "Body larger than 64 KB (`payload-too-large`)",
  429: "Throttled (`too-many-requests`); wait the `Retry-After` seconds",
  502: "The broker failed or refused (`broker-error`)",
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** OpenAPI response entries for the given error statuses, all with {@link ErrorSchema}. */
export function errorResponses<const S extends ErrorStatus>(
  ...statuses: S[]
): Record<S, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }> {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }>;
  for (const s of statuses) out[s] = { description: ERROR_DESCRIPTIONS[s], content: { "application/json": { schema: ErrorSchema } } };
  return out;
}

/** A JSON response entry. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

/** `{id}` path parameter. */
export const IdParams = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21" }),
});

/** A loose JSON object, validated by the handler against a schema that may be merged first. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * Spread into `createRoute({...})` for routes that need a session: documents
 * the bearer scheme and runs {@link requireAuth} before validation, so an
 * anonymous caller gets 401 before learning anything from a 400.
 */
export const authenticated = { security: bearerSecurity, middleware: requireAuth };
