/**
 * The kill switch in the top bar, one click from every screen: off, it is a
 * "Kill switch" button that asks once (with an option to also close what
 * Tradeloop's subscriptions hold); on, the bar says entries are paused and
 * offers to resume. `POST /api/kill-switch` does the work; the state is
 * polled so a switch thrown by a script shows here too.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call } from "../api";
import { when } from "../format";
import { usePoll } from "../hooks";
import { ConfirmButton, Notice } from "./ui";

const POLL_MS = 15_000;

/** The switch and its state. */
export function KillSwitch() {
  const state = usePoll(() => call(api.api["kill-switch"].$get()), POLL_MS);
  const [flatten, setFlatten] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const set = async (active: boolean): Promise<void> => {
    const reply = await call(api.api["kill-switch"].$post({ json: active && flatten ? { active, flatten: true } : { active } }));
    setDone(
      reply.flatten
        ? `Entries paused. Closing ${reply.flatten.positions} position${reply.flatten.positions === 1 ? "" : "s"} across ${reply.flatten.subscriptions} subscription${reply.flatten.subscriptions === 1 ? "" : "s"}.`
        : active
          ? "Entries paused."
          : "Entries resumed.",
    );
    setFlatten(false);
    await state.reload();
  };
  const active = state.data?.active === true;
  return (
    <div class={`kill-switch${active ? " on" : ""}`} data-kill-switch={active ? "on" : "off"}>
      {active ? (
        <>
          <span class="badge bad" role="status" title={state.data?.activatedAt ? `Since ${when(state.data.activatedAt)}` : undefined}>
            Entries paused
          </span>
          <ConfirmButton
            label="Resume"
            title="Resume entries"
            body={<p>Every subscription takes entries again from the next alert. Signals refused while the switch was on stay refused.</p>}
            confirmLabel="Resume entries"
            onConfirm={() => set(false)}
          />
        </>
      ) : (
        <ConfirmButton
          label="Kill switch"
          title="Pause every entry"
          danger
          body={
            <>
              <p>Every subscription stops opening or adding to positions at once, signals already waiting included. Exits still run.</p>
              <label class="check">
                <input type="checkbox" name="flatten" checked={flatten} onChange={(e: Event) => setFlatten((e.currentTarget as HTMLInputElement).checked)} />
                Also close every position Tradeloop's subscriptions hold, at market
              </label>
            </>
          }
          confirmLabel="Pause entries"
          onConfirm={() => set(true)}
        />
      )}
      {done ? (
        <span class="visually-hidden">
          <Notice tone="info">{done}</Notice>
        </span>
      ) : null}
    </div>
  );
}
