/**
 * Component tests: the alert message builder and the subscription settings
 * form, each mounted alone (ui/test/harness) in the real Chromium, on the
 * Worker's origin, with real templates and the real settings JSON Schema
 * from the API. What the form hands to `onSave` is what the API receives.
 */
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, openBrowser, SCREENSHOTS } from "./support/browser";

const baseUrl = inject("baseUrl");
const harnessDir = inject("harnessDir");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

let browser: Browser;
let page: Page;
let token = "";
let schema: { properties: Record<string, unknown> } = { properties: {} };
let defaults: Record<string, unknown> = {};
let templates: unknown[] = [];
/** A second account for the account-settings forms, so their sessions and tokens stay apart from the other tests'. */
const accountEmail = `account-settings-${Date.now()}@example.com`;
let accountToken = "";

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

beforeAll(async () => {
  token = (await api<{ token: string }>("POST", "/api/auth/signup", { email: `components-${Date.now()}@example.com`, password: "correct horse battery" })).token;
  const strategy = await api<{ id: string }>("POST", "/api/strategies", { name: "Components", assetClass: "stocks" });
  const connection = await api<{ id: string }>("POST", "/api/connections", { broker: "paper", name: "Paper" });
  defaults = (await api<{ settings: Record<string, unknown> }>("POST", "/api/subscriptions", { strategyId: strategy.id, connectionId: connection.id })).settings;
  templates = (await api<{ templates: unknown[] }>("GET", `/api/strategies/${strategy.id}/templates`)).templates;
  schema = (await api<{ subscriptionSettings: typeof schema }>("GET", "/api/schemas")).subscriptionSettings;
  accountToken = (await api<{ token: string }>("POST", "/api/auth/signup", { email: accountEmail, password: "correct horse battery" })).token;

  browser = await openBrowser(baseUrl);
  page = browser.page;
  // The harness is served on the Worker's own origin, from the test's build of it.
  await page.route(`${baseUrl}/__harness/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/__harness\/?/, "") || "index.html";
    const body = await readFile(join(harnessDir, path)).catch(() => null);
    await route.fulfill(body ? { status: 200, body, contentType: TYPES[extname(path)] ?? "application/octet-stream" } : { status: 404, body: "" });
  });
});

afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<void> {
  await page.goto("/__harness/index.html");
  await page.waitForFunction(() => typeof window.mountBuilder === "function");
}

const message = async (): Promise<Record<string, unknown>> => JSON.parse((await page.locator("[data-message]").textContent()) ?? "{}") as Record<string, unknown>;

describe("message builder", () => {
  it("starts from the sender's template and applies quantity, limit, take profit, stop loss and alertId", async () => {
    await open();
    await page.evaluate((t) => window.mountBuilder(t as never), templates);
    // The TradingView strategy alert follows the strategy's position: no fixed quantity to set.
    expect(await message()).toMatchObject({ ticker: "{{ticker}}", action: "{{strategy.order.action}}", targetPosition: "{{strategy.position_size}}", alertId: "{{strategy.order.id}}-{{timenow}}" });
    expect(await page.getByLabel("Quantity").count()).toBe(0);
    await page.getByLabel("Take profit (%)").fill("2");
    expect((await message()).takeProfit).toEqual({ percent: 2 });
    await page.getByLabel("Take profit (%)").fill("");

    await page.getByLabel("Sender").selectOption("tradingview-indicator-buy");
    expect(await message()).toEqual({ ticker: "{{ticker}}", action: "buy", price: "{{close}}", time: "{{timenow}}", interval: "{{interval}}", alertId: "{{ticker}}-buy-{{timenow}}" });
    await page.getByLabel("Quantity").fill("2");
    await page.getByLabel("Order type").selectOption("limit");
    await page.getByLabel("Take profit (%)").fill("3");
    await page.getByLabel("Stop loss (%)").fill("1.5");
    await page.getByLabel("Protect against repeated deliveries").uncheck();
    const built = await message();
    expect(built).toMatchObject({ quantity: "2", orderType: "limit", limitPrice: "{{close}}", takeProfit: { percent: 3 }, stopLoss: { type: "stop", percent: 1.5 } });
    expect(built).not.toHaveProperty("alertId");

    await page.getByRole("button", { name: "Copy message" }).click();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(built);
    await page.screenshot({ path: join(SCREENSHOTS, "component-message-builder.png"), fullPage: true });
  });

  it("checks the options in words and shows no message until they are right", async () => {
    await open();
    await page.evaluate((t) => window.mountBuilder(t as never), templates);
    await page.getByLabel("Sender").selectOption("tradingview-indicator-sell");
    await page.getByLabel("Stop loss (%)").fill("100");
    await page.getByLabel("Quantity").fill("0");
    expect(await page.locator("#f-mb-stopLossPercent-err").textContent()).toBe("Stop loss (%) must be less than 100.");
    expect(await page.locator("#f-mb-quantity-err").textContent()).toBe("Quantity must be more than 0.");
    expect(await page.locator("[data-message]").count()).toBe(0);
    await page.getByLabel("Stop loss (%)").fill("2");
    await page.getByLabel("Quantity").fill("");
    expect((await message()).stopLoss).toEqual({ type: "stop", percent: 2 });
  });

  it("shows code snippets as they are, with a copy-code button", async () => {
    await open();
    await page.evaluate((t) => window.mountBuilder(t as never), templates);
    await page.getByLabel("Sender").selectOption("curl");
    expect(await page.getByLabel("Take profit (%)").count()).toBe(0);
    expect(await page.locator("[data-message]").textContent()).toMatch(/^curl -s -X POST '.+\/webhook\/[0-9a-f-]+\/<secret>'/);
    expect(await page.getByRole("button", { name: "Copy code" }).count()).toBe(1);
  });
});

describe("subscription settings form", () => {
  it("offers every setting of the API's schema", async () => {
    await open();
    const keys = await page.evaluate(() => window.settingKeys);
    expect([...keys].sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it("creating: checks limits from the schema in words, saves defaults plus the change, then starts over", async () => {
    await open();
    await page.evaluate((p) => window.mountSettings(p as never), { schema, initial: defaults, mode: "create" });
    await page.getByLabel("Quantity per entry").fill("0");
    await page.getByRole("button", { name: "Save" }).click();
    expect(await page.locator("#f-s-quantity-err").textContent()).toBe("Quantity per entry must be more than 0.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-s-quantity");
    expect(await page.evaluate(() => window.saved.length)).toBe(0);

    await page.getByLabel("Quantity per entry").fill("4");
    await page.getByText("More settings").click();
    await page.getByLabel("Approval deadline (seconds)").count().then((n) => expect(n).toBe(0));
    await page.getByLabel("Send orders automatically").uncheck();
    await page.getByLabel("Approval deadline (seconds)").fill("10");
    await page.getByRole("button", { name: "Save" }).click();
    expect(await page.locator("#f-s-approvalTimeoutSeconds-err").textContent()).toBe("Approval deadline (seconds) must be at least 30.");
    await page.getByLabel("Approval deadline (seconds)").fill("120");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Subscribed.").waitFor();
    const [saved] = await page.evaluate(() => window.saved);
    expect(saved).toMatchObject({ quantity: 4, autoSubmit: false, approvalTimeoutSeconds: 120, sizingMode: "fixed_quantity", tradingWindows: [] });
    // Creating sends no nulls to remove anything; `allowedTickers: null` is a value (follow the strategy).
    expect(Object.entries(saved ?? {}).filter(([, v]) => v === null).map(([k]) => k)).toEqual(["allowedTickers"]);
    expect(Object.keys(saved ?? {}).filter((k) => k !== "takeProfit" && k !== "stopLoss" && (saved ?? {})[k] !== undefined).length).toBeGreaterThan(30);
    // The form is back at the defaults.
    expect(await page.getByLabel("Quantity per entry").inputValue()).toBe("1");
  });

  it("editing: sizing by dollars, take profit and trailing stop, a window, and cleared options sent as null", async () => {
    await open();
    await page.evaluate((p) => window.mountSettings(p as never), { schema, initial: { ...defaults, entryCancelAfterSeconds: 60 }, mode: "edit" });
    await page.getByLabel("Size entries by").selectOption("dollar_amount");
    await page.getByRole("button", { name: "Save" }).click();
    expect(await page.locator("#f-s-sizingValue-err").textContent()).toBe("Enter the amount to size entries by.");
    await page.getByLabel("Amount").fill("5000");
    await page.getByLabel("Take profit as").selectOption("percent");
    await page.getByLabel("Take profit value").fill("3");
    await page.getByLabel("Stop loss type").selectOption("trailing_stop");
    await page.getByLabel("Stop loss value").fill("1.5");
    await page.getByLabel("Cancel an unfilled entry after (seconds)").fill("");
    await page.getByRole("button", { name: "Add a window" }).click();
    await page.getByLabel("Sat").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved. The next alert uses these settings.").waitFor();
    const [saved] = await page.evaluate(() => window.saved);
    expect(saved).toMatchObject({
      sizingMode: "dollar_amount",
      sizingValue: 5000,
      takeProfit: { percent: 3 },
      stopLoss: { type: "trailing_stop", trailPercent: 1.5 },
      entryCancelAfterSeconds: null,
      tradingWindows: [{ start: "09:30", end: "16:00", days: ["mon", "tue", "wed", "thu", "fri", "sat"] }],
    });
    await page.screenshot({ path: join(SCREENSHOTS, "component-settings-form.png"), fullPage: true });
  });

  it("risk limits: a daily loss limit with its own trading day and flatten, caps, market hours; cleared ones sent as null", async () => {
    await open();
    await page.evaluate((p) => window.mountSettings(p as never), { schema, initial: { ...defaults, maxOpenPositions: 3 }, mode: "edit" });
    await page.getByLabel("Daily loss limit ($)").fill("-5");
    await page.getByRole("button", { name: "Save" }).click();
    expect(await page.locator("#f-s-dailyLossLimit-err").textContent()).toBe("Daily loss limit must be more than 0.");
    await page.getByLabel("Daily loss limit ($)").fill("500");
    await page.getByLabel("The trading day starts at").fill("17:00");
    await page.getByLabel("Also close this subscription's positions when it is reached").check();
    await page.getByLabel("Largest position per ticker (units)").fill("100");
    await page.getByLabel("Most open positions in the account").fill("");
    await page.getByLabel("When the market is closed").selectOption("queue");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved. The next alert uses these settings.").waitFor();
    const [saved] = await page.evaluate(() => window.saved);
    expect(saved).toMatchObject({
      dailyLossLimit: { amount: 500, resetTime: "17:00", timezone: "America/New_York", flatten: true },
      dailyProfitTarget: null,
      maxPositionQuantity: 100,
      maxOpenPositions: null,
      marketHours: "queue",
    });
  });

  it("shows the API's field error next to its setting, in words, never as a field path", async () => {
    await open();
    const failWith = { status: 400, body: { error: { messageCode: "invalid-request", field: "settings.stopLoss.percent", message: "settings.stopLoss.percent must be less than 100." } } };
    await page.evaluate((p) => window.mountSettings(p as never), { schema, initial: { ...defaults, stopLoss: { type: "stop", percent: 5 } }, mode: "edit", failWith });
    await page.getByRole("button", { name: "Save" }).click();
    const error = page.locator("#f-s-stopLoss-err");
    await error.waitFor().catch(async (e: unknown) => {
      await page.screenshot({ path: join(SCREENSHOTS, "failed-component-api-error.png"), fullPage: true });
      throw e;
    });
    expect(await error.textContent()).toBe("Stop loss must be less than 100.");
    expect(await page.locator("form").textContent()).not.toContain("settings.");

    // An error about a setting the form does not show goes on top of the form, still in words.
    const other = { status: 400, body: { error: { messageCode: "invalid-request", field: "settings.somethingNew", message: "settings.somethingNew is not a recognized field." } } };
    await page.evaluate((p) => window.mountSettings(p as never), { schema, initial: defaults, mode: "edit", failWith: other });
    await page.getByRole("button", { name: "Save" }).click();
    const top = page.locator("form > .notice.bad");
    await top.waitFor();
    expect(await top.textContent()).toBe("Something new is not a setting this Tradeloop knows; reload the page.");
  });
});

describe("account settings forms (API tokens, password)", () => {
  /** Logs the harness page in, so the forms' requests carry a session cookie like the dashboard's. */
  async function openLoggedIn(): Promise<void> {
    await open();
    const status = await page.evaluate(async (body) => {
      const res = await fetch("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return res.status;
    }, { email: accountEmail, password: "correct horse battery" });
    expect(status).toBe(200);
    await page.evaluate(() => window.mountAccountSettings());
  }

  it("holds the same limits as the server: token names up to 100 characters, passwords of 8 to 1024", async () => {
    await open();
    const limits = await page.evaluate(() => window.accountLimits);
    const post = (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${accountToken}` }, body: JSON.stringify(body) }).then((r) => r.status);
    expect(await post("/api/auth/tokens", { name: "x".repeat(limits.tokenName + 1), scopes: ["read"] })).toBe(400);
    expect(await post("/api/auth/tokens", { name: "x".repeat(limits.tokenName), scopes: ["read"] })).toBe(201);
    expect(await post("/api/auth/password", { currentPassword: "correct horse battery", newPassword: "x".repeat(limits.passwordMin - 1) })).toBe(400);
    expect(await post("/api/auth/password", { currentPassword: "correct horse battery", newPassword: "x".repeat(limits.passwordMax + 1) })).toBe(400);
  });

  it("checks the token name and the password entries in words before sending anything", async () => {
    await openLoggedIn();
    const requests: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") requests.push(r.url());
    });
    await page.getByLabel("Token name").fill("   ");
    await page.getByRole("button", { name: "Create token" }).click();
    expect(await page.locator("#f-tokenName-err").textContent()).toBe("Enter a name for the token, such as the script that will use it.");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("f-tokenName");

    await page.getByRole("button", { name: "Change password" }).click();
    expect(await page.locator("#f-currentPassword-err").textContent()).toBe("Enter your current password.");
    expect(await page.locator("#f-newPassword-err").textContent()).toBe("Enter a new password.");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("f-currentPassword");
    await page.getByLabel("Current password").fill("correct horse battery");
    await page.getByLabel("New password", { exact: true }).fill("1234567");
    await page.getByRole("button", { name: "Change password" }).click();
    expect(await page.locator("#f-newPassword-err").textContent()).toBe("Use at least 8 characters for your new password.");
    await page.getByLabel("New password", { exact: true }).fill("12345678");
    await page.getByRole("button", { name: "Change password" }).click();
    expect(await page.locator("#f-confirmPassword-err").textContent()).toBe("Type the new password again.");
    expect(await page.locator("#root").textContent()).not.toMatch(/newPassword|currentPassword/);
    expect(requests).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, "component-account-settings.png"), fullPage: true });
  });

  it("creates a read-and-trade token, shows it once, lists it and resets the form", async () => {
    await openLoggedIn();
    await page.getByLabel("Token name").fill("Rebalancer");
    await page.getByLabel("Read and trade").check();
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.locator("input[name=newApiToken]").inputValue();
    expect(token).toMatch(/^tlk_/);
    const row = page.locator("tr[data-token=Rebalancer]");
    await row.waitFor();
    expect(await row.textContent()).toContain("Read and trade");
    expect(await page.getByLabel("Token name").inputValue()).toBe("");
    expect(await page.getByLabel("Read only").isChecked()).toBe(true);
    // The trade scope lets the token change things.
    const res = await fetch(`${baseUrl}/api/strategies`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "By token", assetClass: "stocks" }) });
    expect(res.status).toBe(201);
  });
});
