import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves health and has D1 migrated", async () => {
  const res = await exports.default.fetch("http://x/api/health");
  expect(await res.json()).toEqual({ ok: true });
  const row = await env.DB.prepare("select count(*) as n from users").first<{ n: number }>();
  expect(row?.n).toBe(0);
  expect(await env.SUBSCRIPTION_QUEUE.getByName("a").ping()).toBe("pong");
});
