/**
 * The paper broker's "fake" for the conformance kit is the real thing: a
 * fresh PaperLedger Durable Object per fake, reached exactly as the core
 * reaches it, with the kit's fault controls in front. Test-only (imports the
 * test environment's bindings).
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { PAPER_BASE_URL } from "./manifest";
import { WireOrderListSchema } from "./wire";

export class PaperLedgerFake implements FakeBroker {
  private id = crypto.randomUUID();
  private readonly faults = new FaultInjector();

  get baseUrl(): string {
    return `${PAPER_BASE_URL}/ledgers/${this.id}`;
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
    const { orders } = WireOrderListSchema.parse(await (await this.direct("GET", "/orders?status=all")).json());
    return orders.map((o) => ({
      id: o.id,
      clientOrderId: o.client_order_id,
      symbol: o.symbol,
      side: o.side,
      quantity: o.qty,
      filledQuantity: o.filled_qty,
      status: o.status,
    }));
  }
}
