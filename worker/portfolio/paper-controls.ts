/**
 * Controls only a simulated account has: start over (reset) and read the
 * prices the paper ledger marks positions at. Setting a price goes through
 * the plugin client's `observePrice` like the executor's; reset and the
 * price list are the ledger's own REST routes (plugins/paper/README.md),
 * which no real broker has, so the core calls them here and nowhere else.
 *
 * @module
 */
import type { z } from "zod";
import { BrokerError } from "../../plugins/sdk";
import { WireAccountSchema, WirePriceListSchema, type WireAccount } from "../../plugins/paper/wire";
import { paperManifest } from "../../plugins/paper/manifest";
import type { ConnectionRow } from "../connections/store";
import type { Env } from "../env";
import { AppError } from "../errors";

/** The broker id of the built-in paper broker. */
export const PAPER_BROKER = paperManifest.id;

/** A paper connection's ledger URL, from the manifest (its base URL and the Durable Object path). */
function ledgerUrl(connectionId: string, path: string): string {
  return `${paperManifest.environments.paper}${paperManifest.transport.basePath.replace(":connectionId", encodeURIComponent(connectionId))}${path}`;
}

/** Throws 400 unless `connection` is a paper connection. */
export function requirePaper(connection: ConnectionRow): void {
  if (connection.broker !== PAPER_BROKER) {
    throw new AppError("invalid-request", `“${connection.name}” is a real broker account; only paper accounts can be reset or given prices.`);
  }
}

function startingCashOf(connection: ConnectionRow): number | undefined {
  const cash = connection.settings.startingCash;
  return typeof cash === "number" && cash > 0 ? cash : undefined;
}

async function ledgerCall<S extends z.ZodType>(env: Env, connection: ConnectionRow, method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
  const send = async (m: string, p: string, b: unknown): Promise<Response> =>
    env.PAPER_LEDGER.getByName(connection.id).fetch(
      new Request(ledgerUrl(connection.id, p), {
        method: m,
        headers: { accept: "application/json", ...(b !== undefined && { "content-type": "application/json" }) },
        body: b === undefined ? null : JSON.stringify(b),
      }),
    );
  let res = await send(method, path, body);
  if (res.status === 409) {
    // A ledger nobody has used yet: set it up with the connection's starting cash, then retry once.
    const cash = startingCashOf(connection);
    await send("POST", "/account", cash === undefined ? {} : { starting_cash: String(cash) });
    res = await send(method, path, body);
  }
  const json: unknown = await res.json().catch(() => null);
  const parsed = schema.safeParse(json);
  if (!res.ok || !parsed.success) {
    throw new BrokerError(`The paper ledger answered ${method} ${path} with ${res.status}.`, { code: "bad-response", kind: "retryable", status: res.status, raw: json });
  }
  return parsed.data;
}

/**
 * Empties the account (positions, orders, fills, prices) and sets its cash
 * to `startingCash`, or the connection's starting cash when omitted.
 */
export async function resetPaperAccount(env: Env, connection: ConnectionRow, startingCash?: number): Promise<WireAccount> {
  const cash = startingCash ?? startingCashOf(connection);
  return ledgerCall(env, connection, "POST", "/reset", WireAccountSchema, cash === undefined ? {} : { starting_cash: String(cash) });
}

/** The paper account (cash, starting cash, when it was last reset). */
export async function paperAccount(env: Env, connection: ConnectionRow): Promise<WireAccount> {
  return ledgerCall(env, connection, "GET", "/account", WireAccountSchema);
}

/** The ledger's last price per symbol (upper-cased), what it marks positions at. */
export async function paperPrices(env: Env, connection: ConnectionRow): Promise<Map<string, string>> {
  const { prices } = await ledgerCall(env, connection, "GET", "/prices", WirePriceListSchema);
  return new Map(prices.map((p) => [p.symbol.toUpperCase(), p.price]));
}
