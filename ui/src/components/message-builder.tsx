/**
 * The alert message builder: pick the sender, set the options, copy the
 * message. Takes the strategy's templates as props (no API calls), so its
 * component test mounts it alone.
 *
 * @module
 */
import { useState } from "hono/jsx/dom";
import { buildMessage, type BuilderOptions, DEFAULT_OPTIONS, optionErrors, takesQuantity } from "../message-builder";
import type { AlertTemplate } from "../types";
import { CopyButton, Field, controlProps } from "./ui";

/** The builder for one strategy; `idPrefix` keeps field ids unique when several are on a page. */
export function MessageBuilder({ templates, idPrefix, webhookUrlHint }: { templates: AlertTemplate[]; idPrefix: string; webhookUrlHint: string }) {
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? "");
  const [options, setOptions] = useState<BuilderOptions>(DEFAULT_OPTIONS);
  const template = templates.find((t) => t.id === templateId) ?? templates[0];
  if (!template) return <p class="muted">No templates.</p>;
  const withQuantity = takesQuantity(template);
  // A quantity the template cannot take is not an error of the message.
  const errors = optionErrors(withQuantity ? options : { ...options, quantity: "" });
  const isJson = template.kind === "json";
  const message = Object.keys(errors).length === 0 ? buildMessage(template, options) : null;
  const set = (patch: Partial<BuilderOptions>): void => setOptions({ ...options, ...patch });
  const id = (name: string): string => `${idPrefix}-${name}`;
  const text = (name: "quantity" | "takeProfitPercent" | "stopLossPercent", label: string, help: string) => (
    <Field name={id(name)} label={label} help={help} error={errors[name]}>
      <input {...controlProps(id(name), errors[name], true)} type="number" step="any" min="0" inputMode="decimal" value={options[name]} onInput={(e: Event) => set({ [name]: (e.target as HTMLInputElement).value })} />
    </Field>
  );
  return (
    <div class="builder" data-builder={idPrefix}>
      <div class="form-grid">
        <Field name={id("sender")} label="Sender" help={template.instructions}>
          <select {...controlProps(id("sender"), undefined, true)} value={template.id} onChange={(e: Event) => setTemplateId((e.target as HTMLSelectElement).value)}>
            {templates.map((t) => (
              <option value={t.id}>{t.title}</option>
            ))}
          </select>
        </Field>
        {isJson ? (
          <>
            {withQuantity ? text("quantity", "Quantity", "Empty: the sender's own quantity, or the subscription's sizing.") : <p class="help">This alert sends the strategy's position (targetPosition): the account trades the difference, scaled by its subscription, so it takes no fixed quantity.</p>}
            <Field name={id("orderType")} label="Order type">
              <select {...controlProps(id("orderType"), undefined)} value={options.orderType} onChange={(e: Event) => set({ orderType: (e.target as HTMLSelectElement).value === "limit" ? "limit" : "market" })}>
                <option value="market">Market</option>
                <option value="limit">Limit at the alert's price</option>
              </select>
            </Field>
            {text("takeProfitPercent", "Take profit (%)", "Empty: none, or the subscription's default.")}
            {text("stopLossPercent", "Stop loss (%)", "Below 100. Empty: none, or the subscription's default.")}
            <Field name={id("alertId")} label="Protect against repeated deliveries" help="Keeps alertId, so a retried alert never trades twice." check>
              <input {...controlProps(id("alertId"), undefined, true)} type="checkbox" checked={options.alertId} onChange={(e: Event) => set({ alertId: (e.target as HTMLInputElement).checked })} />
            </Field>
          </>
        ) : null}
      </div>
      <p class="help">
        Paste it with your webhook URL (<code>{webhookUrlHint}</code>, shown in full when you created the strategy or rotated its secret).
      </p>
      {message === null ? (
        <p class="muted">Fix the options above to see the message.</p>
      ) : (
        <>
          <pre class="message" data-message>
            <code>{message}</code>
          </pre>
          <CopyButton text={message} label={isJson ? "Copy message" : "Copy code"} />
        </>
      )}
    </div>
  );
}
