/**
 * `POST /api/connections/{id}/test`: runs the plugin's `testConnection()`
 * with the stored credentials, records the outcome on the connection
 * (`connected`, `error`, or `expired` when the broker refuses the credentials: its subscriptions pause)
 * and adds accounts the broker reports for the first time.
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import { expireConnection, recordEvent, setConnectionStatus } from "./lifecycle";
import { getPlugin } from "../../plugins";
import type { BrokerAccount } from "../../plugins/sdk";
import type { Db } from "../db/client";
import { accounts, connections } from "../db/schema";
import type { Env } from "../env";
import { log } from "../lib/log";
import { BASE_URL_SETTING } from "./base-url";
import { usesSessionOwner } from "./session-access";
import { brokerClientFor } from "./broker-client";
import { type AccountRow, type ConnectionRow, listConnectionAccounts, openConnectionCredentials } from "./store";
import { CREDENTIALS_UNREADABLE, describeTestFailure, type TestFailure } from "./test-messages";
import { errorMessage } from "../../plugins/sdk";

export type ConnectionTestResult = { ok: true; accounts: AccountRow[] } | ({ ok: false } & TestFailure);

async function setStatus(env: Env, db: Db, row: ConnectionRow, status: "connected" | "error" | "expired", message: string | null): Promise<void> {
  // Expired pauses the connection's subscriptions and tells the user, like an expiry found while trading.
  if (status === "expired") {
    await expireConnection(env, row.id, message ?? "the broker refused the credentials.", Date.now(), { verbatim: true });
    return;
  }
  if (row.status === status && row.statusMessage === message) return;
  await setConnectionStatus(db, row.id, status, message);
  if (status === "connected" && row.status !== "connected" && row.status !== "expiring") {
    await recordEvent(db, { userId: row.userId, kind: "connection-connected", connectionId: row.id, message: `The "${row.name}" connection works again.` });
  }
}

/** Adds the accounts the broker reports that the connection does not have yet (never removes any: subscriptions point at them). */
export async function addNewAccounts(db: Db, row: ConnectionRow, discovered: BrokerAccount[]): Promise<void> {
  const known = new Set((await listConnectionAccounts(db, row.userId, row.id)).map((a) => a.brokerAccountId));
  const now = Date.now();
  const fresh = discovered.filter((a) => !known.has(a.brokerAccountId) && known.add(a.brokerAccountId));
  if (fresh.length === 0) return;
  const [first, ...rest] = fresh.map((a) =>
    db.insert(accounts).values({ id: crypto.randomUUID(), userId: row.userId, connectionId: row.id, brokerAccountId: a.brokerAccountId, mode: a.mode, name: a.name, currency: a.currency, createdAt: now }),
  );
  // One batch = one D1 transaction.
  await db.batch([first!, ...rest]);
}

/** Tests one stored connection against its broker and records the outcome. Never throws for broker problems. */
export async function testStoredConnection(env: Env, db: Db, row: ConnectionRow): Promise<ConnectionTestResult> {
  const plugin = getPlugin(row.broker);
  const subject = {
    broker: plugin?.manifest.displayName ?? row.broker,
    environment: row.settings.environment === "live" ? ("live" as const) : ("paper" as const),
    hasBaseUrl: typeof row.settings[BASE_URL_SETTING] === "string",
  };
  let failure: TestFailure;
  let credentials: unknown;
  try {
    credentials = await openConnectionCredentials(env, row);
  } catch (e) {
    log.error("connection test: credentials cannot be opened", { connectionId: row.id, error: errorMessage(e) });
    await setStatus(env, db, row, CREDENTIALS_UNREADABLE.status === "expired" ? "expired" : "error", CREDENTIALS_UNREADABLE.message);
    return { ok: false, ...CREDENTIALS_UNREADABLE };
  }
  // A login broker whose session died (an IBKR gateway logged out, a Tradovate password changed) keeps
  // its dead owner until told: a test after the user fixed it must start a fresh session.
  if (plugin && row.status === "expired" && row.authMethod !== "oauth" && usesSessionOwner(plugin, row.authMethod)) {
    await env.CONNECTION_SESSION.getByName(row.id).forget();
  }
  try {
    const discovered = await brokerClientFor(env, { id: row.id, broker: row.broker, settings: row.settings, credentials, authMethod: row.authMethod }).testConnection();
    await addNewAccounts(db, row, discovered);
    await setStatus(env, db, row, "connected", null);
    return { ok: true, accounts: await listConnectionAccounts(db, row.userId, row.id) };
  } catch (e) {
    failure = describeTestFailure(subject, e);
    // The broker's own words go to the log, never to the trader verbatim (they may echo request details).
    log.warn("connection test failed", { connectionId: row.id, broker: row.broker, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
  await setStatus(env, db, row, failure.status === "expired" ? "expired" : "error", failure.message);
  return { ok: false, ...failure };
}
