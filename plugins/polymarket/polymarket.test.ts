/**
 * Polymarket through the conformance kit (against the fake CLOB), the
 * official clients' signing vectors, and what the kit cannot see: prices on
 * the market's tick, minimum sizes, the journal finding a lost order,
 * neg-risk markets signing for the neg-risk exchange.
 */
import { describe, expect, it } from "vitest";
import { addressOf, BrokerError, placeOrderOnce, privateKeyBytes, type OrderRequest } from "../sdk";
import { memoryJournal, runConformanceSuite, testClient, testSessionKeeper, type TestConnection } from "../testkit";
import { FAKE_POLY_ADDRESS, FAKE_POLY_CLOB, FAKE_POLY_KEY, PolymarketFake } from "./fake";
import { polymarketPlugin } from "./index";
import { clobAuthSignature, l2Signature, orderAmounts, saltFor, signOrder, BYTES32_ZERO } from "./signing";

const CREDENTIALS = { privateKey: FAKE_POLY_KEY, signatureType: 0 };
const RAIN = "WILL-IT-RAIN-IN-LONDON-TOMORROW:YES";

runConformanceSuite({
  plugin: polymarketPlugin,
  credentials: CREDENTIALS,
  environment: "live",
  baseUrl: FAKE_POLY_CLOB,
  tokens: { accessToken: "11111111-2222-4333-8444-555555555555", secrets: { secret: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", passphrase: "static-passphrase" } },
  accountId: FAKE_POLY_ADDRESS,
  requests: [],
  responses: [],
  fake: () => new PolymarketFake(),
  instrument: { ticker: RAIN, assetClass: "predictions", price: "0.5", quantity: "10", unaffordableQuantity: "100000000" },
  rateLimitReply: { status: 429, body: { error: "Too Many Requests" }, headers: { "retry-after": "0" } },
  venueClientOrderId: (id) => saltFor(id),
  // placeOrder finds the market (Gamma, then the CLOB) and walks the book for a market order before sending it.
  placeOrderPrelude: [
    { status: 200, body: [{ id: "516710", slug: "will-it-rain-in-london-tomorrow", conditionId: "0xc0", outcomes: '["Yes","No"]', clobTokenIds: '["111","222"]' }] },
    { status: 200, body: { condition_id: "0xc0", market_slug: "will-it-rain-in-london-tomorrow", tokens: [{ token_id: "111", outcome: "Yes" }, { token_id: "222", outcome: "No" }], minimum_tick_size: 0.01, minimum_order_size: 5, neg_risk: false } },
    { status: 200, body: { bids: [{ price: "0.49", size: "100" }], asks: [{ price: "0.5", size: "100" }] } },
  ],
  signingVectors: [
    {
      name: "L1 ClobAuth (py-clob-client-v2 tests/signing/test_eip712.py, clob-client-v2 tests/signing/eip712.test.ts): Amoy, timestamp 10000000, nonce 23",
      compute: async () => clobAuthSignature(privateKeyBytes(FAKE_POLY_KEY), 80002, 10000000, 23),
      expected: "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b",
    },
    {
      name: "L2 HMAC (py-clob-client-v2 tests/signing/test_hmac.py)",
      compute: () => l2Signature("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1000000, "test-sign", "/orders", '{"hash": "0x123"}'),
      expected: "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=",
    },
    {
      name: "V2 order for a deposit wallet, ERC-7739 wrapped (py-clob-client-v2 tests/order_utils/test_exchange_order_builder_v2.py): the whole signature, which carries the V2 domain separator and the Order struct hash",
      compute: async () =>
        signOrder(
          privateKeyBytes(FAKE_POLY_KEY),
          {
            salt: "479249096354",
            maker: "0x1111111111111111111111111111111111111111",
            signer: "0x1111111111111111111111111111111111111111",
            tokenId: "1234",
            makerAmount: "100000000",
            takerAmount: "50000000",
            side: "BUY",
            signatureType: 3,
            timestamp: "1710000000000",
            metadata: BYTES32_ZERO,
            builder: BYTES32_ZERO,
          },
          80002,
          "0xE111180000d2663C0091e4f400237545B87B996B",
        ),
      expected:
        "0xa3a093c83b6c20c83355c16ce94c92e6e9fcbdeb840618cc74f6c57a42ad145b2b98db73d2c73cbf1f2b6af288566ae81960ddbc3a13921027358a8bff3be6ff1ca440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148d23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd838044f726465722875696e743235362073616c742c61646472657373206d616b65722c61646472657373207369676e65722c75696e7432353620746f6b656e49642c75696e74323536206d616b6572416d6f756e742c75696e743235362074616b6572416d6f756e742c75696e743820736964652c75696e7438207369676e6174757265547970652c75696e743235362074696d657374616d702c62797465733332206d657461646174612c62797465733332206275696c6465722900ba",
    },
  ],
  skip: {
    "static-requests": "covered by the signing vectors and the request-shape tests in this file (every request's signature changes with the order's timestamp)",
    "static-responses": "covered against the fake below: no recording could be made from this machine",
    "timeout-after-send":
      "the kit loses the reply of placeOrder's first request, which for a Polymarket market order is the book read that prices it (a GET: retryable, nothing sent); the same scenario with a GTC limit, whose first request is the order, runs in polymarket.test.ts",
    "partial-fill": "Polymarket's market orders are fill-or-kill or FAK and never rest partly filled; a resting GTC limit that partly fills is tested below",
    "time-in-force/fok":
      "the CLOB refuses a FOK that cannot fill whole at insert (FOK_ORDER_NOT_FILLED_ERROR) and books nothing, so there is no killed order to read back as the kit expects; the plugin reports order-not-filled (nothing traded), tested below with the marketable FOK that fills",
  },
  // Polymarket's CLOB has no stop orders, no shorting (sell what you hold), no brackets, no order change (cancel and
  // place again) and no sessions (day): each skip is the venue's, per its docs (docs/brokers/polymarket.md).
  expectedSkips: {
    "static-requests": "covered by the signing vectors and the request-shape tests in this file (every request's signature changes with the order's timestamp)",
    "static-responses": "covered against the fake below: no recording could be made from this machine",
    "LongFromZero/stop": "capabilities: no stop orders",
    "CloseFromLong/stop": "capabilities: no stop orders",
    "ShortFromZero/market": "capabilities: shorting unsupported",
    "ShortFromZero/limit": "capabilities: shorting unsupported",
    "ShortFromZero/stop": "capabilities: no stop orders",
    "CloseFromShort/market": "capabilities: shorting unsupported",
    "CloseFromShort/limit": "capabilities: shorting unsupported",
    "CloseFromShort/stop": "capabilities: no stop orders",
    "LongFromShort/market": "capabilities: shorting unsupported",
    "LongFromShort/limit": "capabilities: shorting unsupported",
    "LongFromShort/stop": "capabilities: no stop orders",
    "ShortFromLong/market": "capabilities: shorting unsupported",
    "ShortFromLong/limit": "capabilities: shorting unsupported",
    "ShortFromLong/stop": "capabilities: no stop orders",
    "stop-limit/fill": "capabilities: no stop_limit orders",
    "stop-limit/cancel": "capabilities: no stop_limit orders",
    "stop-limit/expiry": "capabilities: no stop_limit orders",
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oto/fill": "capabilities: brackets.oto unsupported",
    "oto/cancel": "capabilities: brackets.oto unsupported",
    "oto/expiry": "capabilities: brackets.oto unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "time-in-force/session-close": "capabilities: day and gtc are not both declared",
    "time-in-force/fok": "the CLOB refuses a FOK that cannot fill whole at insert (FOK_ORDER_NOT_FILLED_ERROR) and books nothing, so there is no killed order to read back as the kit expects; the plugin reports order-not-filled (nothing traded), tested below with the marketable FOK that fills",
    "bracket-entry": "capabilities: brackets.otoco unsupported",
    "bracket-short": "capabilities: brackets.otoco unsupported",
    "modify": "capabilities: modify unsupported",
    "partial-fill": "Polymarket's market orders are fill-or-kill or FAK and never rest partly filled; a resting GTC limit that partly fills is tested below",
    "timeout-after-send": "the kit loses the reply of placeOrder's first request, which for a Polymarket market order is the book read that prices it (a GET: retryable, nothing sent); the same scenario with a GTC limit, whose first request is the order, runs in polymarket.test.ts",
  },
});

describe("Polymarket orders", () => {
  const setup = () => {
    const fake = new PolymarketFake();
    fake.setPrice(RAIN, "0.5");
    const transport = (r: Request) => fake.fetch(r);
    const conn: TestConnection = { plugin: polymarketPlugin, credentials: CREDENTIALS, environment: "live", baseUrl: FAKE_POLY_CLOB, now: () => new Date(), journal: memoryJournal() };
    const keeper = testSessionKeeper(conn, transport);
    const client = testClient({ ...conn, session: keeper }, transport);
    return { fake, keeper, client, conn };
  };
  const order = (fields: Partial<OrderRequest> = {}): OrderRequest => ({
    clientOrderId: `tl${crypto.randomUUID().replaceAll("-", "")}`,
    ticker: RAIN,
    assetClass: "predictions",
    side: "buy",
    quantity: "10",
    type: "limit",
    timeInForce: "gtc",
    limitPrice: "0.45",
    ...fields,
  });

  it("the wallet key's address is the official vectors' address", () => {
    expect(addressOf(privateKeyBytes(FAKE_POLY_KEY)).toLowerCase()).toBe(FAKE_POLY_ADDRESS);
  });

  it("amounts follow the official builder: shares to 2 places, USDC cut to the tick's amount decimals, 6-decimal units", () => {
    expect(orderAmounts("BUY", "10", "0.45", "0.01")).toEqual({ makerAmount: "4500000", takerAmount: "10000000" });
    expect(orderAmounts("SELL", "12.349", "0.337", "0.001")).toEqual({ makerAmount: "12340000", takerAmount: "4158580" });
  });

  it("a price off the market's tick is rounded before signing (buys down), and a size below the minimum is refused before sending", async () => {
    const { fake, client } = setup();
    await client.testConnection();
    const placed = await client.placeOrder(FAKE_POLY_ADDRESS, order({ limitPrice: "0.456" }));
    expect(placed.limitPrice, "0.456 on a 0.01 tick, buying: 0.45").toBe("0.45");
    const before = (await fake.orders()).length;
    const e = await client.placeOrder(FAKE_POLY_ADDRESS, order({ quantity: "2" })).catch((err: unknown) => err);
    expect({ kind: (e as BrokerError).kind, code: (e as BrokerError).code }).toEqual({ kind: "unsupported", code: "min-notional" });
    expect((await fake.orders()).length).toBe(before);
  });

  it("a price of 1 or more is refused before signing", async () => {
    const { client } = setup();
    const e = await client.placeOrder(FAKE_POLY_ADDRESS, order({ limitPrice: "1" })).catch((err: unknown) => err);
    expect({ kind: (e as BrokerError).kind, code: (e as BrokerError).code }).toEqual({ kind: "unsupported", code: "invalid-price" });
  });

  it("a neg-risk market's order is signed for the neg-risk exchange on its finer tick, and the CLOB accepts it", async () => {
    const { fake, client } = setup();
    fake.setPrice("WHICH-TEAM-WINS-THE-FINAL:YES", "0.337");
    const placed = await client.placeOrder(FAKE_POLY_ADDRESS, order({ ticker: "WHICH-TEAM-WINS-THE-FINAL:YES", limitPrice: "0.3371", quantity: "12.349" }));
    expect(placed.limitPrice).toBe("0.337");
    expect(placed.quantity).toBe("12.34");
    expect(placed.status).toBe("filled");
  });

  it("a FOK limit the book cannot fill whole is refused at insert (order-not-filled, nothing rests, nothing fills later); a marketable one fills whole", async () => {
    const { fake, client } = setup();
    fake.setPrice(RAIN, "0.5");
    const e = await client.placeOrder(FAKE_POLY_ADDRESS, order({ limitPrice: "0.45", timeInForce: "fok" })).catch((err: unknown) => err);
    expect({ kind: (e as BrokerError).kind, code: (e as BrokerError).code }).toEqual({ kind: "rejected", code: "order-not-filled" });
    expect(await client.getOpenOrders(FAKE_POLY_ADDRESS)).toEqual([]);
    fake.setPrice(RAIN, "0.44");
    expect(await client.getPositions(FAKE_POLY_ADDRESS), "the killed FOK never fills when the price comes later").toEqual([]);
    fake.setPrice(RAIN, "0.5");
    const at = await client.placeOrder(FAKE_POLY_ADDRESS, order({ limitPrice: "0.5", timeInForce: "fok" }));
    expect({ status: at.status, filled: at.filledQuantity }).toEqual({ status: "filled", filled: at.quantity });
  });

  it("a GTC limit that partly fills rests partly filled, and cancelling keeps the fill", async () => {
    const { fake, client } = setup();
    fake.partialFillNext("10");
    const placed = await client.placeOrder(FAKE_POLY_ADDRESS, order({ quantity: "20", limitPrice: "0.55" }));
    expect(placed.status).toBe("partially_filled");
    await client.cancelOrder(FAKE_POLY_ADDRESS, { brokerOrderId: placed.brokerOrderId });
    const done = await client.getOrder(FAKE_POLY_ADDRESS, { brokerOrderId: placed.brokerOrderId });
    expect(done?.filledQuantity).toBe("10");
  });

  it("the order's id is its hash, journaled before sending: a reply lost on the way back is found by Tradeloop's id", async () => {
    const { fake, client } = setup();
    await client.testConnection();
    // The market is known (as after any earlier order), so the next request placeOrder makes is the order itself.
    await client.getQuote!(RAIN, "predictions");
    const request = order();
    fake.loseNextReply();
    const e = await client.placeOrder(FAKE_POLY_ADDRESS, request).catch((err: unknown) => err);
    expect((e as BrokerError).kind).toBe("outcome-unknown");
    const found = await client.getOrder(FAKE_POLY_ADDRESS, { clientOrderId: request.clientOrderId });
    expect(found?.clientOrderId).toBe(request.clientOrderId);
    expect(found?.brokerOrderId).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("the core's rule end to end: a GTC limit whose reply is lost is adopted from the journal, one order at the CLOB", async () => {
    const { fake, client } = setup();
    await client.testConnection();
    await client.getQuote!(RAIN, "predictions");
    const request = order({ limitPrice: "0.52" });
    fake.loseNextReply();
    // placeOrderOnce must find the lost order by Tradeloop's id: a second send would be a second order (new timestamp, new hash).
    const adopted = await placeOrderOnce(client, FAKE_POLY_ADDRESS, request, { policy: { attempts: 3, baseMs: 1, maxMs: 2 }, wait: async () => undefined });
    expect(adopted.clientOrderId).toBe(request.clientOrderId);
    expect((await fake.orders()).filter((o) => o.clientOrderId === saltFor(request.clientOrderId)).length, "exactly one order").toBe(1);
  });

  it("a market buy is a fill-or-kill at the price the book fills, and the salt comes from Tradeloop's id", async () => {
    const { fake, client } = setup();
    const request = order({ type: "market", limitPrice: undefined, timeInForce: "fok" });
    const placed = await client.placeOrder(FAKE_POLY_ADDRESS, request);
    expect(placed.status).toBe("filled");
    expect((await fake.orders()).find((o) => o.id === placed.brokerOrderId || o.clientOrderId === saltFor(request.clientOrderId))?.clientOrderId).toBe(saltFor(request.clientOrderId));
  });

  it("one derivation serves the session; a deleted API key is replaced by deriving anew", async () => {
    const { fake, keeper, client } = setup();
    await Promise.all([client.getBalance(FAKE_POLY_ADDRESS), client.getOpenOrders(FAKE_POLY_ADDRESS), client.getPositions(FAKE_POLY_ADDRESS)]);
    const first = keeper.peek()!.accessToken;
    expect(fake.derivations, "derive (none yet) then create, once").toBe(2);
    fake.expireAccessToken();
    await client.getBalance(FAKE_POLY_ADDRESS);
    expect(keeper.peek()!.accessToken).not.toBe(first);
  });
});
