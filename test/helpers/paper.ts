/** White-box access to a paper ledger's SQLite, to check what the "broker" really holds. */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";

export interface LedgerOrder {
  seq: number;
  client_order_id: string | null;
  side: string;
  quantity: string;
  status: string;
  ticker: string;
}

/** Every order the paper broker received for a connection, in arrival order. */
export async function ledgerOrders(connectionId: string): Promise<LedgerOrder[]> {
  const stub = env.PAPER_LEDGER.getByName(connectionId);
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<Record<string, SqlStorageValue>>(`SELECT seq, client_order_id, side, quantity, status, ticker FROM orders ORDER BY seq`)
      .toArray()
      .map((r) => ({
        seq: Number(r.seq),
        client_order_id: r.client_order_id === null ? null : String(r.client_order_id),
        side: String(r.side),
        quantity: String(r.quantity),
        status: String(r.status),
        ticker: String(r.ticker),
      })),
  );
}
