/**
 * "Add connection": pick a broker, fill the form generated from its schemas,
 * connect. The API verifies the credentials before storing anything, so a
 * refused key comes back as the same one-sentence answer the test endpoint
 * gives; a stored connection is then tested and the result shown.
 *
 * @module
 */
import { ApiError, api, call } from "../api";
import { testConnection } from "../connection-test";
import { h, replace } from "../dom";
import { field, submitting, value } from "../forms";
import { type BrokerFields, brokerFields } from "../schema-form";
import type { Broker, Connection } from "../types";
import { outcome } from "../widgets";

/** Builds the form; `onCreated` refreshes the list. */
export function connectionForm(brokers: Broker[], onCreated: (c: Connection) => Promise<void>): HTMLFormElement {
  const brokerSelect = h("select", { name: "broker" }, brokers.map((b) => h("option", { value: b.id }, b.displayName)));
  const name = h("input", { name: "name", required: true, "aria-required": "true", autocomplete: "off" });
  const generated = h("div");
  const result = h("div", { class: "result" });
  let fields: BrokerFields | null = null;
  let nameTouched = false;
  name.addEventListener("input", () => (nameTouched = true));

  const pick = (): void => {
    const broker = brokers.find((b) => b.id === brokerSelect.value);
    if (!broker) return;
    fields = brokerFields(broker);
    replace(generated, fields.element);
    replace(result);
    if (!nameTouched) name.value = broker.id === "paper" ? "Paper account" : `${broker.displayName} account`;
  };
  brokerSelect.addEventListener("change", pick);

  const form = h(
    "form",
    { class: "card form-grid connection-form", novalidate: true, "aria-labelledby": "add-connection" },
    h("h2", { id: "add-connection" }, "Add connection"),
    field("Broker", brokerSelect),
    field("Name", name, "How this connection appears in Tradeloop."),
    generated,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Connect")),
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const broker = brokers.find((b) => b.id === brokerSelect.value);
    if (!broker || !fields) return;
    replace(result, outcome("info", `Checking with ${broker.displayName}…`));
    void submitting(form, async () => {
      const { settings, credentials } = fields?.read() ?? { settings: {} };
      let created: Connection;
      try {
        created = await call(api.api.connections.$post({ json: { broker: broker.id, name: value(form, "name"), settings, ...(credentials && { credentials }) } }));
      } catch (e) {
        replace(result);
        // A field error goes next to its field; the broker's verdict on the keys (no field) is the form's result.
        if (e instanceof ApiError && !e.field) {
          replace(result, outcome("bad", e.message));
          return;
        }
        throw e;
      }
      const test = await testConnection(created.id, broker.displayName);
      replace(result, outcome(test.ok === false ? "bad" : "good", test.ok === null ? `Connected “${created.name}”. ${test.sentence}` : test.sentence));
      // Keys are not kept in the page longer than needed.
      for (const input of form.querySelectorAll<HTMLInputElement>('input[type="password"]')) input.value = "";
      await onCreated(created);
    });
  });
  pick();
  return form;
}

