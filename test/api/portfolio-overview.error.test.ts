/**
 * Bad requests to the positions, performance, paper-control and signal
 * export APIs: each is a 4xx with a field and a sentence, or the broker's
 * refusal as 502 `broker-error`; never a 500.
 */
import { api } from "../helpers/api";
import { describe, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";

interface ApiError {
  error: { messageCode: string; message: string; field?: string };
}

describe("paper controls", () => {
  it("refuses a price that is not positive, naming the field", async () => {
    const t = await createTrader();
    const res = await api<ApiError>("POST", `/api/connections/${t.connectionId}/paper/price`, { token: t.token, json: { ticker: "AAPL", price: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "price" });
  });

  it("refuses a reset to a negative cash, naming the field", async () => {
    const t = await createTrader();
    const res = await api<ApiError>("POST", `/api/connections/${t.connectionId}/paper/reset`, { token: t.token, json: { startingCash: -1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("startingCash");
  });

  it("cancelling an order the broker does not have is the broker's refusal, not a 500", async () => {
    const t = await createTrader();
    const res = await api<ApiError>("DELETE", `/api/connections/${t.connectionId}/orders/paper-999999`, { token: t.token });
    expect(res.status).toBe(502);
    expect(res.body.error.messageCode).toBe("broker-error");
    expect(res.body.error.message).toMatch(/^The broker \(Paper\) failed: /);
  });
});

describe("performance and signals", () => {
  it("an unknown subscription or account is 404", async () => {
    const t = await createTrader();
    for (const path of ["/api/performance/subscriptions/nope", "/api/performance/accounts/nope"]) {
      const res = await api<ApiError>("GET", path, { token: t.token });
      expect(res.status, path).toBe(404);
      expect(res.body.error.messageCode).toBe("not-found");
    }
  });

  it("a date filter that is not an ISO time is 400 naming it", async () => {
    const t = await createTrader();
    for (const path of ["/api/signals?from=yesterday", "/api/signals/export?to=2025-13-01"]) {
      const res = await api<ApiError>("GET", path, { token: t.token });
      expect(res.status, path).toBe(400);
      expect(res.body.error.field).toBe(path.includes("from") ? "from" : "to");
    }
  });
});
