/**
 * Placing an order exactly once when replies can be lost: the rule the
 * core's executor follows (worker/execution/executor.ts `placeOnce`), without
 * its persistence, so the conformance kit can hold every plugin to it.
 *
 * 1. Send. An ack is the answer.
 * 2. `outcome-unknown` or `duplicate-client-order-id`: ask the broker with
 *    `getOrder({ clientOrderId })`. Found = that is our order, adopt it.
 *    Absent = it never arrived, so sending again with the same id is safe.
 * 3. `retryable`: back off and send again (nothing reached the book).
 * 4. Anything else is final. A failure that leaves the outcome open (the
 *    reconciling lookup itself failed, or the last attempt was lost) is thrown
 *    as `outcome-unknown`: the caller must not treat it as "never placed".
 *
 * @module
 */
import type { BrokerClient } from "../client";
import { BrokerError, errorMessage } from "../errors";
import type { BrokerOrder, OrderRequest } from "../models";
import { backoffMs, DEFAULT_RETRY, sleep, withRetry, type RetryPolicy } from "./retry";

export interface PlaceOnceOptions {
  policy?: RetryPolicy;
  wait?: (ms: number) => Promise<void>;
}

/** Places `request` at most once at the broker, reconciling lost replies through `getOrder`. */
export async function placeOrderOnce(client: BrokerClient, accountId: string, request: OrderRequest, options: PlaceOnceOptions = {}): Promise<BrokerOrder> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    let failure: BrokerError;
    try {
      return await client.placeOrder(accountId, request);
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      failure = err;
    }
    if (failure.kind === "outcome-unknown" || failure.code === "duplicate-client-order-id") {
      let found: BrokerOrder | null;
      try {
        found = await withRetry(() => client.getOrder(accountId, { clientOrderId: request.clientOrderId }), policy, wait);
      } catch (err) {
        // The order may exist and we could not ask: the outcome is still unknown. Reporting the
        // lookup's own (say, retryable) error would tell the caller nothing reached the broker.
        throw new BrokerError(`Could not confirm whether order ${request.clientOrderId} was placed: ${errorMessage(err)}`, {
          code: failure.code === "duplicate-client-order-id" ? failure.code : "broker-timeout",
          kind: "outcome-unknown",
          cause: err,
        });
      }
      if (found) return found;
      if (failure.code === "duplicate-client-order-id") throw failure;
      // Confirmed absent: the same client order id may go out again.
    } else if (failure.kind !== "retryable") {
      throw failure;
    }
    if (attempt >= policy.attempts) throw failure;
    await wait(backoffMs(policy, attempt, failure.retryAfterMs));
  }
}
