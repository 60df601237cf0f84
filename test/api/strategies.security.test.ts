import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashWebhookSecret, verifyWebhookSecret } from "../../worker/auth/webhook-secret";
import { publicBaseUrl } from "../../worker/api/strategies";
import { api, authed, signup } from "../helpers/api";

async function row(id: string) {
  return env.DB.prepare("select * from strategies where id = ?").bind(id).first<Record<string, unknown>>();
}

describe("webhook secrets", () => {
  it("are stored only as a SHA-256 digest, never in plaintext", async () => {
    const { token } = await signup();
    const res = await authed(token).post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
    const secret = res.body.webhookUrl.split("/").pop()!;
    const stored = await row(res.body.id);
    expect(stored?.secret_hash).toBe(await hashWebhookSecret(secret));
    expect(stored?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it("rotation replaces the digest: the old secret no longer verifies", async () => {
    const { token } = await signup();
    const a = authed(token);
    const created = await a.post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
    const oldSecret = created.body.webhookUrl.split("/").pop()!;
    const before = String((await row(created.body.id))?.secret_hash);
    const rotated = await a.post<{ webhookUrl: string }>(`/api/strategies/${created.body.id}/rotate-secret`);
    const newSecret = rotated.body.webhookUrl.split("/").pop()!;
    const after = String((await row(created.body.id))?.secret_hash);
    expect(after).not.toBe(before);
    expect(await verifyWebhookSecret(oldSecret, after)).toBe(false);
    expect(await verifyWebhookSecret(newSecret, after)).toBe(true);
  });

  it("the webhook refuses the old URL after rotation with invalid-password", async () => {
    const { token } = await signup();
    const a = authed(token);
    const created = await a.post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
    await a.post(`/api/strategies/${created.body.id}/rotate-secret`);
    const res = await api<{ success: boolean; messageCode: string }>("POST", created.body.webhookUrl, {
      json: { ticker: "AAPL", action: "buy", price: 100 },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, messageCode: "invalid-password" });
  });

  it("webhook URLs use PUBLIC_URL when set, so a spoofed Host cannot redirect them", () => {
    const configured = { ...env, PUBLIC_URL: "https://trade.example.com/" };
    expect(publicBaseUrl(configured, "https://attacker.example/api/strategies")).toBe("https://trade.example.com");
    expect(publicBaseUrl({ ...env, PUBLIC_URL: undefined }, "https://host.example/api/strategies")).toBe("https://host.example");
  });
});
