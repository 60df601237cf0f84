/**
 * Settings → Security: change the password (which ends every other
 * session; the Worker answers a fresh one for this browser), log out
 * everywhere (this browser included, so the dashboard returns to the
 * log-in screen), and the account's recent activity from the audit log, so
 * a trader can spot a log-in or a token they do not recognise.
 *
 * @module
 */
import type { InferResponseType } from "hono/client";
import { useState } from "hono/jsx/dom";
import { ApiError, api, call, errorText, sessionEnded } from "../../api";
import { ConfirmButton, Empty, Field, LoadState, Notice, controlProps } from "../../components/ui";
import { humanize, when } from "../../format";
import { usePoll } from "../../hooks";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors } from "../../messages";

type AuditPage = InferResponseType<typeof api.api.audit.$get, 200>;
type AuditEvent = AuditPage["events"][number];

/** The API's PasswordField and PasswordChangeBody limits (worker/api/auth.ts). */
export const PASSWORD_LIMITS = { min: 8, max: 1024 } as const;

const NAMES: FieldNames = {
  currentPassword: { label: "Current password", enter: "your current password" },
  newPassword: { label: "New password", enter: "a new password" },
};

/**
 * The client-side check of the password form, with the server's limits:
 * sentences by field, empty when the form may be sent.
 */
export function checkPasswordChange(current: string, next: string, confirm: string): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!current) fields.currentPassword = "Enter your current password.";
  else if (current.length > PASSWORD_LIMITS.max) fields.currentPassword = "That is longer than any password Tradeloop accepts; check it.";
  if (!next) fields.newPassword = "Enter a new password.";
  else if (next.length < PASSWORD_LIMITS.min) fields.newPassword = `Use at least ${PASSWORD_LIMITS.min} characters for your new password.`;
  else if (next.length > PASSWORD_LIMITS.max) fields.newPassword = `Keep your new password to ${PASSWORD_LIMITS.max} characters or fewer.`;
  if (next && !fields.newPassword && confirm !== next) fields.confirmPassword = confirm ? "The two new passwords differ; type the same one twice." : "Type the new password again.";
  return fields;
}

function ChangePassword() {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const value = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value;
    const currentPassword = value("currentPassword");
    const newPassword = value("newPassword");
    const fields = checkPasswordChange(currentPassword, newPassword, value("confirmPassword"));
    setDone(false);
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    // quiet401: a wrong current password answers 401 too, and it must not log the trader out.
    call(api.api.auth.password.$post({ json: { currentPassword, newPassword } }), { quiet401: true })
      .then(() => {
        form.reset();
        setDone(true);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401 && e.code !== "invalid-credentials") return sessionEnded();
        setErrors(formErrors(e, NAMES, (f) => (f === "currentPassword" || f === "newPassword" ? f : null)));
        requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      })
      .finally(() => setBusy(false));
  };

  return (
    <form class="form-grid" noValidate aria-labelledby="change-password" onSubmit={submit} aria-busy={busy ? "true" : "false"} data-form="password">
      <h3 id="change-password">Change password</h3>
      {done ? <Notice tone="good">Password changed. Every other session was logged out; this browser stays logged in.</Notice> : null}
      {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
      <Field name="currentPassword" label="Current password" error={errors.fields.currentPassword}>
        <input {...controlProps("currentPassword", errors.fields.currentPassword)} type="password" autocomplete="current-password" maxLength={PASSWORD_LIMITS.max} required aria-required="true" />
      </Field>
      <Field name="newPassword" label="New password" help={`At least ${PASSWORD_LIMITS.min} characters.`} error={errors.fields.newPassword}>
        <input {...controlProps("newPassword", errors.fields.newPassword, true)} type="password" autocomplete="new-password" maxLength={PASSWORD_LIMITS.max} required aria-required="true" />
      </Field>
      <Field name="confirmPassword" label="New password again" error={errors.fields.confirmPassword}>
        <input {...controlProps("confirmPassword", errors.fields.confirmPassword)} type="password" autocomplete="new-password" maxLength={PASSWORD_LIMITS.max} required aria-required="true" />
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </div>
    </form>
  );
}

/** A sentence for an audit event's details, only from non-secret fields the Worker records. */
function detailText(e: AuditEvent): string {
  const d = e.detail ?? {};
  const name = typeof d.name === "string" ? `“${d.name}”` : "";
  const count = typeof d.sessions === "number" ? d.sessions : typeof d.sessionsEnded === "number" ? d.sessionsEnded : null;
  return [name, count === null ? "" : `${count} session${count === 1 ? "" : "s"} ended`].filter(Boolean).join(" · ");
}

const PAGE = 10;

function RecentActivity() {
  const first = usePoll(() => call(api.api.audit.$get({ query: { limit: String(PAGE) } })), 60_000);
  const [older, setOlder] = useState<{ events: AuditEvent[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  const showOlder = (cursor: string): void => {
    setLoadingMore(true);
    setMoreError(null);
    call(api.api.audit.$get({ query: { limit: String(PAGE), cursor } }))
      .then((page) => setOlder((o) => ({ events: [...(o?.events ?? []), ...page.events], cursor: page.nextCursor })))
      .catch((e: unknown) => setMoreError(e))
      .finally(() => setLoadingMore(false));
  };

  return (
    <>
      <h3 id="recent-activity">Recent account activity</h3>
      <LoadState loaded={first} what="account activity">
        {(page) => {
          const events = [...page.events, ...(older?.events ?? [])];
          const cursor = older ? older.cursor : page.nextCursor;
          if (events.length === 0) return <Empty title="No activity yet">Log-ins, password changes, API tokens and connection changes appear here.</Empty>;
          return (
            <>
              <ul class="plain activity" aria-labelledby="recent-activity">
                {events.map((e) => (
                  <li key={e.id} data-action={e.action}>
                    <span>
                      <strong>{humanize(e.action)}</strong> {detailText(e) ? <span class="muted">{detailText(e)}</span> : null}
                    </span>
                    <span class="muted small">
                      {when(e.at)}
                      {e.ip ? ` · from ${e.ip}` : ""}
                    </span>
                  </li>
                ))}
              </ul>
              {moreError ? <Notice tone="bad">{errorText(moreError)}</Notice> : null}
              {cursor ? (
                <div class="actions">
                  <button type="button" class="secondary small" disabled={loadingMore} onClick={() => showOlder(cursor)}>
                    {loadingMore ? "Loading…" : "Show older"}
                  </button>
                </div>
              ) : null}
            </>
          );
        }}
      </LoadState>
    </>
  );
}

/** The Security section of Settings: password, sessions and recent activity. */
export function SecuritySection() {
  return (
    <section class="card" aria-labelledby="s-security" data-section="security">
      <h2 id="s-security">Security</h2>
      <ChangePassword />
      <h3>Sessions</h3>
      <p class="muted">Log out every browser and device where this account is logged in, this one included. Use it after a lost laptop or a shared computer. API tokens keep working: revoke them above.</p>
      <div class="actions">
        <ConfirmButton
          label="Log out everywhere"
          title="Log out everywhere?"
          body={<p>Every session of this account ends now, including this browser: you will need your password to log in again. API tokens are not affected.</p>}
          confirmLabel="Log out everywhere"
          danger
          small={false}
          onConfirm={async () => {
            await call(api.api.auth["logout-everywhere"].$post());
            // The Worker ended this browser's session too and cleared its cookies: show the log-in screen.
            sessionEnded();
          }}
        />
      </div>
      <RecentActivity />
    </section>
  );
}
