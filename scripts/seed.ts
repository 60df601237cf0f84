/**
 * Seeds the local demo through the public API (idempotent), then prints how
 * to use it. Run by scripts/start.sh once `wrangler dev` answers.
 *
 *   node scripts/seed.ts http://localhost:8787
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { errorMessage } from "../plugins/sdk/errors.ts";

const base = process.argv[2] ?? "http://localhost:8787";
const DEMO = { email: "demo@tradeloop.local", password: "tradeloop-demo" };
/** Local state (gitignored with .wrangler/): the demo webhook URL, which the API shows only once. */
const STATE_FILE = ".wrangler/tradeloop-demo.json";

interface Named {
  id: string;
  name: string;
}

async function api<T>(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, data: (text ? JSON.parse(text) : null) as T };
}

async function must<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const { status, data } = await api<T>(method, path, token, body);
  if (status >= 300) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(data)}`);
  return data;
}

function readState(): { strategyId?: string; webhookUrl?: string } {
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as { strategyId?: string; webhookUrl?: string };
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  let session = await api<{ token: string }>("POST", "/api/auth/login", null, DEMO);
  if (session.status === 401) session = await api<{ token: string }>("POST", "/api/auth/signup", null, DEMO);
  if (session.status >= 300) throw new Error(`demo login failed: ${JSON.stringify(session.data)}`);
  const token = session.data.token;

  const connections = await must<Named[]>("GET", "/api/connections", token);
  const connection =
    connections.find((c) => c.name === "Demo paper account") ??
    (await must<Named>("POST", "/api/connections", token, { broker: "paper", name: "Demo paper account", settings: { startingCash: 100000 } }));

  const strategies = await must<Named[]>("GET", "/api/strategies", token);
  let strategy = strategies.find((s) => s.name === "Demo strategy");
  let webhookUrl: string | undefined;
  const state = readState();
  if (!strategy) {
    const created = await must<Named & { webhookUrl: string }>("POST", "/api/strategies", token, { name: "Demo strategy", assetClass: "stocks" });
    strategy = created;
    webhookUrl = created.webhookUrl;
  } else if (state.strategyId === strategy.id && state.webhookUrl?.startsWith(base)) {
    webhookUrl = state.webhookUrl;
  } else {
    // The secret is stored only as a hash: the only way to show a URL again is a new secret.
    webhookUrl = (await must<{ webhookUrl: string }>("POST", `/api/strategies/${strategy.id}/rotate-secret`, token)).webhookUrl;
  }
  mkdirSync(".wrangler", { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ strategyId: strategy.id, webhookUrl }, null, 2));

  const subscriptions = await must<{ id: string; strategyId: string; connectionId: string }[]>("GET", "/api/subscriptions", token);
  const subscription =
    subscriptions.find((s) => s.strategyId === strategy.id && s.connectionId === connection.id) ??
    (await must<{ id: string }>("POST", "/api/subscriptions", token, { strategyId: strategy.id, connectionId: connection.id }));

  const curl = `curl -s -X POST '${webhookUrl}' -H 'content-type: application/json' -d '{"ticker":"AAPL","action":"buy","quantity":1,"price":190.25}'`;
  const line = "─".repeat(72);
  console.log(`
${line}
 Tradeloop is running at ${base}

 Dashboard      ${base}/
 OpenAPI        ${base}/api/openapi.json
 Demo login     ${DEMO.email} / ${DEMO.password}
 Strategy       Demo strategy (${strategy.id})
 Subscription   ${subscription.id} → paper connection ${connection.id}
 Webhook URL    ${webhookUrl}

 Send a buy from another terminal:

   ${curl}

 Then look at it (use the "id" from the reply):

   TOKEN=$(curl -s -X POST ${base}/api/auth/login -H 'content-type: application/json' \\
     -d '{"email":"${DEMO.email}","password":"${DEMO.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
   curl -s ${base}/api/signals/<id> -H "authorization: Bearer $TOKEN"
   curl -s ${base}/api/connections/${connection.id}/positions -H "authorization: Bearer $TOKEN"
${line}
`);
}

main().catch((err: unknown) => {
  console.error(`seed: ${errorMessage(err)}`);
  process.exit(1);
});
