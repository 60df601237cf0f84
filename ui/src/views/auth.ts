/**
 * Log in / sign up. One form, two modes: the API takes the same body for both.
 *
 * @module
 */
import { api, call } from "../api";
import { h, replace } from "../dom";
import { field, submitting, value } from "../forms";
import { saveSession } from "../session";

/** Draws the auth screen; `onSession` runs once the Worker has set the session cookies. */
export function authView(root: HTMLElement, onSession: () => void): void {
  let mode: "login" | "signup" = "login";

  const draw = (): void => {
    const isLogin = mode === "login";
    const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true, "aria-required": "true" });
    const password = h("input", {
      name: "password",
      type: "password",
      autocomplete: isLogin ? "current-password" : "new-password",
      required: true,
      "aria-required": "true",
    });
    const form = h(
      "form",
      { class: "card auth", novalidate: true, "aria-labelledby": "auth-title" },
      h("h1", { id: "auth-title", tabindex: "-1" }, isLogin ? "Log in to Tradeloop" : "Create your Tradeloop account"),
      field("Email", email),
      field("Password", password, isLogin ? undefined : "At least 8 characters."),
      h("button", { type: "submit" }, isLogin ? "Log in" : "Sign up"),
      h(
        "p",
        { class: "switch" },
        isLogin ? "No account yet? " : "Already have an account? ",
        h("button", { type: "button", class: "link", onclick: () => ((mode = isLogin ? "signup" : "login"), draw()) }, isLogin ? "Sign up" : "Log in"),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void submitting(form, async () => {
        const json = { email: value(form, "email"), password: value(form, "password") };
        const session = isLogin ? await call(api.api.auth.login.$post({ json })) : await call(api.api.auth.signup.$post({ json }));
        saveSession(session.user.email);
        onSession();
      });
    });
    replace(root, h("div", { class: "auth-wrap" }, h("p", { class: "brand" }, "Tradeloop"), form));
    email.focus();
  };
  draw();
}
