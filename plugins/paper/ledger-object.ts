/**
 * The PaperLedger Durable Object: one per paper connection, the single writer
 * of that paper account's cash, positions, orders, fills and prices. It plays
 * the part of a broker and speaks HTTP through `fetch()`, so the paper plugin
 * reaches it exactly the way other plugins reach their brokers.
 *
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import type { Hono } from "hono";
import { createLedgerApi } from "./api";
import { LedgerStore } from "./store";

/** The ledger reads no bindings: a plugin never depends on the Worker's environment. */
export class PaperLedger extends DurableObject<unknown> {
  private readonly store: LedgerStore;
  private readonly api: Hono;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage);
    // Schema first: no request may run against missing tables.
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
    });
    this.api = createLedgerApi({
      store: this.store,
      now: () => new Date().toISOString(),
      // A plain timer: awaiting it opens the input gate, as a real network round trip would.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
  }

  /** The paper broker's REST API (see `plugins/paper/README.md`). */
  override async fetch(request: Request): Promise<Response> {
    return this.api.fetch(request);
  }
}
