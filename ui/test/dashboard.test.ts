/**
 * The dashboard end to end in a real Chromium against the real Worker
 * (`wrangler dev`, fresh state; see global-setup.ts). The tests share one
 * browser and one user and run in order: each builds on what the previous
 * one created, like a trader's first session.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, openBrowser, SCREENSHOTS } from "./support/browser";

const baseUrl = inject("baseUrl");
const USER = { email: `trader-${Date.now()}@example.com`, password: "correct horse battery" };

let browser: Browser;
let page: Page;
/** Filled in as the flow goes. */
let webhookUrl = "";

beforeAll(async () => {
  browser = await openBrowser(baseUrl);
  page = browser.page;
});

afterEach(async (ctx) => {
  // A failing step leaves a picture of the page and points at the Worker's log.
  if (ctx.task.result?.state !== "fail" || !page) return;
  const file = join(SCREENSHOTS, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  console.error(`screenshot: ${file}\nworker log: ${inject("workerLog")} (kept only with KEEP_UI_TEST_STATE=1)`);
});

afterAll(async () => {
  await browser?.close();
});

async function token(): Promise<string> {
  const t = await page.evaluate(() => localStorage.getItem("tradeloop.token"));
  if (!t) throw new Error("not logged in");
  return t;
}

/** A direct API call with the page's session, for setup and for comparing with what the page shows. */
async function apiCall(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function go(label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label }).click();
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(label);
}

/** A loopback port with nothing listening: a broker "host" that refuses every connection. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => resolve(typeof address === "object" && address ? address.port : 9));
    });
  });
}

async function postAlert(url: string, alert: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${url}?wait=2000`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alert) });
  const reply = (await res.json()) as { success: boolean; id: string };
  expect(reply.success, JSON.stringify(reply)).toBe(true);
  return reply.id;
}

describe("dashboard", () => {
  it("signs up, showing the API's field error next to the field first", async () => {
    await page.goto("/");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Log in to Tradeloop");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();

    const password = page.getByLabel("Password");
    await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
    const errorId = ((await password.getAttribute("aria-describedby")) ?? "").split(" ").find((id) => id.startsWith("err-"));
    expect(await page.locator(`#${errorId}`).textContent()).toBe("password must be at least 8 characters long.");
    await page.screenshot({ path: join(SCREENSHOTS, "sign-up-error.png") });

    await password.fill(USER.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Signals");
    await page.getByText("No signals yet").waitFor();
  });

  it("creates a paper connection through the form generated from the broker's schema", async () => {
    await go("Connections");
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.locator("form.connection-form");
    expect(await form.getByLabel("Broker").inputValue()).toBe("paper");
    // Paper takes no keys: no credentials section, and its settings come from its JSON Schema.
    expect(await form.locator("fieldset.credentials").count()).toBe(0);
    await form.getByLabel("Starting cash").fill("-5");
    await form.getByRole("button", { name: "Connect" }).click();
    const cash = form.getByLabel("Starting cash");
    await expect.poll(() => cash.getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator(".field-error").textContent()).toBe("settings.startingCash must be greater than 0.");

    await cash.fill("50000");
    await form.getByRole("button", { name: "Connect" }).click();
    const result = form.locator(".outcome.good");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/accepted the connection and reports 1 account: Paper account\.$/);

    const card = page.locator("article[data-connection-id]").filter({ hasText: "Paper account" });
    await card.waitFor();
    expect(await card.locator(".badge").first().textContent()).toBe("Active");
    await card.getByRole("button", { name: "Test connection" }).click();
    await card.locator(".outcome.good").waitFor();
  });

  it("creates a strategy, shows its webhook URL once with a copy button, and lists alert templates", async () => {
    await go("Strategies");
    const form = page.locator("form", { has: page.getByRole("heading", { name: "New strategy" }) });
    await form.getByLabel("Name").fill("Breakout");
    await form.getByRole("button", { name: "Create strategy" }).click();

    const panel = page.locator(".secret-once");
    await panel.waitFor();
    webhookUrl = await panel.getByRole("textbox").inputValue();
    expect(webhookUrl).toMatch(new RegExp(`^${baseUrl}/webhook/[0-9a-f-]{36}/[A-Za-z0-9_-]{20,}$`));
    expect(await panel.textContent()).toContain("Store it now.");
    await panel.getByRole("button", { name: "Copy URL" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(webhookUrl);
    await page.screenshot({ path: join(SCREENSHOTS, "strategy-webhook.png"), fullPage: true });
    await panel.getByRole("button", { name: "I stored it" }).click();
    expect(await page.locator(".secret-once").count()).toBe(0);

    const card = page.locator("article[data-strategy-id]").filter({ hasText: "Breakout" });
    // Afterwards only the masked hint is shown.
    expect(await card.locator("code").first().textContent()).toMatch(/\/webhook\/[0-9a-f-]{36}\/•+$/);
    await card.getByText("Alert templates").click();
    await card.locator("[data-template=tradingview-strategy]").waitFor();
    expect(await card.locator("[data-template]").count()).toBeGreaterThanOrEqual(5);
    expect(await card.locator("[data-template=curl] button").textContent()).toBe("Copy code");

    // Rotating shows the new URL once; the old one stops working.
    page.once("dialog", (dialog) => void dialog.accept());
    await card.getByRole("button", { name: "Rotate secret" }).click();
    await panel.waitFor();
    const rotated = await panel.getByRole("textbox").inputValue();
    expect(rotated).not.toBe(webhookUrl);
    const stale = (await (await fetch(webhookUrl, { method: "POST", body: "{}" })).json()) as { messageCode?: string };
    expect(stale.messageCode).toBe("invalid-password");
    webhookUrl = rotated;
    await panel.getByRole("button", { name: "I stored it" }).click();
  });

  it("subscribes the paper account and shows the filled trade of an alert in Signals", async () => {
    await go("Subscriptions");
    const form = page.locator("form", { has: page.getByRole("heading", { name: "New subscription" }) });
    await form.getByLabel("Quantity").fill("3");
    await form.getByRole("button", { name: "Subscribe" }).click();
    const row = page.locator("tbody tr").filter({ hasText: "Breakout" });
    await row.waitFor();
    expect(await row.locator("td").nth(2).textContent()).toBe("3");
    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Disabled");
    await row.getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Enabled");

    await go("Signals");
    const signalId = await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 190.25 });
    // Auto-refresh brings it in without a reload.
    const signal = page.locator(`details[data-signal-id="${signalId}"]`);
    await signal.waitFor({ timeout: 20_000 });
    await signal.locator(":scope > summary").click();
    const trade = signal.locator("section.trade");
    await expect.poll(() => trade.getAttribute("data-trade-status"), { timeout: 20_000 }).toBe("filled");
    // The badge says what the signal did, not only that the alert was accepted.
    const outcome = signal.locator(":scope > summary .badge");
    await expect.poll(() => outcome.textContent()).toBe("Traded");
    expect(await outcome.getAttribute("title")).toBe("Entry: Buy 3 AAPL at market.");
    const cells = await trade.locator("tbody tr").first().locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["Entry", "buy", "3"]);
    expect(cells[5]).toBe("Filled");
    expect(cells[7]).toBe((190.25).toLocaleString("en-US"));
    await page.screenshot({ path: join(SCREENSHOTS, "signals.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SCREENSHOTS, "signals-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // An accepted alert that trades nothing says so, with the reason.
    const exitId = await postAlert(webhookUrl, { ticker: "TSLA", action: "exit", price: 250 });
    const nothing = page.locator(`details[data-signal-id="${exitId}"] > summary .badge`);
    await expect.poll(() => nothing.textContent(), { timeout: 20_000 }).toBe("Nothing traded");
    expect(await nothing.getAttribute("title")).toBe("There is no open TSLA position to exit; nothing was sent.");

    await go("Connections");
    const card = page.locator("article[data-connection-id]").filter({ hasText: "Paper account" });
    await card.getByText("Balance and positions").click();
    const positions = card.locator("tbody tr");
    await positions.first().waitFor();
    expect(await positions.first().locator("td").allTextContents()).toEqual(["AAPL", "3", (190.25).toLocaleString("en-US")]);
    await page.screenshot({ path: join(SCREENSHOTS, "connections.png"), fullPage: true });
  });

  it("renders a credentials form from the schema and shows the broker's one-sentence verdict on bad keys", async (ctx) => {
    const brokers = (await (await fetch(`${baseUrl}/api/brokers`, { headers: { authorization: `Bearer ${await token()}` } })).json()) as { id: string }[];
    if (!brokers.some((b) => b.id === "alpaca")) ctx.skip("the alpaca plugin is not registered in GET /api/brokers on this tree");

    await go("Connections");
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.locator("form.connection-form");
    await form.getByLabel("Broker").selectOption("alpaca");
    const creds = form.locator("fieldset.credentials");
    // Labels from `title`, help from `description`, the key link from `x-link`, masked inputs for secrets.
    expect(await creds.locator("legend").textContent()).toBe("Alpaca API key");
    const keyId = form.getByLabel("API key ID");
    expect(await keyId.getAttribute("type")).toBe("password");
    expect(await form.getByLabel("Secret key").getAttribute("type")).toBe("password");
    const helpId = ((await keyId.getAttribute("aria-describedby")) ?? "").split(" ")[0];
    expect(await page.locator(`#${helpId}`).textContent()).toContain("Home → API Keys");
    expect(await creds.getByRole("link").first().getAttribute("href")).toBe("https://app.alpaca.markets/");
    const environment = form.getByLabel("Environment");
    expect(await environment.locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["paper", "live"]);
    await page.screenshot({ path: join(SCREENSHOTS, "connection-form-alpaca.png"), fullPage: true });

    // A missing key is the API's field error, next to that field.
    await form.getByLabel("Secret key").fill("not-a-real-secret");
    await form.getByRole("button", { name: "Connect" }).click();
    await expect.poll(() => keyId.getAttribute("aria-invalid")).toBe("true");

    // Bad keys against a host that answers nothing: the one sentence the API gives, verbatim.
    const baseUrlOverride = `http://127.0.0.1:${await closedPort()}`;
    await keyId.fill("PKNOTAREALKEY0000000");
    await form.getByText("Advanced settings").click();
    await form.getByLabel("Trading API base URL override").fill(baseUrlOverride);
    await form.getByRole("button", { name: "Connect" }).click();
    const verdict = form.locator(".outcome.bad");
    await expect.poll(() => verdict.count(), { timeout: 20_000 }).toBe(1);
    const expected = await apiCall("POST", "/api/connections", {
      broker: "alpaca",
      name: "Alpaca account",
      settings: { environment: "paper", baseUrl: baseUrlOverride },
      credentials: { keyId: "PKNOTAREALKEY0000000", secretKey: "not-a-real-secret" },
    });
    expect(expected.status).toBeGreaterThanOrEqual(400);
    const message = (expected.json.error as { message: string }).message;
    expect(await verdict.textContent()).toBe(message);
    expect(message).toMatch(/^[^.]+[.]$/);
    await page.screenshot({ path: join(SCREENSHOTS, "connection-bad-keys.png"), fullPage: true });
    // Nothing was stored: still only the paper connection.
    expect(await page.locator("article[data-connection-id]").count()).toBe(1);
  });

  it("approves a trade that waits for approval", async () => {
    const created = await apiCall("POST", "/api/strategies", { name: "Manual", assetClass: "stocks" });
    const manualUrl = String(created.json.webhookUrl);

    await go("Subscriptions");
    const form = page.locator("form", { has: page.getByRole("heading", { name: "New subscription" }) });
    await form.getByLabel("Strategy").selectOption({ label: "Manual" });
    await form.getByLabel("Send orders automatically").uncheck();
    await form.getByRole("button", { name: "Subscribe" }).click();
    const row = page.locator("tbody tr").filter({ hasText: "Manual" });
    await row.waitFor();
    expect(await row.locator("td").nth(5).textContent()).toBe("Needs approval");
    await page.screenshot({ path: join(SCREENSHOTS, "subscriptions.png"), fullPage: true });

    await postAlert(manualUrl, { ticker: "MSFT", action: "buy", quantity: 2, price: 410 });
    await go("Approvals");
    const pending = page.locator("tbody tr").filter({ hasText: "MSFT" });
    await pending.waitFor();
    expect(await pending.textContent()).toContain("Entry: buy 2 market");
    await page.screenshot({ path: join(SCREENSHOTS, "approvals.png"), fullPage: true });
    await pending.getByRole("button", { name: "Approve" }).click();
    const result = page.locator(".outcome.good");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^MSFT: approved/);
    await page.getByText("Nothing is waiting.").waitFor();

    await go("Signals");
    const msft = page.locator("details.signal").filter({ hasText: "buy 2 MSFT" });
    await msft.locator(":scope > summary").click();
    await expect.poll(() => msft.locator("section.trade").getAttribute("data-trade-status"), { timeout: 20_000 }).toBe("filled");
  });

  it("logs out and back in", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Log in to Tradeloop");
    expect(await page.evaluate(() => localStorage.getItem("tradeloop.token"))).toBeNull();
    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("The email or password is incorrect.").waitFor();
    await page.getByLabel("Password").fill(USER.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Signals");
    // AAPL, the TSLA exit, MSFT, and the refused delivery to the rotated-away URL (the log keeps those too).
    await expect.poll(() => page.locator("details.signal").count()).toBe(4);
  });
});
