/**
 * `GET /api/strategies/:id/templates`: ready-to-paste alert messages for the
 * senders traders use. They are TradersPost-compatible JSON with each
 * sender's placeholders, plus Tradeloop's `alertId` where the sender can
 * make one, so a retried delivery is recognised as a duplicate.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import * as schema from "../db/schema";
import { AppError } from "../errors";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";
import { publicBaseUrl } from "./strategies";

export const AlertTemplateSchema = z
  .object({
    id: z.enum(["tradingview-strategy", "tradingview-indicator-buy", "tradingview-indicator-sell", "tradingview-indicator-exit", "trendspider", "curl", "curl-target", "mt5"]),
    sender: z.enum(["TradingView", "TrendSpider", "curl", "MetaTrader 5"]),
    title: z.string(),
    instructions: z.string(),
    /** `json` bodies are pasted into the sender's message box; `code` is a program snippet. */
    kind: z.enum(["json", "code"]),
    body: z.string(),
  })
  .openapi("AlertTemplate");

export const AlertTemplatesSchema = z
  .object({
    webhookUrlHint: z.string().openapi({ description: "The webhook URL with its secret masked. Paste your full URL (shown when the strategy was created or its secret rotated)." }),
    templates: z.array(AlertTemplateSchema),
  })
  .openapi("AlertTemplates");

type Template = z.infer<typeof AlertTemplateSchema>;

const json = (value: Record<string, string>): string => JSON.stringify(value);

/** The templates for a strategy. `ticker` seeds the examples that cannot use a placeholder. */
export function alertTemplates(webhookUrl: string, exampleTicker: string): Template[] {
  const indicator = (action: "buy" | "sell" | "exit"): Template => ({
    id: `tradingview-indicator-${action}`,
    sender: "TradingView",
    title: `TradingView indicator alert: ${action}`,
    instructions: `Create an alert on your indicator's ${action} condition, tick "Webhook URL", paste the webhook URL, and paste this as the message.`,
    kind: "json",
    body: json({ ticker: "{{ticker}}", action, price: "{{close}}", time: "{{timenow}}", interval: "{{interval}}", alertId: `{{ticker}}-${action}-{{timenow}}` }),
  });
  const sample = json({ ticker: exampleTicker, action: "buy", quantity: "1", price: "100.00" });
  const targetSample = json({ ticker: exampleTicker, action: "buy", targetPosition: "2", price: "100.00" });
  return [
    {
      id: "tradingview-strategy",
      sender: "TradingView",
      title: "TradingView strategy alert (one alert for every order)",
      instructions:
        'Create one alert on the strategy ("Order fills only"), tick "Webhook URL", paste the webhook URL, and paste this as the message. targetPosition carries the strategy\'s position after each order, so the account follows entries, adds, partial exits and flips, and a missed alert is made up by the next one; alertId makes a retried delivery a duplicate.',
      kind: "json",
      body: json({
        ticker: "{{ticker}}",
        action: "{{strategy.order.action}}",
        sentiment: "{{strategy.market_position}}",
        // The strategy's signed position after the order: the account trades the difference to it.
        targetPosition: "{{strategy.position_size}}",
        price: "{{close}}",
        time: "{{timenow}}",
        interval: "{{interval}}",
        alertId: "{{strategy.order.id}}-{{timenow}}",
      }),
    },
    indicator("buy"),
    indicator("sell"),
    indicator("exit"),
    {
      id: "trendspider",
      sender: "TrendSpider",
      title: "TrendSpider alert",
      instructions: 'In the alert\'s "Webhook" action, paste the webhook URL and this body; change "action" for sell or exit alerts.',
      kind: "json",
      body: json({ ticker: "%alert_symbol%", action: "buy", price: "%last_price%" }),
    },
    {
      id: "curl",
      sender: "curl",
      title: "From a terminal or your own code",
      instructions: "Add ?wait=2000 to the URL to get each trade's outcome and orders in the reply.",
      kind: "code",
      body: `curl -s -X POST '${webhookUrl}' -H 'content-type: application/json' -d '${sample}'`,
    },
    {
      id: "curl-target",
      sender: "curl",
      title: "Hold a position from your own code (targetPosition)",
      instructions:
        'Send the position your system wants to hold: positive long, negative short, 0 flat. Each subscription trades the difference to what the broker holds, so a lost request is made up by the next one. "action" is buy or sell (either; the difference decides).',
      kind: "code",
      body: `curl -s -X POST '${webhookUrl}' -H 'content-type: application/json' -d '${targetSample}'`,
    },
    {
      id: "mt5",
      sender: "MetaTrader 5",
      title: "MetaTrader 5 (MQL5 WebRequest)",
      instructions: 'Add the webhook\'s host under Tools → Options → Expert Advisors → "Allow WebRequest for listed URL", then call SendTradeloop(...) (an order) or SendTradeloopTarget(...) (the position to hold) from your EA.',
      kind: "code",
      body: [
        "// Sends a signal to Tradeloop. Returns the HTTP status (200 = accepted).",
        `int SendTradeloop(string action, double quantity, double price)`,
        "{",
        `   string url = "${webhookUrl}";`,
        `   string body = StringFormat("{\\"ticker\\":\\"%s\\",\\"action\\":\\"%s\\",\\"quantity\\":\\"%G\\",\\"price\\":\\"%G\\",\\"alertId\\":\\"mt5-%I64d\\"}",`,
        "                             _Symbol, action, quantity, price, (long)GetMicrosecondCount());",
        "   char data[], result[];",
        "   string headers;",
        "   StringToCharArray(body, data, 0, StringLen(body), CP_UTF8);",
        `   return WebRequest("POST", url, "Content-Type: application/json\\r\\n", 3000, data, result, headers);`,
        "}",
        "",
        "// Or send the position the EA holds (positive long, negative short, 0 flat): Tradeloop trades",
        "// the difference, so a request that never arrived is made up by the next one.",
        `int SendTradeloopTarget(double targetPosition, double price)`,
        "{",
        `   string url = "${webhookUrl}";`,
        `   string body = StringFormat("{\\"ticker\\":\\"%s\\",\\"action\\":\\"%s\\",\\"targetPosition\\":\\"%G\\",\\"price\\":\\"%G\\",\\"alertId\\":\\"mt5-%I64d\\"}",`,
        `                             _Symbol, targetPosition < 0 ? "sell" : "buy", targetPosition, price, (long)GetMicrosecondCount());`,
        "   char data[], result[];",
        "   string headers;",
        "   StringToCharArray(body, data, 0, StringLen(body), CP_UTF8);",
        `   return WebRequest("POST", url, "Content-Type: application/json\\r\\n", 3000, data, result, headers);`,
        "}",
      ].join("\n"),
    },
  ];
}

const templatesRoute = createRoute({
  method: "get",
  path: "/{id}/templates",
  tags: ["strategies"],
  summary: "Ready-to-paste alert messages for this strategy",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(AlertTemplatesSchema, "Alert templates."), ...errorResponses(401, 404) },
});

export const templatesApi = createRouter().openapi(templatesRoute, async (c) => {
  const { id } = c.req.valid("param");
  const row = await getDb(c.env.DB)
    .select({ id: schema.strategies.id, allowedTickers: schema.strategies.allowedTickers, assetClass: schema.strategies.assetClass })
    .from(schema.strategies)
    .where(and(eq(schema.strategies.id, id), eq(schema.strategies.userId, c.var.userId)))
    .get();
  if (!row) throw new AppError("not-found", "No strategy with this id.", { field: "id" });
  // The secret is stored only as a hash, so the URL in the snippets is a placeholder to replace.
  const hint = `${publicBaseUrl(c.env, c.req.url)}/webhook/${row.id}/<secret>`;
  const example = row.allowedTickers?.[0] ?? EXAMPLE_TICKER[row.assetClass] ?? "SPY";
  return c.json({ webhookUrlHint: hint, templates: alertTemplates(hint, example) }, 200);
});

const EXAMPLE_TICKER: Record<string, string> = { stocks: "SPY", options: "SPY 250620C600", futures: "MNQZ2025", crypto: "BTCUSD", forex: "EURUSD" };
