import { describe, expect, it } from "vitest";
import { type ApiErrorJson, authed, signup } from "../helpers/api";

describe("strategies: errors", () => {
  it("an unknown asset class names the field and the choices", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/strategies", { name: "S", assetClass: "bonds" });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      messageCode: "invalid-request",
      message: "assetClass must be one of: stocks, options, futures, crypto, forex.",
      field: "assetClass",
      requestId: expect.any(String),
    });
  });

  it("an out-of-range setting names settings.<field>", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/strategies", {
      name: "S",
      assetClass: "stocks",
      settings: { duplicateWindowSeconds: 5000 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: "settings.duplicateWindowSeconds", message: "settings.duplicateWindowSeconds must be at most 3600." });
  });

  it("an unknown setting is refused by name", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/strategies", { name: "S", assetClass: "stocks", settings: { duplicateWindow: 5 } });
    expect(res.body.error).toMatchObject({ field: "settings.duplicateWindow", message: "settings.duplicateWindow is not a recognized field." });
  });

  it("PATCH validates the merged settings", async () => {
    const { token } = await signup();
    const a = authed(token);
    const s = await a.post<{ id: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
    const res = await a.patch<ApiErrorJson>(`/api/strategies/${s.body.id}`, { settings: { maxSignalAgeSeconds: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("settings.maxSignalAgeSeconds");
  });

  it("a bad ticker names its index", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/strategies", { name: "S", assetClass: "stocks", allowedTickers: ["AAPL", "no spaces"] });
    expect(res.body.error).toMatchObject({ field: "allowedTickers.1" });
    expect(res.body.error.message).toContain("allowedTickers.1 must contain only letters");
  });

  it("an unknown id is 404 for get, patch, delete and rotate", async () => {
    const { token } = await signup();
    const a = authed(token);
    const id = crypto.randomUUID();
    expect((await a.get(`/api/strategies/${id}`)).status).toBe(404);
    expect((await a.patch(`/api/strategies/${id}`, { name: "x" })).status).toBe(404);
    expect((await a.del(`/api/strategies/${id}`)).status).toBe(404);
    expect((await a.post(`/api/strategies/${id}/rotate-secret`)).status).toBe(404);
  });
});
