import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../worker/env";

/** Placeholder; replaced by the real ledger. */
export class PaperLedger extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "pong";
  }
}
