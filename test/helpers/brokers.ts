/**
 * The broker side of end-to-end tests: what a broker really holds for a
 * connection, read straight from the broker (never through the plugin, the
 * API or an injected fault), and how a test makes a connection at it. The
 * paper broker is read from its ledger's SQLite; external brokers from their
 * fakes (./alpaca.ts).
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { api, expectStatus } from "./api";

/** What a broker really holds for one connection, in plain terms. */
export interface LedgerSnapshot {
  cash: string;
  /** Signed quantity per ticker (the broker's symbol). */
  positions: Map<string, string>;
  /** Every order, oldest first, with the broker's own status words. */
  orders: { clientOrderId: string | null; ticker: string; side: string; quantity: string; status: string; type: string }[];
}

/**
 * A broker as a test sees it: how a subscription's connection is made (each
 * its own account), and how the broker's own state is read back.
 */
export interface BrokerSide {
  name: string;
  /** Creates a connection through the API (its own account at the broker) and returns its id. */
  connect(token: string, label: string): Promise<string>;
  /** What the broker holds for the connection. */
  snapshot(connectionId: string): Promise<LedgerSnapshot>;
  /**
   * The one price signals carry, for a broker that fills at its own quote
   * (the test sets that quote once); null when the broker fills at each
   * alert's price (the paper ledger), so signals may carry any price.
   */
  fixedPrice: string | null;
}

/** What the paper broker holds for a connection, read from its ledger's SQLite (no fetch, so no injected faults). */
export async function ledgerSnapshot(connectionId: string): Promise<LedgerSnapshot> {
  return runInDurableObject(env.PAPER_LEDGER.getByName(connectionId), (_instance, state) => {
    const sql = state.storage.sql;
    const account = sql.exec<{ cash: string }>(`SELECT cash FROM account WHERE id = 1`).toArray()[0];
    const positions = new Map(
      sql
        .exec<{ ticker: string; quantity: string }>(`SELECT ticker, quantity FROM positions`)
        .toArray()
        .map((r) => [String(r.ticker), String(r.quantity)] as const),
    );
    const orders = sql
      .exec<Record<string, SqlStorageValue>>(`SELECT client_order_id, ticker, side, quantity, status, type FROM orders ORDER BY seq`)
      .toArray()
      .map((r) => ({
        clientOrderId: r.client_order_id === null ? null : String(r.client_order_id),
        ticker: String(r.ticker),
        side: String(r.side),
        quantity: String(r.quantity),
        status: String(r.status),
        type: String(r.type),
      }));
    return { cash: account ? String(account.cash) : "", positions, orders };
  });
}

/** The paper broker: one PaperLedger per connection. */
export const paperBroker: BrokerSide = {
  name: "paper",
  async connect(token, label) {
    const conn = await api<{ id: string }>("POST", "/api/connections", { token, json: { broker: "paper", name: `Paper ${label}` } });
    expectStatus(conn, 201);
    return conn.body.id;
  },
  snapshot: ledgerSnapshot,
  fixedPrice: null,
};
