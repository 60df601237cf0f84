import { describe, expect, it } from "vitest";
import { authed, client, signup } from "../helpers/api";

interface Strategy {
  id: string;
  name: string;
  assetClass: string;
  allowedTickers: string[] | null;
  settings: { duplicateWindowSeconds: number; maxSignalAgeSeconds?: number };
  enabled: boolean;
  webhookUrl: string | null;
  webhookUrlHint: string;
  createdAt: string;
  updatedAt: string;
}

describe("strategies: happy paths", () => {
  it("create returns an absolute webhook URL with the id and a 256-bit secret", async () => {
    const { token } = await signup();
    const res = await authed(token).post<Strategy>("/api/strategies", { name: "Trend", assetClass: "stocks" });
    expect(res.status, res.text).toBe(201);
    const url = new URL(res.body.webhookUrl!);
    expect(url.origin).toBe("http://tradeloop.test");
    const [, hook, id, secret] = url.pathname.split("/");
    expect(hook).toBe("webhook");
    expect(id).toBe(res.body.id);
    // 32 random bytes as base64url = 43 characters, far above the 128-bit minimum.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({
      name: "Trend",
      assetClass: "stocks",
      allowedTickers: null,
      enabled: true,
      settings: { duplicateWindowSeconds: 0 },
    });
  });

  it("upper-cases and de-duplicates tickers; empty means any", async () => {
    const { token } = await signup();
    const a = authed(token);
    const res = await a.post<Strategy>("/api/strategies", { name: "T", assetClass: "crypto", allowedTickers: ["btcusd", " ethusd ", "BTCUSD"] });
    expect(res.body.allowedTickers).toEqual(["BTCUSD", "ETHUSD"]);
    const cleared = await a.patch<Strategy>(`/api/strategies/${res.body.id}`, { allowedTickers: [] });
    expect(cleared.body.allowedTickers).toBeNull();
  });

  it("reads never show the secret: webhookUrl is null and the hint is masked", async () => {
    const { token } = await signup();
    const a = authed(token);
    const created = await a.post<Strategy>("/api/strategies", { name: "S", assetClass: "futures" });
    const secret = created.body.webhookUrl!.split("/").pop()!;
    const got = await a.get<Strategy>(`/api/strategies/${created.body.id}`);
    expect(got.body.webhookUrl).toBeNull();
    expect(got.body.webhookUrlHint).toBe(`http://tradeloop.test/webhook/${created.body.id}/••••••••`);
    const list = await a.get<Strategy[]>("/api/strategies");
    expect(list.text).not.toContain(secret);
    expect(got.text).not.toContain(secret);
  });

  it("PATCH changes name, tickers, settings (merged) and enabled", async () => {
    const { token } = await signup();
    const a = authed(token);
    const created = await a.post<Strategy>("/api/strategies", {
      name: "S",
      assetClass: "stocks",
      settings: { duplicateWindowSeconds: 30 },
    });
    const patched = await a.patch<Strategy>(`/api/strategies/${created.body.id}`, {
      name: "Renamed",
      allowedTickers: ["aapl"],
      settings: { maxSignalAgeSeconds: 60 },
      enabled: false,
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      name: "Renamed",
      allowedTickers: ["AAPL"],
      settings: { duplicateWindowSeconds: 30, maxSignalAgeSeconds: 60 },
      enabled: false,
      webhookUrl: null,
    });
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
  });

  it("rotate-secret returns a new URL; list and delete work", async () => {
    const { token } = await signup();
    const a = authed(token);
    const created = await a.post<Strategy>("/api/strategies", { name: "S", assetClass: "forex" });
    const rotated = await a.post<Strategy>(`/api/strategies/${created.body.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.webhookUrl).toMatch(new RegExp(`/webhook/${created.body.id}/[A-Za-z0-9_-]{43}$`));
    expect(rotated.body.webhookUrl).not.toBe(created.body.webhookUrl);
    expect((await a.get<Strategy[]>("/api/strategies")).body.map((s) => s.id)).toEqual([created.body.id]);
    expect((await a.del(`/api/strategies/${created.body.id}`)).status).toBe(204);
    expect((await a.get(`/api/strategies/${created.body.id}`)).status).toBe(404);
  });

  it("works through the typed client", async () => {
    const { token } = await signup();
    const res = await client(token).api.strategies.$post({ json: { name: "Typed", assetClass: "options" } });
    expect(res.status).toBe(201);
    if (res.status === 201) expect((await res.json()).webhookUrl).toContain("/webhook/");
  });
});
