import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** Placeholder; replaced by the real queue. */
export class SubscriptionQueue extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "pong";
  }
}
