/**
 * The id of every check the conformance kit can skip, as plain data with no
 * imports, so the plugin scaffold (a Node script) can list them without
 * loading the kit. The kit's scenario matrix must cover exactly these
 * (`plugins/testkit/kit.test.ts` checks it).
 *
 * @module
 */

/** The six LEAN directions the direction scenarios trade. */
export const DIRECTIONS = ["LongFromZero", "CloseFromLong", "ShortFromZero", "CloseFromShort", "LongFromShort", "ShortFromLong"] as const;

/** Order types the direction scenarios run with. */
export const DIRECTION_ORDER_TYPES = ["market", "limit", "stop"] as const;

/** The three ends of an order's life the lifecycle scenarios drive each order type through. */
export const LIFECYCLE_ENDS = ["fill", "cancel", "expiry"] as const;

/** Order kinds that get a full lifecycle (fill, cancel, expiry) when the capabilities declare them. */
export const LIFECYCLE_KINDS = ["stop-limit", "trailing-stop", "oto", "oco"] as const;

/** Every check id, in run order. */
export const CHECK_IDS = [
  "transport-errors",
  "static-requests",
  "static-responses",
  ...DIRECTIONS.flatMap((d) => DIRECTION_ORDER_TYPES.map((t) => `${d}/${t}` as const)),
  ...LIFECYCLE_KINDS.flatMap((k) => LIFECYCLE_ENDS.map((e) => `${k}/${e}` as const)),
  "time-in-force/session-close",
  "time-in-force/ioc",
  "time-in-force/fok",
  "bracket-entry",
  "bracket-short",
  "cancel",
  "modify",
  "partial-fill",
  "insufficient-funds",
  "rate-limit-then-success",
  "timeout-after-send",
  "auth-expiry",
  "unsupported-intent-refused",
  "session-refresh-mid-session",
  "session-refresh-fails",
] as const;
