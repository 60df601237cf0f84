/**
 * The dashboard end to end in a real Chromium against the real Worker
 * (`wrangler dev`, fresh state; see global-setup.ts). The tests share one
 * browser and one user and run in order: each builds on what the previous
 * one created, like a trader's first session.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, openBrowser, SCREENSHOTS } from "./support/browser";

const baseUrl = inject("baseUrl");
const USER = { email: `trader-${Date.now()}@example.com`, password: "correct horse battery" };
/** The password the Security section changes to (USER.password follows it). */
const NEW_PASSWORD = "staple battery horse correct";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let browser: Browser;
let page: Page;
/** Filled in as the flow goes. */
let webhookUrl = "";
let apiToken = "";

beforeAll(async () => {
  browser = await openBrowser(baseUrl);
  page = browser.page;
  // The session token the page got, for direct API calls that compare with what the page shows.
  page.on("response", async (res) => {
    if (!/\/api\/auth\/(login|signup|password)$/.test(res.url()) || res.status() >= 300) return;
    const body = (await res.json().catch(() => null)) as { token?: string } | null;
    if (body?.token) apiToken = body.token;
  });
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

/** A direct API call with the session, for setup and for comparing with what the page shows. */
async function apiCall(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function heading(): Promise<string | null> {
  return page.getByRole("heading", { level: 1 }).first().textContent();
}

async function go(label: string, title = label): Promise<void> {
  const nav = page.getByRole("navigation", { name: "Main" });
  if (!(await nav.isVisible())) await page.getByRole("button", { name: "Menu" }).click();
  await nav.getByRole("link", { name: label, exact: false }).first().click();
  await expect.poll(heading).toBe(title);
}

async function shot(name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
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

/** Waits until GET /api/portfolio shows `ticker` at `quantity` on the first account. */
async function positionIs(ticker: string, quantity: number): Promise<void> {
  await expect
    .poll(async () => {
      const p = await apiCall("GET", "/api/portfolio");
      const accounts = p.json.accounts as { positions: { ticker: string; quantity: number }[] }[];
      return accounts[0]?.positions.find((x) => x.ticker === ticker)?.quantity ?? 0;
    }, { timeout: 20_000 })
    .toBe(quantity);
}

/** Every visible interactive or data element of the page lies within the viewport's width. */
async function offscreen(width: number): Promise<string[]> {
  return page.evaluate((w) => {
    const out: string[] = [];
    if (document.documentElement.scrollWidth > w + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
    for (const el of document.querySelectorAll<HTMLElement>("main button, main a, main input, main select, main .badge, main td, main h1, main h2, header button")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest("dialog:not([open]), details:not([open]) > :not(summary)")) continue;
      if (r.left < -1 || r.right > w + 1) out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 40)}" spans ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return out;
  }, width);
}

describe("dashboard", () => {
  it("serves a favicon, not the page, at /favicon.ico", async () => {
    const res = await fetch(`${baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).not.toMatch(/html/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
    const svg = await fetch(`${baseUrl}/favicon.svg`);
    expect(svg.headers.get("content-type")).toMatch(/svg/);
  });

  it("signs up, checking the password in words first, and shows the empty signal log", async () => {
    await page.goto("/");
    await expect.poll(heading).toBe("Log in to Tradeloop");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(heading).toBe("Create your Tradeloop account");
    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    const password = page.getByLabel("Password");
    await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#f-password-err").textContent()).toBe("Use at least 8 characters for your password.");
    await shot("sign-up-error", false);

    await password.fill(USER.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(heading).toBe("Signals");
    await page.getByText("No signals yet").waitFor();
    // Nothing about the session is kept where a script could read it.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k !== "tradeloop.theme"))).toEqual([]);
  });

  it("adds a paper connection: the starting cash is checked in words, and the form starts over after success", async () => {
    await go("Connections");
    await page.getByText("No connections yet").waitFor();
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.locator("form.connection-form");
    expect(await form.getByLabel("Broker").inputValue()).toBe("paper");
    expect(await form.locator("fieldset.credentials").count()).toBe(0);
    const cash = form.getByLabel("Starting cash");
    await cash.fill("0");
    await form.getByRole("button", { name: "Connect" }).click();
    await expect.poll(() => cash.getAttribute("aria-invalid")).toBe("true");
    const error = (await form.locator(".field-error").textContent()) ?? "";
    expect(error).toBe("Starting cash must be more than 0.");
    expect(error).not.toMatch(/settings\.|startingCash/);
    await shot("connection-form-error", false);

    await cash.fill("50000");
    await form.getByRole("button", { name: "Connect" }).click();
    const result = page.locator("form.connection-form .notice.good");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/accepted the connection and reports 1 account: Paper account\.$/);
    // Reset: the defaults are back.
    expect(await page.locator("form.connection-form").getByLabel("Starting cash").inputValue()).toBe("100000");

    const card = page.locator("article[data-connection-id]").filter({ hasText: "Paper account" });
    await card.waitFor();
    expect(await card.locator(".badge").first().textContent()).toBe("Connected");
    await card.getByRole("button", { name: "Test connection" }).click();
    await card.locator(".notice.good").waitFor();
  });

  it("creates a strategy, shows its webhook URL once, builds an alert message and edits the strategy", async () => {
    await go("Strategies");
    const form = page.locator("form", { has: page.getByRole("heading", { name: "New strategy" }) });
    await form.getByLabel("Duplicate window (seconds)").fill("99999");
    await form.getByRole("button", { name: "Create strategy" }).click();
    expect(await form.locator("#f-name-err").textContent()).toBe("Enter a name for the strategy.");
    expect(await form.locator("#f-settings-duplicateWindowSeconds-err").textContent()).toBe("Duplicate window (seconds) must be at most 3600.");
    await form.getByLabel("Name").fill("Breakout");
    await form.getByLabel("Duplicate window (seconds)").fill("0");
    await form.getByRole("button", { name: "Create strategy" }).click();

    const panel = page.locator(".secret-once");
    await panel.waitFor();
    webhookUrl = await panel.getByRole("textbox").inputValue();
    expect(webhookUrl).toMatch(new RegExp(`^${baseUrl}/webhook/[0-9a-f-]{36}/[A-Za-z0-9_-]{20,}$`));
    await panel.getByRole("button", { name: "Copy URL" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(webhookUrl);
    // The form starts over.
    await expect.poll(() => form.getByLabel("Name").inputValue()).toBe("");
    await shot("strategy-webhook");
    await panel.getByRole("button", { name: "I stored it" }).click();

    const card = page.locator("article[data-strategy-id]").filter({ hasText: "Breakout" });
    expect(await card.locator("code").first().textContent()).toMatch(/\/webhook\/[0-9a-f-]{36}\/•+$/);
    await card.getByText("Alert messages").click();
    const builder = card.locator("[data-builder]");
    await builder.locator("[data-message]").waitFor();
    expect(JSON.parse((await builder.locator("[data-message]").textContent()) ?? "{}")).toMatchObject({ ticker: "{{ticker}}", action: "{{strategy.order.action}}" });
    await builder.getByLabel("Take profit (%)").fill("3");
    await expect.poll(async () => JSON.parse((await builder.locator("[data-message]").textContent()) ?? "{}").takeProfit).toEqual({ percent: 3 });
    await builder.getByLabel("Take profit (%)").fill("");

    await card.getByRole("button", { name: "Edit" }).click();
    await card.getByLabel("Allowed tickers").fill("aapl, msft");
    await card.getByRole("button", { name: "Save" }).click();
    await card.getByText("Saved.").waitFor();
    expect(await card.locator(".facts").textContent()).toContain("AAPL, MSFT");
  });

  it("subscribes the paper account, pauses and resumes it", async () => {
    await go("Subscriptions");
    const form = page.locator("form[data-settings-form=create]");
    const quantity = form.getByLabel("Quantity per entry");
    await quantity.fill("-1");
    await form.getByRole("button", { name: "Subscribe" }).click();
    await expect.poll(() => quantity.getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator(".field-error").first().textContent()).toBe("Quantity per entry must be more than 0.");
    await quantity.fill("3");
    await form.getByRole("button", { name: "Subscribe" }).click();
    const row = page.locator("tr[data-subscription-id]").filter({ hasText: "Breakout" });
    await row.waitFor();
    expect(await row.locator("td[data-label=Sizing]").textContent()).toBe("3 per entry");
    // The form is ready for another, back at the defaults.
    expect(await form.getByLabel("Quantity per entry").inputValue()).toBe("1");
    await row.getByRole("button", { name: "Pause" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Paused");
    await row.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Active");
    await shot("subscriptions");
  });

  it("shows a filled alert in Signals as traded, with its latency and orders, and exports the log", async () => {
    await go("Signals");
    const signalId = await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 190.25 });
    const signal = page.locator(`details[data-signal-id="${signalId}"]`);
    await signal.waitFor({ timeout: 20_000 });
    await expect.poll(() => signal.getAttribute("data-outcome"), { timeout: 20_000 }).toBe("traded");
    expect(await signal.locator("summary .badge").textContent()).toBe("Traded");
    // The sentence behind the outcome, on hover and for screen readers.
    expect(await signal.locator("summary .outcome-badge").getAttribute("title")).toBe("Entry: Buy 3 AAPL at market.");
    expect(await signal.locator(".latency").textContent()).toMatch(/^\d+(\.\d)? m?s to order$/);
    await signal.locator(":scope > summary").click();
    const trade = signal.locator("section.trade");
    expect(await trade.getAttribute("data-trade-status")).toBe("filled");
    const cells = await trade.locator("tbody tr").first().locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["Entry", "buy", "3"]);
    expect(cells[7]).toBe((190.25).toLocaleString("en-US"));

    // A signal that traded nothing is not green: MSFT is allowed, but a sell with no position only exits nothing.
    const nothing = await postAlert(webhookUrl, { ticker: "MSFT", action: "exit", price: 400 });
    const quiet = page.locator(`details[data-signal-id="${nothing}"]`);
    await expect.poll(() => quiet.getAttribute("data-outcome"), { timeout: 20_000 }).toBe("nothing-traded");
    expect(await quiet.locator("summary .badge").getAttribute("class")).not.toContain("good");
    expect(await quiet.locator("summary .outcome-badge").getAttribute("title")).toBe("There is no open MSFT position to exit; nothing was sent.");
    // Opened, the reason is written out.
    await quiet.locator(":scope > summary").click();
    expect(await quiet.locator(".why").textContent()).toBe("There is no open MSFT position to exit; nothing was sent.");
    await shot("signals");

    await page.getByLabel("Outcome").selectOption("traded");
    await expect.poll(() => page.locator("details.signal").count()).toBe(1);
    await page.getByLabel("Ticker").fill("ZZZZ");
    await page.getByLabel("Ticker").press("Tab");
    await page.getByText("No signals match these filters").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => page.locator("details.signal").count()).toBe(2);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("tradeloop-signals.csv");
    const csv = await download.path().then((p) => import("node:fs/promises").then((fs) => fs.readFile(p, "utf8")));
    expect(csv.split("\r\n")[0]).toMatch(/^received_at,signal_id,/);
    expect(csv).toContain(signalId);
  });

  it("shows the alert's position with its mark, P&L and strategy, and a paper price moves it", async () => {
    await go("Positions");
    const row = page.locator("tr[data-ticker=AAPL]");
    await row.waitFor();
    expect(await row.locator("td[data-label=Quantity]").textContent()).toBe("3");
    expect(await row.locator("td[data-label='Avg price']").textContent()).toBe((190.25).toLocaleString("en-US"));
    expect(await row.locator("td[data-label='Opened by']").textContent()).toBe("Breakout");
    expect(await row.locator("td[data-label=Unrealized]").textContent()).toBe("$0.00");

    const account = page.locator("section.account");
    await account.getByLabel("Ticker").fill("AAPL");
    await account.getByLabel("Price", { exact: true }).fill("0");
    await account.getByRole("button", { name: "Set price" }).click();
    expect(await account.locator(".field-error").textContent()).toBe("Price must be more than 0.");
    await account.getByLabel("Price", { exact: true }).fill("195.25");
    await account.getByRole("button", { name: "Set price" }).click();
    await account.getByText("AAPL is now at 195.25").waitFor();
    await expect.poll(() => row.locator("td[data-label=Unrealized]").textContent()).toBe("+$15.00");
    expect(await row.locator("td[data-label=Mark]").textContent()).toBe("195.25");
    await shot("positions");
  });

  it("edits a subscription setting and the next alert follows it", async () => {
    await go("Subscriptions");
    await page.locator("tr[data-subscription-id]").filter({ hasText: "Breakout" }).getByRole("link", { name: "Edit" }).click();
    await expect.poll(heading).toBe("Edit subscription");
    const form = page.locator("form[data-settings-form=edit]");
    await form.getByLabel("Quantity per entry").fill("5");
    await form.getByLabel("Add to an open position").check();
    await form.getByLabel("Approval deadline (seconds)").count().then((n) => expect(n).toBe(0));
    await form.getByRole("button", { name: "Save settings" }).click();
    await form.getByText("Saved. The next alert uses these settings.").waitFor();
    await shot("subscription-edit");

    await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 195.25 });
    await positionIs("AAPL", 8);
    await go("Positions");
    await expect.poll(() => page.locator("tr[data-ticker=AAPL] td[data-label=Quantity]").textContent()).toBe("8");
  });

  it("draws the performance chart after a closed trade", async () => {
    await postAlert(webhookUrl, { ticker: "AAPL", action: "exit", price: 200 });
    await positionIs("AAPL", 0);
    await go("Performance");
    const chart = page.locator(".chart canvas").first();
    await chart.waitFor({ timeout: 20_000 });
    // A drawn canvas: some pixels differ from the first one (not a blank surface).
    await expect
      .poll(
        () =>
          chart.evaluate((c: HTMLCanvasElement) => {
            const ctx = c.getContext("2d");
            if (!ctx || c.width === 0) return 0;
            const data = ctx.getImageData(0, 0, c.width, c.height).data;
            const [r0, g0, b0, a0] = [data[0], data[1], data[2], data[3]];
            let differing = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] !== r0 || data[i + 1] !== g0 || data[i + 2] !== b0 || data[i + 3] !== a0) differing++;
            return differing;
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(500);
    const stats = page.locator(".perf .stats");
    // 3 @ 190.25 and 5 @ 195.25, sold 8 @ 200: +29.25 + 23.75 = +53.00; one round trip, won.
    expect(await stats.textContent()).toContain("+$53.00");
    expect(await stats.textContent()).toContain("100%");
    await shot("performance");
  });

  it("approves a trade, showing its account, strategy, price and countdown, with the count in the navigation", async () => {
    const created = await apiCall("POST", "/api/strategies", { name: "Manual", assetClass: "stocks" });
    const manualUrl = String(created.json.webhookUrl);
    const connections = await apiCall("GET", "/api/connections");
    const connectionId = (connections.json as unknown as { id: string }[])[0]?.id;
    const sub = await apiCall("POST", "/api/subscriptions", { strategyId: created.json.id, connectionId, settings: { autoSubmit: false, quantity: 2 } });
    expect(sub.status).toBe(201);

    await postAlert(manualUrl, { ticker: "MSFT", action: "buy", price: 410 });
    await expect.poll(() => page.locator("nav .count").textContent(), { timeout: 20_000 }).toBe("1");
    await go("Approvals");
    const pending = page.locator("article.pending").filter({ hasText: "MSFT" });
    await pending.waitFor();
    const text = (await pending.textContent()) ?? "";
    expect(text).toContain("Paper account");
    expect(text).toContain("Manual");
    expect(text).toContain("@ 410");
    expect(text).toContain("Entry: buy 2 market");
    expect(await pending.locator(".card-head span").last().textContent()).toMatch(/^\d+:\d\d left$/);
    await shot("approvals");
    await pending.getByRole("button", { name: "Approve" }).click();
    const result = page.locator(".notice.good");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^MSFT on Paper account: approved/);
    await page.getByText("Nothing is waiting").waitFor();
    // The navigation's count follows at once.
    await expect.poll(() => page.locator("nav .count").count(), { timeout: 5_000 }).toBe(0);
  });

  it("renders a credentials form from the schema and shows the broker's one-sentence verdict on bad keys", async () => {
    // Alpaca is registered (plugins/index.ts); if it ever goes missing this test must fail, not skip.
    const brokers = (await apiCall("GET", "/api/brokers")).json as unknown as { id: string }[];
    expect(brokers.map((b) => b.id)).toContain("alpaca");

    await go("Connections");
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.locator("form.connection-form");
    await form.getByLabel("Broker").selectOption("alpaca");
    const creds = form.locator("fieldset.credentials");
    expect(await creds.locator("legend").textContent()).toBe("Alpaca API key");
    const keyId = form.getByLabel("API key ID");
    // The key id is an identifier, not a secret: readable, so the trader can check it.
    expect(await keyId.getAttribute("type")).toBe("text");
    expect(await form.getByLabel("Secret key").getAttribute("type")).toBe("password");
    expect(await creds.getByRole("link").first().getAttribute("href")).toBe("https://app.alpaca.markets/");

    // A missing key is asked for in words, next to its field.
    await form.getByLabel("Secret key").fill("not-a-real-secret");
    await form.getByRole("button", { name: "Connect" }).click();
    await expect.poll(() => keyId.getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator("#f-credentials-keyId-err").textContent()).toBe("Enter your Alpaca API key ID.");
    await shot("connection-form-alpaca");

    const baseUrlOverride = `http://127.0.0.1:${await closedPort()}`;
    await keyId.fill("PKNOTAREALKEY0000000");
    await form.getByText("Advanced settings").click();
    await form.getByLabel("Trading API base URL override").fill(baseUrlOverride);
    await form.getByRole("button", { name: "Connect" }).click();
    const verdict = form.locator(".notice.bad");
    await expect.poll(() => verdict.count(), { timeout: 20_000 }).toBe(1);
    const expected = await apiCall("POST", "/api/connections", {
      broker: "alpaca",
      name: "Alpaca account",
      settings: { environment: "paper", baseUrl: baseUrlOverride },
      credentials: { keyId: "PKNOTAREALKEY0000000", secretKey: "not-a-real-secret" },
    });
    expect(expected.status).toBeGreaterThanOrEqual(400);
    expect(await verdict.textContent()).toBe((expected.json.error as { message: string }).message);
    expect(await page.locator("article[data-connection-id]").count()).toBe(1);
    await page.getByRole("button", { name: "Add connection" }).click();
  });

  it("disconnect asks first and says that open positions stay open", async () => {
    await go("Connections");
    const card = page.locator("article[data-connection-id]").first();
    await card.getByRole("button", { name: "Disconnect" }).click();
    const dialog = card.locator("dialog[open]");
    expect(await dialog.textContent()).toContain("Open positions at the broker stay open");
    await shot("disconnect-confirm", false);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await card.locator("dialog[open]").count()).toBe(0);
  });

  it("adds a signed webhook channel in Settings: the secret shows once, and a test reaches a local endpoint that verifies it", async () => {
    // The trader's own endpoint on this machine (allowed in development only), verifying as docs/notifications.md says.
    const received: { verified: boolean; type: string }[] = [];
    let secret = "";
    const server = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const header = String(req.headers["x-tradeloop-signature"] ?? "");
        const t = /t=(\d+)/.exec(header)?.[1] ?? "";
        const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1] ?? "";
        const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
        const verified = v1.length === 64 && timingSafeEqual(Buffer.from(v1), Buffer.from(expected)) && Math.abs(Date.now() / 1000 - Number(t)) <= 300;
        received.push({ verified, type: (JSON.parse(body) as { type: string }).type });
        res.writeHead(verified ? 204 : 400).end();
      });
    });
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
    try {
      await go("Settings");
      const form = page.locator("form.channel-form");
      await form.getByRole("button", { name: "Add channel" }).click();
      expect(await form.locator("#f-name-err").textContent()).toBe("Enter a name for the channel.");
      await form.getByLabel("Name").fill("My endpoint");
      await form.getByLabel("URL").fill(`http://127.0.0.1:${port}/tradeloop`);
      await form.getByLabel("Failures only (refused and failed trades, expiring connections, drift)").check();
      await form.getByRole("button", { name: "Add channel" }).click();
      secret = (await page.locator("[data-secret]").textContent()) ?? "";
      expect(secret).toMatch(/^whsec_/);
      const card = page.locator("article.channel", { hasText: "My endpoint" });
      await card.waitFor();
      expect(await card.textContent()).toContain("failures only");
      await card.getByRole("button", { name: "Send a test" }).click();
      await card.getByText("Test delivered.").waitFor();
      expect(received).toEqual([{ verified: true, type: "test" }]);
      await card.getByRole("button", { name: "Deliveries" }).click();
      await card.locator("[data-delivery=delivered]").first().waitFor();
      // The secret is not shown again: not when the screen is opened again, not in the API's list.
      await go("Signals");
      await go("Settings");
      await page.locator("article.channel").first().waitFor();
      expect(await page.content()).not.toContain(secret);
      expect(JSON.stringify((await apiCall("GET", "/api/channels")).json)).not.toContain(secret);
      await shot("settings-channels");
    } finally {
      server.close();
    }
  });

  it("the kill switch in the top bar pauses every entry in one click (and can flatten), and resumes", async () => {
    await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 200 });
    await positionIs("AAPL", 5);
    await go("Positions");
    const bar = page.locator("header.topbar");
    await bar.getByRole("button", { name: "Kill switch" }).click();
    const dialog = bar.locator("dialog[open]");
    expect(await dialog.textContent()).toContain("Exits still run.");
    await dialog.getByLabel("Also close every position Tradeloop's subscriptions hold, at market").check();
    await shot("kill-switch-confirm", false);
    await dialog.getByRole("button", { name: "Pause entries" }).click();
    await bar.getByText("Entries paused", { exact: true }).waitFor();
    expect((await apiCall("GET", "/api/kill-switch")).json.active).toBe(true);
    await positionIs("AAPL", 0);
    await positionIs("MSFT", 0);

    const refused = await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 200 });
    const signal = await apiCall("GET", `/api/signals/${refused}`);
    expect(signal.json.outcomeCode).toBe("kill-switch-active");

    await bar.getByRole("button", { name: "Resume" }).click();
    await bar.locator("dialog[open]").getByRole("button", { name: "Resume entries" }).click();
    await bar.getByRole("button", { name: "Kill switch" }).waitFor();
    expect((await apiCall("GET", "/api/kill-switch")).json.active).toBe(false);
  });

  it("shows drift on Positions after the broker changed outside Tradeloop, and adopts the broker's position", async () => {
    await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 200 });
    await positionIs("AAPL", 5);
    const connections = await apiCall("GET", "/api/connections");
    const connectionId = (connections.json as unknown as { id: string; broker: string }[]).find((c) => c.broker === "paper")?.id;
    // Starting the paper account over empties it behind Tradeloop's back: its fills still say 5 AAPL.
    expect((await apiCall("POST", `/api/connections/${connectionId}/paper/reset`, {})).status).toBe(200);
    await go("Positions");
    const panel = page.locator("section.drift");
    // The reconciler may already have looked (a trade asks for a check a few seconds after it); "Check now" looks at once.
    await panel.getByRole("button", { name: "Check now" }).click();
    const item = panel.locator("li[data-drift-kind=position]");
    await item.waitFor();
    expect(await item.textContent()).toContain("The broker holds 0 AAPL, but Tradeloop's fills imply 5");
    expect(await item.textContent()).toMatch(/Suspected|Out of step/);
    await shot("positions-drift");
    await item.getByRole("button", { name: "Adopt the broker's position" }).click();
    await item.locator("dialog[open]").getByRole("button", { name: "Adopt" }).click();
    await panel.getByText("No differences between the brokers and Tradeloop's fills.").waitFor();
    expect((await apiCall("GET", "/api/drift?status=resolved")).json).toEqual([expect.objectContaining({ ticker: "AAPL", resolution: "adopted" })]);
    // Performance counts fills after a paper reset: close a trade again, for the screens that follow.
    await postAlert(webhookUrl, { ticker: "AAPL", action: "buy", price: 200 });
    await positionIs("AAPL", 5);
    await postAlert(webhookUrl, { ticker: "AAPL", action: "exit", price: 202 });
    await positionIs("AAPL", 0);
  });

  it("keeps everything important on screen at 390 px", async () => {
    await page.setViewportSize(PHONE);
    try {
      for (const [label, title] of [
        ["Signals", "Signals"],
        ["Positions", "Positions"],
        ["Performance", "Performance"],
        ["Strategies", "Strategies"],
        ["Subscriptions", "Subscriptions"],
        ["Connections", "Connections"],
        ["Approvals", "Approvals"],
        ["Settings", "Settings"],
      ] as const) {
        await go(label, title);
        await expect.poll(() => page.locator(".loading").count()).toBe(0);
        if (label === "Signals") await page.locator("details.signal").first().locator(":scope > summary").click();
        expect(await offscreen(PHONE.width), label).toEqual([]);
        await shot(`phone-${label.toLowerCase()}`);
      }
      // Tables became cards: the positions row shows its labels beside the values.
      await go("Positions");
      const cell = page.locator("tr[data-ticker] td").first();
      if ((await cell.count()) > 0) expect(await cell.evaluate((td) => getComputedStyle(td, "::before").content)).not.toBe("none");
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  it("has a dark theme", async () => {
    await go("Settings");
    await page.getByLabel("Dark").check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await go("Performance");
    await page.locator(".chart canvas").first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe("rgb(244, 246, 248)");
    await shot("performance-dark");
    await go("Settings");
    await page.getByLabel("Follow the system").check();
  });

  it("creates an API token shown once, which works as a Bearer token, and revoking it makes the API refuse it", async () => {
    await go("Settings");
    const tokens = page.locator("[data-section=api-tokens]");
    await tokens.getByText("No API tokens yet").waitFor();
    // Keyboard only: an empty name is refused in words, next to the field.
    await tokens.getByLabel("Token name").focus();
    await page.keyboard.press("Enter");
    const name = tokens.getByLabel("Token name");
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#f-tokenName-err").textContent()).toBe("Enter a name for the token, such as the script that will use it.");
    await name.fill("Portfolio script");
    await page.keyboard.press("Enter");
    const secret = page.locator("input[name=newApiToken]");
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^tlk_/);
    expect(await tokens.locator(".secret-once").textContent()).toContain("it will not be shown again");
    // The form started over; the copy button copies exactly the token.
    expect(await name.inputValue()).toBe("");
    expect(await name.getAttribute("aria-invalid")).toBeNull();
    expect(await tokens.getByLabel("Read only").isChecked()).toBe(true);
    await tokens.getByRole("button", { name: "Copy token" }).click();
    await tokens.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    const row = tokens.locator("tr[data-token='Portfolio script']");
    await row.waitFor();
    expect(await row.textContent()).toContain("Read only");
    expect(await row.textContent()).toContain("Never");
    await shot("settings-api-token-created");

    // The token works for a program: reads pass, a change is refused by its read scope.
    const asToken = (path: string, init: RequestInit = {}) => fetch(`${baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
    expect((await asToken("/api/strategies")).status).toBe(200);
    const write = await asToken("/api/strategies", { method: "POST", body: JSON.stringify({ name: "From a script", assetClass: "stocks" }) });
    expect(write.status).toBe(403);

    // Usable at 390 px with the token panel and the list showing.
    await page.setViewportSize(PHONE);
    try {
      expect(await offscreen(PHONE.width)).toEqual([]);
      await shot("phone-settings-api-tokens");
    } finally {
      await page.setViewportSize(DESKTOP);
    }

    // Shown once: gone after "I stored it" and never in the page again, while its last use now shows.
    await tokens.getByRole("button", { name: "I stored it" }).click();
    await expect.poll(() => secret.count()).toBe(0);
    await page.reload();
    await expect.poll(heading).toBe("Settings");
    await row.waitFor();
    expect(await page.content()).not.toContain(token);
    await expect.poll(async () => (await row.textContent()) ?? "").not.toContain("Never");

    // Revoke asks first (Cancel keeps it), then the API refuses the token.
    await row.getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke the API token “Portfolio script”?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await asToken("/api/strategies")).status).toBe(200);
    await row.getByRole("button", { name: "Revoke" }).click();
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await expect.poll(() => row.count()).toBe(0);
    await tokens.getByText("Revoked “Portfolio script”").waitFor();
    await tokens.getByText("No API tokens yet").waitFor();
    expect((await asToken("/api/strategies")).status).toBe(401);
  });

  it("changes the password: mistakes are said in words, other sessions end, and the new password logs in", async () => {
    await go("Settings");
    const form = page.locator("form[data-form=password]");
    const current = form.getByLabel("Current password");
    const next = form.getByLabel("New password", { exact: true });
    const again = form.getByLabel("New password again");
    // Client-side limits match the server's: 8 characters, and the two entries must agree.
    await current.fill(USER.password);
    await next.fill("short");
    await again.fill("short");
    await form.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#f-newPassword-err").textContent()).toBe("Use at least 8 characters for your new password.");
    await next.fill(NEW_PASSWORD);
    await again.fill(`${NEW_PASSWORD}!`);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#f-confirmPassword-err").textContent()).toBe("The two new passwords differ; type the same one twice.");
    // A wrong current password is the server's answer, shown at its field; the trader stays logged in.
    await current.fill("not my password");
    await again.fill(NEW_PASSWORD);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#f-currentPassword-err").textContent()).toBe("The current password is incorrect.");
    expect(await heading()).toBe("Settings");
    await shot("settings-password-error", false);

    const before = apiToken;
    await current.fill(USER.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Password changed.").waitFor();
    expect(await current.inputValue()).toBe("");
    expect(await next.inputValue()).toBe("");
    // The session the page had before is over; this browser got a new one and keeps working.
    await expect.poll(() => apiToken).not.toBe(before);
    const old = await fetch(`${baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${before}` } });
    expect(old.status).toBe(401);
    expect(await page.evaluate(() => fetch("/api/auth/me").then((r) => r.status))).toBe(200);
    USER.password = NEW_PASSWORD;

    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await expect.poll(heading).toBe("Log in to Tradeloop");
    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("The email or password is incorrect.").waitFor();
    await page.getByLabel("Password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(heading).toBe("Settings");
  });

  it("lists recent account activity and logs out everywhere after a confirmation, back to the log-in screen", async () => {
    await go("Settings");
    const activity = page.locator("[data-section=security] .activity");
    for (const action of ["password-changed", "token-created", "token-revoked", "login"]) await activity.locator(`li[data-action=${action}]`).first().waitFor();
    expect(await activity.locator("li[data-action=token-created]").first().textContent()).toContain("“Portfolio script”");

    const sessionBefore = apiToken;
    await page.getByRole("button", { name: "Log out everywhere" }).click();
    const dialog = page.getByRole("dialog", { name: "Log out everywhere?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await heading()).toBe("Settings");
    await page.getByRole("button", { name: "Log out everywhere" }).click();
    await dialog.getByRole("button", { name: "Log out everywhere" }).click();
    await expect.poll(heading).toBe("Log in to Tradeloop");
    expect(await page.evaluate(() => fetch("/api/auth/me").then((r) => r.status))).toBe(401);
    expect((await fetch(`${baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${sessionBefore}` } })).status).toBe(401);

    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill(USER.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(heading).toBe("Settings");
  });

  it("logs out and back in; a reload asks the Worker who is logged in", async () => {
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await expect.poll(heading).toBe("Log in to Tradeloop");
    // The session ended on the server: the page's cookies no longer open the API, and no token is readable by script.
    expect(await page.evaluate(() => fetch("/api/auth/me").then((r) => r.status))).toBe(401);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => /token/i.test(k)))).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/session|refresh|token/i);
    await page.getByLabel("Email").fill(USER.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("The email or password is incorrect.").waitFor();
    await page.getByLabel("Password").fill(USER.password);
    await page.getByRole("button", { name: "Log in" }).click();
    // Back where the trader was.
    await expect.poll(heading).toBe("Settings");
    await go("Signals");
    await expect.poll(() => page.locator("details.signal").count()).toBeGreaterThanOrEqual(4);
  });

  it("opens the first-run screen from a setup link", async () => {
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await expect.poll(heading).toBe("Log in to Tradeloop");
    await page.goto("/#/setup?token=abc123");
    await page.reload();
    await expect.poll(heading).toBe("Create the owner account");
    expect(await page.getByRole("button", { name: "Create owner account" }).count()).toBe(1);
    await shot("setup", false);
  });
});
