/**
 * Notifier: one Durable Object per user that delivers the user's events to
 * their channels, off every trade's path.
 *
 * Why a Durable Object alarm and not a Cloudflare Queue: a Queue must be
 * created in the Cloudflare account before the Worker deploys (one more step
 * for every self-hoster, and one more thing a staging copy must repeat),
 * while a Durable Object comes with the Worker. The alarm gives the same
 * guarantees here: the outbox is in the object's SQLite before `notify()`
 * returns, the alarm is retried if it throws, and the retry schedule, the
 * per-attempt record and the "failures only" filter stay in one place with
 * one writer. (Miniflare runs Queues locally too; the choice is about
 * deployment, not testing.)
 *
 * Flow: `notify(events)` stores them (idempotent by event id; nothing when
 * the user has no enabled channel) and arms the alarm for now. The alarm fans each new event out to the channels that
 * want it (one delivery row per channel), then sends every delivery that is
 * due, records each attempt, and schedules the next try with backoff
 * ({@link BACKOFF_MS}, or longer when the service says Retry-After) until it
 * is delivered, refused for good, or out of attempts.
 *
 * Concurrency: sending awaits `fetch`, so another call may interleave (an
 * alarm and a test send). A delivery is claimed before it is sent (its next
 * attempt moved a lease ahead, synchronously), so no two runs send it; a
 * run that dies mid-send leaves the lease to expire and the alarm to retry.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { DurableObject } from "cloudflare:workers";
import { openCredentials } from "../connections/vault";
import type { Env } from "../env";
import type { ChannelSecret } from "./channel-kinds";
import { channelWants, type EventType, type NotificationEvent } from "./events";
import { attempt as sendAttempt, type AttemptOutcome } from "./senders";
import { log } from "../lib/log";

/** Wait before attempt n+1 after attempt n failed (n = 1...). Eight attempts span about ten hours. */
export const BACKOFF_MS = [10_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 3_600_000, 6 * 3_600_000] as const;
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
/** A Retry-After longer than this is capped (the schedule resumes after it). */
const MAX_RETRY_AFTER_MS = 6 * 3_600_000;
/** A claimed delivery may be retried by another run after this long (the sender died). */
const LEASE_MS = 60_000;
/** Events and their deliveries are kept this long. */
const RETENTION_MS = 30 * 86_400_000;
/** Deliveries sent per alarm run (the rest in the next run, right after). */
const BATCH = 25;
const SCHEMA_VERSION = 1;

export type DeliveryStatus = "pending" | "delivered" | "failed" | "dropped";

/** One attempt, as the API shows it. */
export interface AttemptView {
  n: number;
  at: string;
  durationMs: number;
  result: AttemptOutcome["result"];
  httpStatus: number | null;
  detail: string;
}

/** One delivery of one event to one channel, with every attempt. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: EventType;
  channelId: string;
  status: DeliveryStatus;
  createdAt: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  attempts: AttemptView[];
}

interface ChannelRow {
  id: string;
  kind: string;
  events: string | null;
  failures_only: number;
  enabled: number;
  secret_ciphertext: string;
  secret_key_id: string;
}

type Row = Record<string, SqlStorageValue>;

/** The AAD a channel's secret is sealed under (one namespace apart from broker connections). */
export const channelSealId = (channelId: string) => `channel:${channelId}`;

export class Notifier extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private userId: string | null = null;
  private running: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const v = this.sql.exec(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
    if (v && Number(v.value) >= SCHEMA_VERSION) return;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        fanned_out INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS events_new_idx ON events (created_at) WHERE fanned_out = 0;
      CREATE TABLE IF NOT EXISTS deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (event_id, channel_id)
      );
      CREATE INDEX IF NOT EXISTS deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS deliveries_channel_idx ON deliveries (channel_id, created_at);
      CREATE TABLE IF NOT EXISTS attempts (
        delivery_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        result TEXT NOT NULL,
        http_status INTEGER,
        detail TEXT NOT NULL,
        PRIMARY KEY (delivery_id, n)
      );
    `);
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
  }

  /** The user this object serves (set by the first call; each user has their own object). */
  private bindUser(userId: string): void {
    if (this.userId === null) {
      const row = this.sql.exec(`SELECT value FROM meta WHERE key = 'user_id'`).toArray()[0];
      this.userId = row ? String(row.value) : null;
    }
    if (this.userId === null) {
      this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('user_id', ?)`, userId);
      this.userId = userId;
    } else if (this.userId !== userId) {
      throw new Error("this Notifier belongs to another user");
    }
  }

  /**
   * Stores events for delivery and returns; delivery happens in the alarm.
   * Idempotent by event id: the same fact reported twice is one event.
   */
  async notify(userId: string, events: readonly NotificationEvent[]): Promise<{ stored: number }> {
    this.bindUser(userId);
    // A user without a channel hears nothing: keep nothing and arm nothing (every trade emits events).
    const listening = await this.env.DB.prepare(`SELECT 1 AS one FROM channels WHERE user_id = ? AND enabled = 1 LIMIT 1`).bind(userId).first();
    if (!listening) return { stored: 0 };
    let stored = 0;
    for (const e of events) {
      const written = this.sql.exec(
        `INSERT INTO events (id, type, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        e.id,
        e.type,
        JSON.stringify(e),
        Date.now(),
      ).rowsWritten;
      stored += written;
    }
    if (stored > 0) await this.armBy(Date.now());
    return { stored };
  }

  /**
   * Sends a `test` event to one channel now and returns its delivery with
   * the first attempt (later retries, if any, follow the usual schedule).
   */
  async sendTest(userId: string, channelId: string, event: NotificationEvent): Promise<DeliveryView> {
    this.bindUser(userId);
    const now = Date.now();
    this.sql.exec(`INSERT INTO events (id, type, payload, created_at, fanned_out) VALUES (?, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING`, event.id, event.type, JSON.stringify(event), now);
    const deliveryId = crypto.randomUUID();
    this.sql.exec(
      `INSERT INTO deliveries (id, event_id, channel_id, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
      deliveryId,
      event.id,
      channelId,
      now + LEASE_MS, // claimed by this call
      now,
      now,
    );
    const channels = await this.loadChannels();
    await this.deliver(deliveryId, channels);
    await this.scheduleAlarm();
    return this.view(deliveryId)!;
  }

  /** Deliveries, newest first, with their attempts (one channel's, or all). */
  async deliveries(userId: string, options: { channelId?: string; limit?: number } = {}): Promise<DeliveryView[]> {
    this.bindUser(userId);
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const rows = options.channelId
      ? this.sql.exec(`SELECT id FROM deliveries WHERE channel_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`, options.channelId, limit).toArray()
      : this.sql.exec(`SELECT id FROM deliveries ORDER BY created_at DESC, rowid DESC LIMIT ?`, limit).toArray();
    return rows.map((r) => this.view(String(r.id))).filter((v): v is DeliveryView => v !== null);
  }

  /** Fans out new events, sends what is due, re-arms. Safe to run twice. */
  override async alarm(): Promise<void> {
    await this.run();
  }

  // ---- the delivery loop -------------------------------------------------

  private run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    if (this.userId === null) {
      const row = this.sql.exec(`SELECT value FROM meta WHERE key = 'user_id'`).toArray()[0];
      if (!row) return;
      this.userId = String(row.value);
    }
    const channels = await this.loadChannels();
    this.fanOut(channels);
    for (;;) {
      const now = Date.now();
      // Claim a batch synchronously: no other run can pick these while we await the sends.
      const due = this.sql
        .exec(`SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`, now, BATCH)
        .toArray()
        .map((r) => String(r.id));
      if (due.length === 0) break;
      for (const id of due) this.sql.exec(`UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`, now + LEASE_MS, id);
      await Promise.all(due.map((id) => this.deliver(id, channels)));
    }
    this.prune();
    await this.scheduleAlarm();
  }

  private async loadChannels(): Promise<Map<string, ChannelRow>> {
    const { results } = await this.env.DB.prepare(
      `SELECT id, kind, events, failures_only, enabled, secret_ciphertext, secret_key_id FROM channels WHERE user_id = ?`,
    )
      .bind(this.userId)
      .all<ChannelRow>();
    return new Map(results.map((c) => [c.id, c]));
  }

  /** One delivery row per channel that wants each new event. */
  private fanOut(channels: Map<string, ChannelRow>): void {
    const fresh = this.sql.exec(`SELECT id, type FROM events WHERE fanned_out = 0 ORDER BY created_at`).toArray();
    const now = Date.now();
    for (const e of fresh) {
      for (const c of channels.values()) {
        if (c.enabled !== 1) continue;
        const wanted = channelWants({ events: c.events ? (JSON.parse(c.events) as EventType[]) : null, failuresOnly: c.failures_only === 1 }, String(e.type) as EventType);
        if (!wanted) continue;
        this.sql.exec(
          `INSERT INTO deliveries (id, event_id, channel_id, status, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (event_id, channel_id) DO NOTHING`,
          crypto.randomUUID(),
          String(e.id),
          c.id,
          now,
          now,
          now,
        );
      }
      this.sql.exec(`UPDATE events SET fanned_out = 1 WHERE id = ?`, String(e.id));
    }
  }

  /** Sends one (claimed) delivery once and records the attempt. */
  private async deliver(deliveryId: string, channels: Map<string, ChannelRow>): Promise<void> {
    const d = this.sql.exec(`SELECT d.*, e.payload FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?`, deliveryId).toArray()[0];
    if (!d || d.status !== "pending") return;
    const channel = channels.get(String(d.channel_id));
    if (!channel) {
      this.finish(deliveryId, "dropped", null);
      return;
    }
    const n = Number(d.attempts) + 1;
    const started = Date.now();
    let outcome: AttemptOutcome;
    try {
      const secret = (await openCredentials(this.env.VAULT_KEYS, channelSealId(channel.id), { ciphertext: channel.secret_ciphertext, keyId: channel.secret_key_id })) as ChannelSecret;
      outcome = await sendAttempt(secret, JSON.parse(String(d.payload)) as NotificationEvent, { deliveryId, nowMs: started });
    } catch (err) {
      outcome = { result: "failed", httpStatus: null, detail: `The channel's settings could not be opened (${errorMessage(err)}); delete the channel and create it again.`, retryAfterMs: null };
    }
    const at = Date.now();
    this.sql.exec(
      `INSERT OR REPLACE INTO attempts (delivery_id, n, at, duration_ms, result, http_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      deliveryId,
      n,
      started,
      at - started,
      outcome.result,
      outcome.httpStatus,
      outcome.detail,
    );
    this.sql.exec(`UPDATE deliveries SET attempts = ?, updated_at = ? WHERE id = ?`, n, at, deliveryId);
    if (outcome.result === "delivered") this.finish(deliveryId, "delivered", null);
    else if (outcome.result === "failed" || n >= MAX_ATTEMPTS) this.finish(deliveryId, "failed", null);
    else {
      const backoff: number = BACKOFF_MS[n - 1] ?? BACKOFF_MS[BACKOFF_MS.length - 1]!;
      this.finish(deliveryId, "pending", at + Math.max(backoff, Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
    }
    await this.recordOnChannel(channel.id, at, outcome, n);
  }

  private finish(deliveryId: string, status: DeliveryStatus, nextAttemptAt: number | null): void {
    this.sql.exec(`UPDATE deliveries SET status = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`, status, nextAttemptAt, Date.now(), deliveryId);
  }

  /** The channel shows its last outcome (a failing channel says why). Best effort. */
  private async recordOnChannel(channelId: string, at: number, outcome: AttemptOutcome, n: number): Promise<void> {
    const gaveUp = outcome.result === "retry" && n >= MAX_ATTEMPTS;
    const error =
      outcome.result === "delivered"
        ? null
        : gaveUp
          ? `${outcome.detail.replace(/; retried later\.$/, ".")} Gave up after ${MAX_ATTEMPTS} attempts.`
          : `${outcome.detail}${outcome.result === "retry" ? ` (attempt ${n} of ${MAX_ATTEMPTS})` : ""}`;
    try {
      await this.env.DB.prepare(`UPDATE channels SET last_delivery_at = ?, last_error = ? WHERE id = ? AND user_id = ?`).bind(at, error, channelId, this.userId).run();
    } catch (err) {
      log.warn("notifier: could not record the outcome", { channelId, error: errorMessage(err) });
    }
  }

  private prune(): void {
    const before = Date.now() - RETENTION_MS;
    this.sql.exec(`DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE created_at < ? AND status != 'pending')`, before);
    this.sql.exec(`DELETE FROM deliveries WHERE created_at < ? AND status != 'pending'`, before);
    this.sql.exec(`DELETE FROM events WHERE created_at < ? AND fanned_out = 1 AND id NOT IN (SELECT event_id FROM deliveries)`, before);
  }

  private async scheduleAlarm(): Promise<void> {
    const r = this.sql
      .exec(
        `SELECT (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending') AS next,
                EXISTS (SELECT 1 FROM events WHERE fanned_out = 0) AS fresh`,
      )
      .one();
    const next = r.fresh ? Date.now() : r.next === null ? null : Number(r.next);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  private async armBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private view(deliveryId: string): DeliveryView | null {
    const d = this.sql.exec(`SELECT d.*, e.type FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?`, deliveryId).toArray()[0] as Row | undefined;
    if (!d) return null;
    const attempts = this.sql
      .exec(`SELECT * FROM attempts WHERE delivery_id = ? ORDER BY n`, deliveryId)
      .toArray()
      .map((a) => ({
        n: Number(a.n),
        at: new Date(Number(a.at)).toISOString(),
        durationMs: Number(a.duration_ms),
        result: String(a.result) as AttemptOutcome["result"],
        httpStatus: a.http_status === null ? null : Number(a.http_status),
        detail: String(a.detail),
      }));
    const status = String(d.status) as DeliveryStatus;
    return {
      id: String(d.id),
      eventId: String(d.event_id),
      eventType: String(d.type) as EventType,
      channelId: String(d.channel_id),
      status,
      createdAt: new Date(Number(d.created_at)).toISOString(),
      nextAttemptAt: status === "pending" && d.next_attempt_at !== null ? new Date(Number(d.next_attempt_at)).toISOString() : null,
      attempts,
    };
  }
}
