/**
 * Mounts one dashboard component at a time for the component tests
 * (ui/test/components.test.ts), with the real stylesheet and the props a
 * test passes. Built by global-setup.ts into a temp directory and served
 * by the test itself; never part of the dashboard build.
 */
import "../../src/style.css";
import { render } from "hono/jsx/dom";
import { MessageBuilder } from "../../src/components/message-builder";
import { GROUPS } from "../../src/settings/model";
import { SettingsForm } from "../../src/settings/settings-form";
import type { AlertTemplate, SubscriptionSettings } from "../../src/types";
import { ApiTokensSection, MAX_TOKEN_NAME } from "../../src/views/settings/api-tokens";
import { PASSWORD_LIMITS, SecuritySection } from "../../src/views/settings/security";

/** What the tests pass (their side is ui/test/support/harness-window.d.ts). */
interface Harness {
  mountBuilder(templates: AlertTemplate[]): void;
  mountSettings(props: { schema: unknown; initial: SubscriptionSettings; mode: "create" | "edit"; failWith?: { status: number; body: unknown } }): void;
  /** What the settings form's `onSave` received, in order. */
  saved: Record<string, unknown>[];
  /** Every setting the form offers. */
  settingKeys: string[];
  /** Settings → API tokens and Security, against the real API with the page's session cookie. */
  mountAccountSettings(): void;
  /** The client-side limits the account forms enforce, to compare with the server's. */
  accountLimits: { tokenName: number; passwordMin: number; passwordMax: number };
}
const harness = window as unknown as Harness;

const root = document.getElementById("root") as HTMLElement;
harness.saved = [];
harness.settingKeys = GROUPS.flatMap((g) => g.fields.map((f) => f.key));
harness.accountLimits = { tokenName: MAX_TOKEN_NAME, passwordMin: PASSWORD_LIMITS.min, passwordMax: PASSWORD_LIMITS.max };

harness.mountAccountSettings = () => {
  render(
    <>
      <ApiTokensSection />
      <SecuritySection />
    </>,
    root,
  );
};

harness.mountBuilder = (templates) => {
  render(<MessageBuilder templates={templates} idPrefix="mb" webhookUrlHint="https://example.test/webhook/id/<secret>" />, root);
};

harness.mountSettings = ({ schema, initial, mode, failWith }) => {
  render(
    <SettingsForm
      schema={schema}
      initial={initial}
      mode={mode}
      submitLabel="Save"
      onSave={async (settings) => {
        harness.saved.push(settings);
        if (failWith) {
          // The form's API failure path: the same ApiError the typed client throws.
          const { ApiError } = await import("../../src/api");
          const e = (failWith.body as { error: { messageCode: string; message: string; field?: string } }).error;
          throw new ApiError(failWith.status, e.messageCode, e.message, e.field);
        }
      }}
    />,
    root,
  );
};
