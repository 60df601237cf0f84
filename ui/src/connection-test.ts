/**
 * Runs `POST /api/connections/:id/test` and turns its answer into one
 * sentence for the user. A Worker without the endpoint (404 from the router)
 * is not an error of the connection, so it is said plainly instead.
 *
 * @module
 */
import { ApiError, api, call } from "./api";
import { errorMessage } from "../../plugins/sdk/errors";

export interface TestOutcome {
  ok: boolean | null;
  sentence: string;
}

export async function testConnection(id: string, brokerName: string): Promise<TestOutcome> {
  try {
    const result = await call(api.api.connections[":id"].test.$post({ param: { id } }));
    if (!result.ok) return { ok: false, sentence: result.message };
    const accounts = result.accounts.map((a) => a.name).join(", ");
    const count = result.accounts.length;
    return { ok: true, sentence: `${brokerName} accepted the connection and reports ${count} account${count === 1 ? "" : "s"}${count ? `: ${accounts}` : ""}.` };
  } catch (e) {
    // "No API route matches": this Tradeloop predates the test endpoint; the connection itself may be fine.
    if (e instanceof ApiError && e.status === 404 && e.code === "not-found" && e.message.startsWith("No API route")) {
      return { ok: null, sentence: "This Tradeloop cannot test connections yet; update it to check this connection." };
    }
    return { ok: false, sentence: errorMessage(e) };
  }
}
