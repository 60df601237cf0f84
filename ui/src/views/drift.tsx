/**
 * Drift on the Positions screen: where a broker account no longer matches
 * what Tradeloop's fills say (a trade outside Tradeloop, a missed fill, an
 * assignment), with the sentence the reconciler wrote, a way to adopt the
 * broker's position, and a check on demand. Nothing shows while the two agree.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { api, call, errorText } from "../api";
import { Badge, ConfirmButton, LoadState, Notice } from "../components/ui";
import { when } from "../format";
import { usePoll } from "../hooks";

const REFRESH_MS = 15_000;

type DriftList = Awaited<ReturnType<typeof loadDrift>>;

async function loadDrift() {
  return call(api.api.drift.$get({ query: {} }));
}

/** The live drift of every account, newest first, with "Check now". */
export function DriftPanel({ onChange }: { onChange: () => Promise<void> }) {
  const drift = usePoll(loadDrift, REFRESH_MS);
  const [note, setNote] = useState<{ tone: "good" | "bad" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const check = (): void => {
    setBusy(true);
    setNote(null);
    call(api.api.drift.check.$post({ json: {} }))
      .then(async (results) => {
        const found = results.reduce((n, r) => n + r.drifts.length, 0);
        const unchecked = results.filter((r) => !r.checked);
        setNote(
          unchecked.length > 0
            ? { tone: "bad", text: unchecked.map((r) => r.reason ?? "Not checked.").join(" ") }
            : { tone: found ? "info" : "good", text: found ? `${found} difference${found === 1 ? "" : "s"} found; a second check confirms them.` : "The broker agrees with Tradeloop's fills." },
        );
        await drift.reload();
      })
      .catch((e: unknown) => setNote({ tone: "bad", text: errorText(e) }))
      .finally(() => setBusy(false));
  };
  return (
    <section class="drift" aria-labelledby="drift-title">
      <div class="drift-head">
        <h2 id="drift-title">Broker in step?</h2>
        <button type="button" class="secondary small" disabled={busy} onClick={check}>
          {busy ? "Checking…" : "Check now"}
        </button>
      </div>
      {note ? <Notice tone={note.tone}>{note.text}</Notice> : null}
      <LoadState loaded={drift} what="drift">
        {(rows: DriftList) =>
          rows.length === 0 ? (
            <p class="muted">No differences between the brokers and Tradeloop's fills.</p>
          ) : (
            <ul class="drift-list">
              {rows.map((d) => (
                <li key={d.id} data-drift-id={d.id} data-drift-kind={d.kind}>
                  <Badge status={d.status === "open" ? "failed" : "pending"} label={d.status === "open" ? "Out of step" : "Suspected"} />
                  <strong>{d.ticker}</strong>
                  <span>{d.message}</span>
                  <span class="muted">since {when(d.firstSeenAt)}</span>
                  {d.kind === "position" ? (
                    <ConfirmButton
                      label="Adopt the broker's position"
                      title={`Adopt ${d.ticker} from the broker`}
                      body={
                        <p>
                          Tradeloop's fills will hold {d.brokerQuantity} {d.ticker}, as the broker does (now {d.expectedQuantity}). No P&L is realized; daily limits and a flatten count from the adopted position.
                        </p>
                      }
                      confirmLabel="Adopt"
                      onConfirm={async () => {
                        await call(api.api.drift[":id"].adopt.$post({ param: { id: d.id }, json: {} }));
                        await Promise.all([drift.reload(), onChange()]);
                      }}
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
    </section>
  );
}
