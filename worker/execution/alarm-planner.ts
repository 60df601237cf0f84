/**
 * One owner for a Durable Object's single alarm, shared by parts that each
 * say when they next need to run (the pattern of cloudflare/agents'
 * scheduler: many schedules, one alarm set to the earliest).
 *
 * - A part reports `nextWakeAt(now)` from its own state and storage, and does
 *   its work in `wake(now)`, which must be safe to run early or twice (an
 *   alarm may fire for another part, or be retried).
 * - When a part learns of a new need in the middle of things (a delayed
 *   signal, a failed copy, a `cancelAfter`), it calls `wakeBy(at)`: the alarm
 *   only ever moves earlier, and the armed time is cached, so the common case
 *   (already armed earlier) costs no storage call.
 * - The alarm runs every part, then plans from all of them again. A spent
 *   alarm with nothing left to do stays unset; one that fires with nothing
 *   due does nothing.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { log } from "../lib/log";

/** A part of a Durable Object that may need its alarm. */
export interface Wakeable {
  /** A name for logs. */
  readonly name: string;
  /** Epoch ms when this part next needs to run, or null when it needs nothing. */
  nextWakeAt(now: number): number | null;
  /** Runs whatever is due. Safe to run early, late, or twice. */
  wake(now: number): Promise<void>;
}

export class AlarmPlanner {
  /** The armed alarm as last set or read (undefined: not read yet in this instance). */
  private armedAt: number | null | undefined = undefined;
  private parts: readonly Wakeable[] = [];

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The parts, in the order the alarm runs them. */
  register(...parts: Wakeable[]): void {
    this.parts = [...this.parts, ...parts];
  }

  /** Makes sure the alarm fires no later than `at`. Never postpones an earlier alarm. */
  async wakeBy(at: number): Promise<void> {
    if (this.armedAt === undefined) this.armedAt = await this.storage.getAlarm();
    const current = this.armedAt;
    if (current !== null && current <= at && current >= Date.now()) return;
    this.armedAt = at;
    await this.storage.setAlarm(at);
  }

  /** The earliest need of any part, or null. */
  nextWakeAt(now: number): number | null {
    let earliest: number | null = null;
    for (const part of this.parts) {
      const at = part.nextWakeAt(now);
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Arms the alarm for the earliest need of any part (from a fresh instance, or after the alarm ran). */
  async replan(): Promise<void> {
    const at = this.nextWakeAt(Date.now());
    if (at !== null) await this.wakeBy(at);
  }

  /** The alarm handler: every part runs what is due, then the next alarm is planned. */
  async run(): Promise<void> {
    // This alarm is spent; whatever is still needed is armed again below.
    this.armedAt = null;
    for (const part of this.parts) {
      try {
        await part.wake(Date.now());
      } catch (err) {
        // One part failing must not starve the others; the replan below retries it.
        log.warn("alarm: a part failed", { part: part.name, error: errorMessage(err) });
      }
    }
    await this.replan();
  }
}
