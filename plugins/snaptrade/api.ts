/**
 * One signed SnapTrade call, shared by the client and the portal hooks.
 * Every request carries the operator's `clientId` and a `timestamp` in the
 * query, then the user's `userId` and `userSecret` when it acts for a user,
 * and the `Signature` header (signing.ts) over exactly that query.
 *
 * @module
 */
import type { z } from "zod";
import { BrokerError, jsonCaller, mapVenueError, type PluginFetch, type VenueAnswer, type VenueRequest } from "../sdk";
import { SNAPTRADE_ERROR_TABLE } from "./errors";
import { snaptradeSignature } from "./signing";

/** What a call needs of its surroundings (a plugin context or a portal context). */
export interface SnapTradeEnv {
  baseUrl: string;
  fetch: PluginFetch;
  now: () => Date;
  partner?: Readonly<Record<string, string>>;
}

/** A SnapTrade user (from `registerUser`). Secret: never logged. */
export interface SnapTradeUser {
  userId: string;
  userSecret: string;
}

/** One request; `path` is below the base URL (`/accounts`), `query` the endpoint's own parameters. */
export interface SnapTradeRequest extends VenueRequest {
  path: string;
  query?: Readonly<Record<string, string>>;
  body?: unknown;
  /** Acts for a user: `userId` and `userSecret` join the query. */
  user?: SnapTradeUser;
}

/** The partner keys, or a clear refusal naming the Worker secrets. */
function partnerKeys(env: SnapTradeEnv): { clientId: string; consumerKey: string } {
  const clientId = env.partner?.clientId;
  const consumerKey = env.partner?.consumerKey;
  if (!clientId || !consumerKey) {
    throw new BrokerError("This Tradeloop has no SnapTrade partner keys: the operator sets SNAPTRADE_CLIENT_ID and SNAPTRADE_CONSUMER_KEY.", { code: "partner-not-configured", kind: "auth-expired" });
  }
  return { clientId, consumerKey };
}

/** The venue's message of an error body (`detail`, sometimes `message`). */
function messageOf(answer: VenueAnswer): { message: string | null; code: string | null } {
  const body = answer.body;
  if (typeof body === "string") return { message: body.slice(0, 300) || null, code: null };
  if (typeof body !== "object" || body === null) return { message: null, code: null };
  const b = body as { detail?: unknown; message?: unknown; code?: unknown };
  const message = typeof b.detail === "string" ? b.detail : typeof b.message === "string" ? b.message : null;
  return { message, code: typeof b.code === "string" || typeof b.code === "number" ? String(b.code) : null };
}

/** A signed JSON caller for one environment. */
export function snaptradeApi(env: SnapTradeEnv) {
  const basePath = new URL(env.baseUrl).pathname.replace(/\/$/, "");
  const caller = jsonCaller<SnapTradeRequest>({
    venue: "SnapTrade",
    fetch: env.fetch,
    async sign(r) {
      const { clientId, consumerKey } = partnerKeys(env);
      const query = new URLSearchParams({ clientId, timestamp: String(Math.floor(env.now().getTime() / 1000)) });
      if (r.user) {
        query.append("userId", r.user.userId);
        query.append("userSecret", r.user.userSecret);
      }
      for (const [k, v] of Object.entries(r.query ?? {})) query.append(k, v);
      const queryString = query.toString();
      const body = r.body === undefined ? undefined : JSON.stringify(r.body);
      const signature = await snaptradeSignature(consumerKey, `${basePath}${r.path}`, queryString, r.body ?? null);
      const headers: Record<string, string> = { accept: "application/json", Signature: signature, ...(body !== undefined && { "content-type": "application/json" }) };
      return new Request(`${env.baseUrl.replace(/\/$/, "")}${r.path}?${queryString}`, { method: r.method, headers, ...(body !== undefined && { body }) });
    },
    error(answer, r) {
      const { message, code } = messageOf(answer);
      return mapVenueError(SNAPTRADE_ERROR_TABLE, { status: answer.status, code, message, body: answer.body, headers: answer.headers, placingOrder: r.placingOrder === true, now: env.now() });
    },
  });
  return {
    call: <S extends z.ZodType>(request: SnapTradeRequest, schema: S): Promise<z.output<S>> => caller.call(request, schema),
    send: (request: SnapTradeRequest): Promise<VenueAnswer> => caller.send(request),
  };
}
