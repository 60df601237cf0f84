/**
 * Log in, sign up, and first run (`#/setup?token=...`: the setup link that
 * deploy prints creates the owner account with the deployment's setup
 * token). The Worker sets the session cookie in its reply.
 *
 * @module
 */
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { api, call } from "../api";
import { Field, Notice, controlProps } from "../components/ui";
import { type FieldNames, type FormErrors, NO_ERRORS, formErrors } from "../messages";

/** The sign-up rule of the API's SignupBody (worker/api/auth.ts). */
const MIN_PASSWORD = 8;

const NAMES: FieldNames = { email: { label: "Email", enter: "your email" }, password: { label: "Password", enter: "a password" } };

/** The auth screen; `onSession` runs once the Worker has started a session. */
export function AuthView({ mode: initial, setupToken, onSession }: { mode: "login" | "signup" | "setup"; setupToken?: string; onSession: (email: string) => void }) {
  const [mode, setMode] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [mode]);
  const creating = mode !== "login";

  const submit = (event: Event): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const email = (form.elements.namedItem("email") as HTMLInputElement).value.trim();
    const password = (form.elements.namedItem("password") as HTMLInputElement).value;
    const fields: Record<string, string> = {};
    if (!email) fields.email = "Enter your email.";
    if (!password) fields.password = "Enter a password.";
    else if (creating && password.length < MIN_PASSWORD) fields.password = `Use at least ${MIN_PASSWORD} characters for your password.`;
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    // A variable, not a literal: a Worker that predates `setupToken` still types the body.
    const signupBody = { email, password, ...(mode === "setup" && setupToken ? { setupToken } : {}) };
    const request = creating ? call(api.api.auth.signup.$post({ json: signupBody }), { quiet401: true }) : call(api.api.auth.login.$post({ json: { email, password } }), { quiet401: true });
    request
      .then((session) => onSession(session.user.email))
      .catch((e: unknown) => {
        setErrors(formErrors(e, NAMES, (f) => (f === "email" || f === "password" ? f : null)));
        setBusy(false);
      });
  };

  const title = mode === "login" ? "Log in to Tradeloop" : mode === "setup" ? "Create the owner account" : "Create your Tradeloop account";
  return (
    <div class="auth-wrap">
      <p class="brand big">
        <img src="/favicon.svg" alt="" width={28} height={28} /> Tradeloop
      </p>
      <form class="card auth" noValidate aria-labelledby="auth-title" onSubmit={submit} aria-busy={busy ? "true" : "false"}>
        <h1 id="auth-title" tabindex={-1} ref={heading}>
          {title}
        </h1>
        {mode === "setup" ? (
          <p class="muted">{setupToken ? "This link sets up a new Tradeloop. The account you create here owns it." : "This setup link has no token. Copy the whole link that deploy printed."}</p>
        ) : null}
        {errors.form ? <Notice tone="bad">{errors.form}</Notice> : null}
        <Field name="email" label="Email" error={errors.fields.email}>
          <input {...controlProps("email", errors.fields.email)} type="email" autocomplete="email" required aria-required="true" />
        </Field>
        <Field name="password" label="Password" help={creating ? `At least ${MIN_PASSWORD} characters.` : undefined} error={errors.fields.password}>
          <input {...controlProps("password", errors.fields.password, creating)} type="password" autocomplete={creating ? "new-password" : "current-password"} required aria-required="true" />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Working…" : mode === "login" ? "Log in" : mode === "setup" ? "Create owner account" : "Sign up"}
        </button>
        {mode === "setup" ? null : (
          <p class="switch">
            {mode === "login" ? "No account yet? " : "Already have an account? "}
            <button
              type="button"
              class="link"
              onClick={() => {
                setErrors(NO_ERRORS);
                setMode(mode === "login" ? "signup" : "login");
              }}
            >
              {mode === "login" ? "Sign up" : "Log in"}
            </button>
          </p>
        )}
      </form>
    </div>
  );
}
