/**
 * Ticker → instrument, per asset class: validates the ticker's form, resolves
 * continuous futures and option fields to one contract, and attaches the
 * facts decisions need (tick size, point value, quantity step).
 *
 * The executor should call {@link resolveTicker} before reading the position,
 * so that `NQ1!` reads the position of the contract it maps to.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk/models";
import type { Signal } from "./signal-schema";
import { FUTURES_SPECS, frontMonth, parseFuturesTicker } from "./futures";
import { optionFromFields, parseOptionTicker, type OptionContract } from "./options";
import { parsePredictionTicker } from "./predictions";
import { Rejected, reject } from "./reject";

export interface Instrument {
  /** The symbol orders are for (canonical form). */
  ticker: string;
  assetClass: AssetClass;
  /** Futures root or option underlying; the ticker itself otherwise. Allowed-ticker lists match it too. */
  root: string;
  /** Fixed tick size, or null when it depends on the price (stocks, crypto). */
  tickSize: string | null;
  /** Dollars per point per unit; null when unknown (unlisted futures roots). */
  pointValue: string | null;
  option?: OptionContract;
}

const STOCK = /^[A-Z0-9]{1,10}([./-][A-Z0-9]{1,4})?$/;
const CRYPTO = /^[A-Z0-9]{2,15}([/\-_][A-Z0-9]{2,10})?$/;
const FOREX = /^([A-Z]{3})[/\-_]?([A-Z]{3})$/;
const OPTION_FIELDS = ["optionType", "expiration", "strikePrice", "strikesAway", "strikeCount", "intrinsicValue"] as const;

function doesNotExist(ticker: string, assetClass: AssetClass, example: string): never {
  return reject(
    "ticker-does-not-exist",
    `"${ticker}" is not a valid ${assetClass} ticker for this strategy; send a symbol such as ${example}.`,
    "ticker",
  );
}

function wrongClass(ticker: string, found: AssetClass, strategy: AssetClass): never {
  return reject(
    "invalid-asset-class",
    `"${ticker}" is ${found === "options" ? "an option contract" : `a ${found} symbol`}, but this strategy trades ${strategy}; send it to a ${found} strategy.`,
    "ticker",
  );
}

function resolveOption(signal: Signal): Instrument {
  const fromTicker = parseOptionTicker(signal.ticker);
  const fields = OPTION_FIELDS.filter((f) => signal[f] !== undefined);
  if (fromTicker) {
    const right = signal.optionType;
    if ((right === "call" || right === "put") && right !== fromTicker.right) {
      reject(
        "invalid-ticker-and-option-type",
        `"ticker" "${signal.ticker}" is a ${fromTicker.right}, but "optionType" says ${right}; remove "optionType" or fix the ticker.`,
        "optionType",
      );
    }
    return { ticker: fromTicker.symbol, assetClass: "options", root: fromTicker.underlying, tickSize: "0.01", pointValue: "100", option: fromTicker };
  }
  if (parseFuturesTicker(signal.ticker, new Date(0))?.kind === "continuous") wrongClass(signal.ticker, "futures", "options");
  const exact =
    (signal.optionType === "call" || signal.optionType === "put") &&
    signal.expiration !== undefined &&
    /^\d{4}-\d{2}-\d{2}$/.test(signal.expiration) &&
    signal.strikePrice !== undefined;
  if (exact) {
    const contract = optionFromFields(signal.ticker, signal.optionType as "call" | "put", signal.expiration!, signal.strikePrice!);
    if (!contract) doesNotExist(signal.ticker, "options", '"SPY" with optionType/expiration/strikePrice, or "SPY 250624C596"');
    return { ticker: contract.symbol, assetClass: "options", root: contract.underlying, tickSize: "0.01", pointValue: "100", option: contract };
  }
  return reject(
    "option-contract-not-resolved",
    fields.length === 0
      ? `"${signal.ticker}" is not an option contract. Send an OCC ticker such as "SPY 250624C596", or the underlying with "optionType" (call or put), "expiration" ("YYYY-MM-DD") and "strikePrice".`
      : `Tradeloop trades one exact option contract and does not scan option chains: send "optionType" call or put, "expiration" as a date "YYYY-MM-DD" and "strikePrice" (got ${fields.map((f) => `"${f}"`).join(", ")}), or an OCC ticker such as "SPY 250624C596".`,
    fields[0] ?? "ticker",
  );
}

function resolveFutures(ticker: string, now: Date): Instrument {
  const parsed = parseFuturesTicker(ticker, now);
  if (!parsed) {
    if (parseOptionTicker(ticker)) wrongClass(ticker, "options", "futures");
    return doesNotExist(ticker, "futures", '"MNQU2025" (root, month code, 4-digit year) or "NQ1!"');
  }
  if (parsed.kind === "contract") {
    const spec = FUTURES_SPECS[parsed.contract.root];
    return {
      ticker: parsed.contract.symbol,
      assetClass: "futures",
      root: parsed.contract.root,
      tickSize: spec?.tickSize ?? "0.01",
      pointValue: spec?.pointValue ?? null,
    };
  }
  const nth = parsed.kind === "continuous" ? parsed.nth : 1;
  const contract = frontMonth(parsed.root, now, nth);
  if (!contract) {
    return reject(
      "ticker-does-not-exist",
      `Tradeloop has no roll schedule for "${parsed.root}", so "${ticker}" cannot be mapped to a contract; send an explicit contract such as "${parsed.root}Z${now.getUTCFullYear()}". Roots with a schedule: ${Object.keys(FUTURES_SPECS).join(", ")}.`,
      "ticker",
    );
  }
  const spec = FUTURES_SPECS[parsed.root]!;
  return { ticker: contract.symbol, assetClass: "futures", root: parsed.root, tickSize: spec.tickSize, pointValue: spec.pointValue };
}

/**
 * Resolves the signal's ticker for a strategy's asset class. Throws a
 * rejection (`ticker-does-not-exist`, `invalid-asset-class`,
 * `invalid-ticker-and-option-type`, `option-contract-not-resolved`);
 * use {@link resolveTicker} outside the decision core.
 */
export function resolveInstrument(signal: Signal, assetClass: AssetClass, now: Date): Instrument {
  const ticker = signal.ticker;
  switch (assetClass) {
    case "options":
      return resolveOption(signal);
    case "futures":
      return resolveFutures(ticker, now);
    case "stocks":
      if (parseOptionTicker(ticker)) wrongClass(ticker, "options", "stocks");
      if (ticker.endsWith("!")) wrongClass(ticker, "futures", "stocks");
      if (!STOCK.test(ticker)) doesNotExist(ticker, "stocks", '"AAPL" or "BRK.B"');
      return { ticker, assetClass, root: ticker, tickSize: null, pointValue: "1" };
    case "crypto":
      if (parseOptionTicker(ticker)) wrongClass(ticker, "options", "crypto");
      if (!CRYPTO.test(ticker)) doesNotExist(ticker, "crypto", '"BTCUSD" or "ETH/USD"');
      return { ticker, assetClass, root: ticker, tickSize: null, pointValue: "1" };
    case "forex": {
      const m = FOREX.exec(ticker);
      if (!m) return doesNotExist(ticker, "forex", '"EURUSD" or "EUR/USD"');
      const pair = `${m[1]}${m[2]}`;
      return { ticker: pair, assetClass, root: pair, tickSize: m[2] === "JPY" ? "0.001" : "0.00001", pointValue: "1" };
    }
    case "predictions": {
      const outcome = parsePredictionTicker(ticker);
      if (!outcome) return doesNotExist(ticker, "predictions", '"WILL-THE-FED-CUT-IN-DECEMBER:YES" (the market\'s slug or id, a colon, the outcome)');
      // The tick (0.01 or 0.001) is the market's own: the broker's instrument rules supply it.
      return { ticker, assetClass, root: outcome.market, tickSize: null, pointValue: "1" };
    }
  }
}

/**
 * The instrument a signal trades, for the executor (to read the right
 * position before calling `decide()`) and the webhook (to reject bad tickers
 * with a 400). Never throws.
 */
export function resolveTicker(
  signal: Signal,
  assetClass: AssetClass,
  now: Date,
): { ok: true; instrument: Instrument } | { ok: false; messageCode: string; message: string; field?: string } {
  try {
    return { ok: true, instrument: resolveInstrument(signal, assetClass, now) };
  } catch (err) {
    if (err instanceof Rejected) {
      const r = err.rejection;
      return { ok: false, messageCode: r.messageCode, message: r.message, ...(r.field ? { field: r.field } : {}) };
    }
    return { ok: false, messageCode: "ticker-does-not-exist", message: `"${signal.ticker}" could not be read as a ${assetClass} ticker.`, field: "ticker" };
  }
}
