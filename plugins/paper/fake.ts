/**
 * The paper broker's "fake" for the conformance kit is the real thing: a
 * fresh PaperLedger Durable Object per fake, reached exactly as the core
 * reaches it, with the kit's fault controls in front. Test-only (imports the
 * test environment's bindings).
 *
 * Like every fake it reads the broker from its documentation, not from the
 * plugin: the host and the order list below are written from the REST API
 * section of plugins/paper/README.md, so a plugin that misreads the ledger's
 * wire format cannot agree with this reader by sharing its schema.
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { z } from "zod";
import type { OrderStatus } from "../sdk";
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";

/** README, "REST API": every route is under `https://paper.tradeloop.internal/ledgers/:connectionId`. */
const LEDGER_HOST = "https://paper.tradeloop.internal";

/** README, "Order": the fields the kit's view needs; decimals are strings, statuses the ledger's five. */
const LedgerOrderList = z.object({
  orders: z.array(
    z.object({
      id: z.string(),
      client_order_id: z.string().nullable(),
      symbol: z.string(),
      side: z.enum(["buy", "sell"]),
      qty: z.string(),
      filled_qty: z.string(),
      status: z.enum(["open", "filled", "cancelled", "rejected", "expired"]),
    }),
  ),
});

/**
 * The ledger's statuses in the kit's terms. The ledger has no partial state:
 * a reduce-only exit cut short ends `cancelled` with `filled_qty` < `qty`
 * (README, "Brackets"), which is still a cancelled order.
 */
const STATUS: Record<z.infer<typeof LedgerOrderList>["orders"][number]["status"], OrderStatus> = {
  open: "open",
  filled: "filled",
  cancelled: "cancelled",
  rejected: "rejected",
  expired: "expired",
};

export class PaperLedgerFake implements FakeBroker {
  private id = crypto.randomUUID();
  private readonly faults = new FaultInjector();

  get baseUrl(): string {
    return `${LEDGER_HOST}/ledgers/${this.id}`;
  }

  private ledger(): DurableObjectStub {
    return env.PAPER_LEDGER.getByName(this.id);
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.ledger().fetch(r));

  /** Behind the faults: the kit's own calls must not use up the plugin's one-shot faults. */
  private async direct(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await this.ledger().fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    if (!res.ok) throw new Error(`paper ledger ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  }

  reset(): void {
    // A new ledger is as fresh as it gets; the client sets it up on first use.
    this.id = crypto.randomUUID();
    this.faults.reset();
  }

  async setPrice(symbol: string, price: string): Promise<void> {
    await this.direct("POST", "/account", {});
    await this.direct("POST", "/prices", { symbol, price });
  }

  failNext(reply: FakeReply): void {
    this.faults.failNext(reply);
  }

  loseNextReply(): void {
    this.faults.loseNextReply();
  }

  async orders(): Promise<FakeOrder[]> {
    await this.direct("POST", "/account", {});
    const { orders } = LedgerOrderList.parse(await (await this.direct("GET", "/orders?status=all")).json());
    return orders.map((o) => ({
      id: o.id,
      clientOrderId: o.client_order_id,
      symbol: o.symbol,
      side: o.side,
      quantity: o.qty,
      filledQuantity: o.filled_qty,
      status: STATUS[o.status],
    }));
  }
}
