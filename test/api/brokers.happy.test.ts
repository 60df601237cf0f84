import { describe, expect, it } from "vitest";
import { authed, signup } from "../helpers/api";

interface Broker {
  id: string;
  displayName: string;
  version: string;
  assetClasses: string[];
  environments: Record<string, string>;
  auth: { scheme: string; credentialsSchema: Record<string, unknown> };
  settingsSchema: { properties?: Record<string, { default?: unknown }> } | null;
  providesQuotes: boolean;
  capabilities: { methods: Record<string, string>; orders: Record<string, { clientOrderId: { pattern: unknown } }> };
  certification: string;
  maintenanceWindows: unknown[];
  rateLimit: unknown;
}

describe("GET /api/brokers", () => {
  it("lists the paper broker with JSON Schemas and serializable capabilities", async () => {
    const { token } = await signup();
    const res = await authed(token).get<Broker[]>("/api/brokers");
    expect(res.status, res.text).toBe(200);
    const paper = res.body.find((b) => b.id === "paper");
    expect(paper?.id).toBe("paper");
    expect(paper!.auth.scheme).toBe("none");
    expect(paper!.auth.credentialsSchema.type).toBe("object");
    expect(paper!.settingsSchema?.properties?.startingCash?.default).toBe(100000);
    expect(paper!.assetClasses).toContain("stocks");
    expect(paper!.auth).toMatchObject({ secretFields: [] });
    expect(paper!.certification).toBe("certified");
    expect(paper!.maintenanceWindows).toEqual([]);
    expect(paper!.rateLimit).toBeNull();
    expect(paper!.capabilities.methods).toMatchObject({ getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "native" });
    // RegExps do not survive JSON; they are sent as their source.
    for (const features of Object.values(paper!.capabilities.orders)) {
      expect(typeof features.clientOrderId.pattern).toBe("string");
    }
  });
});
