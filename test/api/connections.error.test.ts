import { describe, expect, it } from "vitest";
import { type ApiErrorJson, authed, signup } from "../helpers/api";

describe("connections: errors", () => {
  it("an unknown broker is 400 on field broker, listing the installed ones", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "nope", name: "x" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "broker" });
    expect(res.body.error.message).toContain("paper");
  });

  it("invalid settings name the nested field", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "paper", name: "x", settings: { startingCash: -5 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "settings.startingCash" });
    expect(res.body.error.message).toMatch(/^settings\.startingCash must be greater than 0\.$/);
  });

  it("PATCH re-validates the merged settings", async () => {
    const { token } = await signup();
    const a = authed(token);
    const conn = await a.post<{ id: string }>("/api/connections", { broker: "paper", name: "x" });
    const res = await a.patch<ApiErrorJson>(`/api/connections/${conn.body.id}`, { settings: { startingCash: "lots" } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("settings.startingCash");
  });

  it("a missing name is 400 naming it; nothing is created", async () => {
    const { token } = await signup();
    const a = authed(token);
    const res = await a.post<ApiErrorJson>("/api/connections", { broker: "paper" });
    expect(res.body.error).toMatchObject({ field: "name", message: "name is required." });
    expect((await a.get<unknown[]>("/api/connections")).body).toEqual([]);
  });

  it("an accountId that is not the connection's is 404 naming accountId", async () => {
    const { token } = await signup();
    const a = authed(token);
    const one = await a.post<{ id: string; accounts: { id: string }[] }>("/api/connections", { broker: "paper", name: "1" });
    const two = await a.post<{ id: string; accounts: { id: string }[] }>("/api/connections", { broker: "paper", name: "2" });
    const res = await a.get<ApiErrorJson>(`/api/connections/${one.body.id}/positions?accountId=${two.body.accounts[0]!.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ messageCode: "not-found", field: "accountId" });
  });

  it("an unknown id is 404", async () => {
    const { token } = await signup();
    const a = authed(token);
    for (const path of ["", "/positions", "/orders", "/balance"]) {
      const res = await a.get<ApiErrorJson>(`/api/connections/${crypto.randomUUID()}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error.messageCode).toBe("not-found");
    }
  });

  it("an unknown include value is 400 naming the query parameter", async () => {
    const { token } = await signup();
    const a = authed(token);
    const conn = await a.post<{ id: string }>("/api/connections", { broker: "paper", name: "x" });
    const res = await a.get<ApiErrorJson>(`/api/connections/${conn.body.id}/orders?include=everything`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: "include", message: "include must be one of: open, recent." });
  });
});
