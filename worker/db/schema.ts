/**
 * D1 schema: configuration (users, connections, accounts, strategies,
 * subscriptions) and the read model of what happened (signals, trades,
 * orders). drizzle-kit generates `migrations/` from this file.
 *
 * Conventions:
 * - ids are UUIDv4 strings; timestamps are epoch milliseconds.
 * - Money and quantities are decimal strings, never floats, so that no
 *   rounding happens in storage (see plugins/sdk/decimal.ts).
 * - Every row that a user can see carries `user_id`, and every query filters
 *   on it (see worker/db/README.md).
 * - The SubscriptionQueue Durable Object is the single writer of trades and
 *   orders; D1 holds a copy for the API and the dashboard.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => integer("created_at").notNull();
const updatedAt = () => integer("updated_at").notNull();

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Stored lower-cased; unique. */
  email: text("email").notNull().unique(),
  /** Versioned: `v2$pbkdf2-sha256$...` (HMAC-peppered) or the older unpeppered form (worker/auth/password.ts). */
  passwordHash: text("password_hash").notNull(),
  createdAt: createdAt(),
});

/**
 * Log-in sessions (worker/auth/sessions.ts). Short access JWTs name their
 * session (`sid`); revoking the row ends the session for every token of it.
 * Only hashes of refresh tokens are stored.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 (hex) of the current refresh secret. */
    refreshHash: text("refresh_hash").notNull(),
    /** The secret it replaced, accepted for a few seconds (two tabs refreshing at once). */
    previousRefreshHash: text("previous_refresh_hash"),
    rotatedAt: integer("rotated_at").notNull(),
    createdAt: createdAt(),
    /** Absolute end: no refresh after this. */
    expiresAt: integer("expires_at").notNull(),
    /** Set when logged out, logged out everywhere, or the password changed. */
    revokedAt: integer("revoked_at"),
    /** First 200 characters of the User-Agent, so the user recognises the device. */
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** API tokens for programs (worker/auth/api-tokens.ts). Only the SHA-256 of the token is stored. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** JSON array of scopes: `read`, `trade`. */
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/** What happened to an account, for its owner to read (GET /api/audit). */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    /** e.g. `login`, `login-failed`, `token-created`, `connection-updated` (worker/audit/log.ts). */
    action: text("action").notNull(),
    /** Non-secret details (ids, names, changed keys) as JSON. */
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    ip: text("ip"),
  },
  (t) => [index("audit_user_at_idx").on(t.userId, t.at)],
);

export const connections = sqliteTable(
  "connections",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** Plugin id, e.g. `paper`, `alpaca`. */
    broker: text("broker").notNull(),
    name: text("name").notNull(),
    /** `connected` | `expiring` | `expired` | `error` | `disconnected` (worker/connections/lifecycle.ts). */
    status: text("status").notNull(),
    /** One sentence: why the connection is in its status (null when all is well). */
    statusMessage: text("status_message"),
    /** When the status last changed (epoch ms); null on rows older than the lifecycle. */
    statusAt: integer("status_at"),
    /** `credentials` (a key the user pasted) or `oauth` (tokens from the OAuth flow, held by the ConnectionSession object). */
    authMethod: text("auth_method").notNull().default("credentials"),
    /** Non-secret settings as JSON (environment, startingCash, baseUrl...). */
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** AES-GCM envelope of the credentials; never returned by the API. */
    credentialsCiphertext: text("credentials_ciphertext"),
    /** Id of the vault key that sealed the envelope, so keys can rotate. */
    credentialsKeyId: text("credentials_key_id"),
    /** Masked hint such as `...k3F9`, safe to show. */
    credentialsHint: text("credentials_hint"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("connections_user_idx").on(t.userId)],
);

export const accounts = sqliteTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    connectionId: text("connection_id").notNull().references(() => connections.id, { onDelete: "cascade" }),
    /** The broker's own account number or id. */
    brokerAccountId: text("broker_account_id").notNull(),
    /** `paper` | `live`. */
    mode: text("mode").notNull(),
    name: text("name").notNull(),
    currency: text("currency").notNull().default("USD"),
    createdAt: createdAt(),
  },
  (t) => [
    index("accounts_connection_idx").on(t.connectionId),
    uniqueIndex("accounts_connection_broker_uq").on(t.connectionId, t.brokerAccountId),
  ],
);

export const strategies = sqliteTable(
  "strategies",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** `stocks` | `options` | `futures` | `crypto` | `forex`. */
    assetClass: text("asset_class").notNull(),
    /** Upper-cased tickers, or null for any ticker of the asset class. */
    allowedTickers: text("allowed_tickers", { mode: "json" }).$type<string[] | null>(),
    /** SHA-256 (hex) of the webhook secret. The secret itself is never stored. */
    secretHash: text("secret_hash").notNull(),
    /** Strategy-level settings as JSON (duplicate window, max signal age...). */
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /**
     * Raised by every change that alters what a signal of this strategy does:
     * the strategy itself, its secret, its subscriptions, and their
     * connections. The webhook's isolate cache and each subscription queue's
     * copy of its settings are stamped with it, and a queue refuses a signal
     * stamped older than what it knows (worker/execution/queue-config.ts).
     */
    configVersion: integer("config_version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("strategies_user_idx").on(t.userId)],
);

export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    strategyId: text("strategy_id").notNull().references(() => strategies.id, { onDelete: "cascade" }),
    connectionId: text("connection_id").notNull().references(() => connections.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /**
     * Set while the subscription is paused by its connection (expired, disconnected): its
     * signals are still logged, each trade refused with this code. Cleared only when the user
     * resumes (POST /api/connections/{id}/resume-subscriptions).
     */
    pausedCode: text("paused_code"),
    pausedReason: text("paused_reason"),
    pausedAt: integer("paused_at"),
    /** SubscriptionSettings as JSON (worker/trading/settings.ts). */
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /**
     * Set (with `enabled` off) on a second subscription of the same strategy on
     * the same account that existed before such pairs were refused: the id of
     * the one kept. Such a row is outside the uniqueness rule until it is
     * enabled again, which clears this and re-checks the rule.
     */
    duplicateOf: text("duplicate_of"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("subscriptions_user_idx").on(t.userId),
    index("subscriptions_strategy_idx").on(t.strategyId),
    // One subscription per strategy and account: a second would trade every alert twice.
    // Enforced here, not by a read-then-insert, so two concurrent creates cannot both win.
    uniqueIndex("subscriptions_strategy_account_uq").on(t.strategyId, t.accountId).where(sql`duplicate_of IS NULL`),
  ],
);

export const signals = sqliteTable(
  "signals",
  {
    id: text("id").primaryKey(),
    /** Null only when the webhook named a strategy that does not exist. */
    userId: text("user_id"),
    strategyId: text("strategy_id").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** `accepted` | `rejected`. */
    status: text("status").notNull(),
    messageCode: text("message_code"),
    message: text("message"),
    /** The parsed signal, or `{ raw: "<body text>" }` when it did not parse. */
    payload: text("payload", { mode: "json" }).$type<unknown>().notNull(),
    sourceIp: text("source_ip"),
    contentType: text("content_type"),
    /** Size of the body in bytes; the only trace of a refused request's body (its text is not kept). */
    bodyBytes: integer("body_bytes"),
    /** Sender-supplied idempotency key (`alertId`). */
    alertId: text("alert_id"),
    /** SHA-256 (hex) of the raw body, for the byte-identical duplicate window. */
    bodyHash: text("body_hash"),
    /** Set when this delivery was a duplicate of an earlier signal. */
    duplicateOf: text("duplicate_of"),
    /**
     * How many subscriptions an accepted signal was queued for, so its outcome
     * stays "pending" until each one's trade has reached D1. Null on rejected
     * signals and on rows logged before the column existed.
     */
    expectedTrades: integer("expected_trades"),
  },
  (t) => [
    index("signals_strategy_received_idx").on(t.strategyId, t.receivedAt),
    index("signals_user_received_idx").on(t.userId, t.receivedAt),
    index("signals_strategy_alert_idx").on(t.strategyId, t.alertId),
    index("signals_strategy_body_idx").on(t.strategyId, t.bodyHash),
  ],
);

export const trades = sqliteTable(
  "trades",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    signalId: text("signal_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    /** queued | executing | pending_approval | filled | partially_filled | open | rejected | failed | cancelled */
    status: text("status").notNull(),
    messageCode: text("message_code"),
    message: text("message"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("trades_signal_subscription_uq").on(t.signalId, t.subscriptionId),
    index("trades_subscription_idx").on(t.subscriptionId, t.createdAt),
    index("trades_user_status_idx").on(t.userId, t.status),
  ],
);

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    tradeId: text("trade_id").notNull(),
    signalId: text("signal_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    connectionId: text("connection_id").notNull(),
    accountId: text("account_id").notNull(),
    /** Deterministic per (signal, subscription, leg): see worker/execution/client-order-id.ts. */
    clientOrderId: text("client_order_id").notNull().unique(),
    brokerOrderId: text("broker_order_id"),
    ticker: text("ticker").notNull(),
    side: text("side").notNull(),
    quantity: text("quantity").notNull(),
    type: text("type").notNull(),
    timeInForce: text("time_in_force"),
    limitPrice: text("limit_price"),
    stopPrice: text("stop_price"),
    trailAmount: text("trail_amount"),
    trailPercent: text("trail_percent"),
    status: text("status").notNull(),
    filledQuantity: text("filled_quantity").notNull().default("0"),
    avgFillPrice: text("avg_fill_price"),
    /** entry | exit | take_profit | stop_loss */
    role: text("role").notNull(),
    message: text("message"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("orders_trade_idx").on(t.tradeId),
    index("orders_connection_idx").on(t.connectionId, t.createdAt),
    index("orders_signal_idx").on(t.signalId),
  ],
);

/**
 * Notification channels (worker/notifications/): where a user's events go.
 * The secret part (URLs with their tokens, bot tokens, API keys, the
 * webhook's signing secret) is sealed with the credential vault, bound to
 * the channel id; `public_settings` is what the API shows.
 */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** `webhook` | `discord` | `slack` | `telegram` | `email`. */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    publicSettings: text("public_settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretKeyId: text("secret_key_id").notNull(),
    /** Event types the channel receives; null = every type. */
    events: text("events", { mode: "json" }).$type<string[] | null>(),
    /** Only events that mean something went wrong (worker/notifications/events.ts FAILURE_EVENT_TYPES). */
    failuresOnly: integer("failures_only", { mode: "boolean" }).notNull().default(false),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Written by the Notifier after each attempt: the last outcome, so a broken channel shows. */
    lastDeliveryAt: integer("last_delivery_at"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("channels_user_idx").on(t.userId)],
);

/**
 * A user's kill switch: while `active`, every entry of every subscription
 * is refused (`kill-switch-active`); exits still run. No row = off.
 */
export const killSwitches = sqliteTable("kill_switches", {
  userId: text("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  active: integer("active", { mode: "boolean" }).notNull(),
  /** When it was last turned on (kept while active). */
  activatedAt: integer("activated_at"),
  updatedAt: updatedAt(),
});

/**
 * Risk settings of a broker account (worker/trading/settings.ts
 * RiskSettingsSchema): they apply to every subscription on the account, the
 * stricter value winning where a subscription sets the same control.
 */
export const accountRisk = sqliteTable("account_risk", {
  accountId: text("account_id").primaryKey().references(() => accounts.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  updatedAt: updatedAt(),
});

/**
 * What happened to a user's connections (expired, expiring, disconnected,
 * reconnected...), newest first through `GET /api/events`. The notification
 * channels deliver from here.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** e.g. `connection-expired`, `connection-expiring`, `connection-disconnected`, `connection-connected`. */
    kind: text("kind").notNull(),
    connectionId: text("connection_id"),
    /** One sentence for the user. */
    message: text("message").notNull(),
    /** Details as JSON (paused subscription ids, broker...). */
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("events_user_created_idx").on(t.userId, t.createdAt)],
);

/**
 * A Tradeloop user's identity at an aggregator (SnapTrade: its user id and
 * user secret), registered on the user's first connect through the portal
 * and shared by every connection of that user and broker. Sealed with the
 * vault like connection credentials, bound to `portal-identity:<user>:<broker>`
 * so a ciphertext moved to another user's row does not open. One per user
 * and broker: the second concurrent registration loses on the primary key.
 */
export const portalIdentities = sqliteTable(
  "portal_identities",
  {
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    broker: text("broker").notNull(),
    ciphertext: text("ciphertext").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("portal_identities_user_broker_idx").on(t.userId, t.broker)],
);

/**
 * OAuth authorizations in flight: one row per `start`, consumed (deleted) by
 * its callback, so a `state` works once. Holds the PKCE verifier, which
 * must never reach the browser.
 */
export const oauthStates = sqliteTable("oauth_states", {
  /** The state token's `jti`. */
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  broker: text("broker").notNull(),
  codeVerifier: text("code_verifier"),
  expiresAt: integer("expires_at").notNull(),
  createdAt: createdAt(),
});

/**
 * Drift found by reconciliation (worker/execution/reconciler.ts): where a
 * broker account's positions or open orders disagree with what its
 * subscriptions' fills imply. Written only by the account's reconciler.
 * `suspected` until a second look confirms it (then `open`, and the user is
 * told); `resolved` once the two agree again (an adoption, a fill catching
 * up, a manual fix).
 */
export const drift = sqliteTable(
  "drift",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    /** Stable per account: `position:AAPL`, `unknown-order:<broker id>`, `missing-order:<client id>`. */
    key: text("key").notNull(),
    /** `position` | `unknown-order` | `missing-order`. */
    kind: text("kind").notNull(),
    ticker: text("ticker").notNull(),
    brokerQuantity: text("broker_quantity"),
    expectedQuantity: text("expected_quantity"),
    /** Who holds what by Tradeloop's fills; the order concerned. */
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    message: text("message").notNull(),
    /** `suspected` | `open` | `resolved`. */
    status: text("status").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    confirmedAt: integer("confirmed_at"),
    resolvedAt: integer("resolved_at"),
    /** How it was resolved: `agrees` (the two agree again) or `adopted` (the user adopted the broker's state). */
    resolution: text("resolution"),
  },
  (t) => [
    index("drift_user_status_idx").on(t.userId, t.status),
    // One live row per account and key; resolved rows are history.
    uniqueIndex("drift_account_key_live_uq").on(t.accountId, t.key).where(sql`status != 'resolved'`),
  ],
);
