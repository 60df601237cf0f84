/**
 * The account's audit log: what happened to it, for its owner to read
 * (`GET /api/audit`). Security-relevant events only, with non-secret
 * details (ids, names, changed setting keys), never a credential, token,
 * password or webhook secret.
 *
 * A failed write is logged and swallowed: the audit trail must not make a
 * log-in or an order fail.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import type { Context } from "hono";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { auditEvents } from "../db/schema";
import type { AppBindings } from "../env";
import { log } from "../lib/log";

/** Every action the log records. */
export const AUDIT_ACTIONS = [
  "signup",
  "login",
  "login-failed",
  "logout",
  "logout-everywhere",
  "session-reuse-detected",
  "password-changed",
  "token-created",
  "token-revoked",
  "connection-created",
  "connection-updated",
  "connection-deleted",
  "strategy-secret-rotated",
  "trade-approved",
  "trade-rejected",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One event to record. */
export interface AuditEvent {
  userId: string;
  action: AuditAction;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** Records an event; never throws. */
export async function recordAudit(db: Db, event: AuditEvent, now = Date.now()): Promise<void> {
  try {
    await db.insert(auditEvents).values({ id: crypto.randomUUID(), userId: event.userId, at: now, action: event.action, detail: event.detail ?? null, ip: event.ip ?? null });
  } catch (e) {
    log.error("audit: could not record an event", { action: event.action, error: errorMessage(e) });
  }
}

/** Records an event for the request's user (or `userId`), with the caller's address. */
export function audit(c: Context<AppBindings>, action: AuditAction, detail?: Record<string, unknown>, userId: string = c.var.userId): Promise<void> {
  return recordAudit(getDb(c.env.DB), { userId, action, ...(detail && { detail }), ip: c.req.header("cf-connecting-ip") ?? null });
}
