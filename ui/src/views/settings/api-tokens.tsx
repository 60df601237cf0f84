/**
 * Settings → API tokens: tokens for the trader's own scripts
 * (`Authorization: Bearer tlk_...`). The Worker stores only a hash, so the
 * token is shown exactly once, right after it is created, with a copy
 * button and a plain warning; the list shows name, scope, creation and last
 * use, and each token is revoked on its own after a confirmation.
 *
 * @module
 */
import type { InferResponseType } from "hono/client";
import { useState } from "hono/jsx/dom";
import { api, call } from "../../api";
import { ConfirmButton, CopyButton, type Column, DataTable, Empty, Field, LoadState, Notice, controlProps } from "../../components/ui";
import { when } from "../../format";
import { usePoll } from "../../hooks";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors } from "../../messages";

/** A token as listed (never the secret itself). */
export type ApiToken = InferResponseType<typeof api.api.auth.tokens.$get, 200>[number];
type CreatedToken = InferResponseType<typeof api.api.auth.tokens.$post, 201>;
type Scope = ApiToken["scopes"][number];

/** The API's CreateApiTokenBody limit (worker/api/auth.ts). */
export const MAX_TOKEN_NAME = 100;

/** What each choice in the form grants; `trade` alone already allows reads, `read` is listed for clarity. */
const ACCESS: Record<"read" | "trade", { label: string; help: string; scopes: Scope[] }> = {
  read: { label: "Read only", help: "Can look at signals, positions and settings; cannot change anything.", scopes: ["read"] },
  trade: { label: "Read and trade", help: "Can also change strategies, subscriptions and connections, and approve trades.", scopes: ["read", "trade"] },
};

const NAMES: FieldNames = { name: { label: "Token name", enter: "a name for the token" }, scopes: { label: "Access" } };

/** "Read and trade" / "Read only", from a token's scopes. */
export function accessLabel(scopes: readonly string[]): string {
  return scopes.includes("trade") ? ACCESS.trade.label : ACCESS.read.label;
}

/** The one-time display of a new token's secret. */
function NewTokenPanel({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <section class="secret-once" role="alert" aria-label={`New API token ${token.name}`}>
      <h2>API token “{token.name}”</h2>
      <div class="copy-row">
        <input
          type="text"
          readonly
          class="mono"
          name="newApiToken"
          aria-label={`API token ${token.name}`}
          value={token.token}
          onFocus={(e: Event) => (e.target as HTMLInputElement).select()}
        />
        <CopyButton text={token.token} label="Copy token" />
      </div>
      <p>
        <strong>Copy it now: it will not be shown again. </strong>Tradeloop keeps only a hash of this token. Send it as <code>Authorization: Bearer &lt;token&gt;</code>; anyone holding it
        can {token.scopes.includes("trade") ? "trade on your accounts" : "read your account"}, so store it like a password. If you lose it, revoke it and create a new one.
      </p>
      <button type="button" class="secondary" onClick={onDone}>
        I stored it
      </button>
    </section>
  );
}

/** The API tokens section of Settings. */
export function ApiTokensSection() {
  const list = usePoll(() => call(api.api.auth.tokens.$get()), 0);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = (form.elements.namedItem("tokenName") as HTMLInputElement).value.trim();
    const access = (form.querySelector<HTMLInputElement>("input[name=access]:checked")?.value ?? "read") as keyof typeof ACCESS;
    const fields: Record<string, string> = {};
    if (!name) fields.name = "Enter a name for the token, such as the script that will use it.";
    else if (name.length > MAX_TOKEN_NAME) fields.name = `Keep the token name to ${MAX_TOKEN_NAME} characters or fewer.`;
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      // After the render that marks the field invalid.
      requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    setRevoked(null);
    call(api.api.auth.tokens.$post({ json: { name, scopes: ACCESS[access].scopes } }))
      .then(async (token) => {
        form.reset();
        // reset() restores the default choice only if the DOM kept it as an attribute; make it explicit.
        const readOnly = form.querySelector<HTMLInputElement>("input[name=access][value=read]");
        if (readOnly) readOnly.checked = true;
        setCreated(token);
        requestAnimationFrame(() => document.querySelector<HTMLInputElement>("input[name=newApiToken]")?.focus());
        await list.reload();
      })
      .catch((e: unknown) => {
        setErrors(formErrors(e, NAMES, (f) => (f === "name" ? "name" : null)));
        requestAnimationFrame(() => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      })
      .finally(() => setBusy(false));
  };

  const revoke = async (token: ApiToken): Promise<void> => {
    await call(api.api.auth.tokens[":id"].$delete({ param: { id: token.id } }));
    if (created?.id === token.id) setCreated(null);
    setRevoked(token.name);
    await list.reload();
  };

  const columns: Column<ApiToken>[] = [
    { label: "Name", kind: "main", cell: (t) => t.name },
    { label: "Access", cell: (t) => accessLabel(t.scopes) },
    { label: "Created", cell: (t) => when(t.createdAt) },
    { label: "Last used", cell: (t) => (t.lastUsedAt ? when(t.lastUsedAt) : <span class="muted">Never</span>) },
    {
      label: "Actions",
      kind: "actions",
      cell: (t) => (
        <ConfirmButton
          label="Revoke"
          title={`Revoke the API token “${t.name}”?`}
          body={<p>Any script using this token stops working at once. This cannot be undone; you can create a new token afterwards.</p>}
          confirmLabel="Revoke token"
          danger
          onConfirm={() => revoke(t)}
        />
      ),
    },
  ];

  return (
    <section class="card" aria-labelledby="s-api-tokens" data-section="api-tokens">
      <h2 id="s-api-tokens">API tokens</h2>
      <p class="muted">Tokens let your own scripts use the Tradeloop API. Each has its own name and can be revoked on its own; they cannot change your password, sessions or tokens.</p>
      {created ? <NewTokenPanel token={created} onDone={() => setCreated(null)} /> : null}
      {revoked ? <Notice tone="good">Revoked “{revoked}”. Scripts using it are refused from now on.</Notice> : null}
      <form class="form-grid" noValidate aria-labelledby="new-api-token" onSubmit={submit} aria-busy={busy ? "true" : "false"}>
        <h3 id="new-api-token">New token</h3>
        {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
        <Field name="tokenName" label="Token name" help="What will use it, e.g. “Portfolio script”." error={errors.fields.name}>
          <input {...controlProps("tokenName", errors.fields.name, true)} type="text" maxLength={MAX_TOKEN_NAME} autocomplete="off" required aria-required="true" />
        </Field>
        <fieldset class="inline-choice">
          <legend>Access</legend>
          {(["read", "trade"] as const).map((a) => (
            <label title={ACCESS[a].help}>
              <input type="radio" name="access" value={a} checked={a === "read"} aria-describedby={`access-${a}-help`} />
              {ACCESS[a].label}
              <span class="visually-hidden" id={`access-${a}-help`}>
                {ACCESS[a].help}
              </span>
            </label>
          ))}
          <p class="help">Read only suits dashboards and reports; choose read and trade only for a script that must change things.</p>
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create token"}
          </button>
        </div>
      </form>
      <h3>Your tokens</h3>
      <LoadState loaded={list} what="API tokens">
        {(tokens) =>
          tokens.length === 0 ? (
            <Empty title="No API tokens yet">Create one above when a script needs to read or trade through the API.</Empty>
          ) : (
            <DataTable caption="API tokens" columns={columns} rows={tokens} rowKey={(t) => t.id} rowAttrs={(t) => ({ "data-token": t.name })} />
          )
        }
      </LoadState>
    </section>
  );
}
