/**
 * TradeStation through the conformance kit: static layers, then every
 * scenario against the fake, connected by the OAuth flow (authorize at the
 * fake's Auth0 front channel, exchange the code at its token endpoint).
 */
import { runConformanceSuite } from "../testkit";
import { requestCases, responseCases, STATIC_ACCESS_TOKEN } from "./cases";
import { TradestationFake } from "./fake";
import { tradestationPlugin } from "./index";

runConformanceSuite({
  plugin: tradestationPlugin,
  credentials: {},
  authMethod: "oauth",
  tokens: { accessToken: STATIC_ACCESS_TOKEN },
  // placeOrder reads the position first (SELL or SELLSHORT, BUY or BUYTOCOVER).
  placeOrderPrelude: [{ status: 200, body: { Positions: [] } }],
  accountId: "11111111",
  requests: requestCases,
  responses: responseCases,
  fake: () => new TradestationFake(),
  instrument: { ticker: "AAPL", assetClass: "stocks" },
  rateLimitReply: { status: 429, body: { Error: "TooManyRequests", Message: "Rate limit exceeded." }, headers: { "retry-after": "0" } },
  skip: {
    "timeout-after-send":
      "TradeStation orders carry no client order id, so an order whose reply was lost cannot be found by Tradeloop's id; the plugin answers outcome-unknown and the core stops and asks the trader to check instead of resending",
  },
});
