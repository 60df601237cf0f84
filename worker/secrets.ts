/**
 * The Worker's secrets: the one list `npm run deploy` generates and uploads
 * (`wrangler secret put`), docs/deploy.md documents (a test holds the two
 * together), and the logger keeps out of every log line.
 *
 * Why here, with no imports: the deploy script runs in Node and imports this
 * file directly, so it must not pull in Worker-only modules. The Worker reads
 * the values from its env (worker/env.ts validates them).
 *
 * A secret is generated only when missing: re-running deploy never replaces
 * one (a new JWT_SECRET would sign everyone out; a new VAULT_KEYS would make
 * every stored broker credential unreadable). Rotation is a deliberate act,
 * described in docs/deploy.md.
 *
 * @module
 */

/** One Worker secret and how a fresh deployment gets its value. */
export interface WorkerSecret {
  /** The binding name (`env.<name>`). */
  readonly name: string;
  /** What it protects, in one sentence (printed by deploy, shown in the docs). */
  readonly purpose: string;
  /** A fresh random value in the format the Worker expects. */
  generate(): string;
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** URL-safe base64 without padding: safe in a link's fragment. */
function base64Url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Every secret the deployed Worker needs, in the order deploy uploads them. */
export const WORKER_SECRETS: readonly WorkerSecret[] = [
  {
    name: "JWT_SECRET",
    purpose: "signs session tokens (the dashboard's cookie and API bearer tokens)",
    generate: () => base64(randomBytes(48)),
  },
  {
    name: "VAULT_KEYS",
    purpose: "seals broker credentials at rest (`kid:base64 key` list; the first key seals, every listed key opens)",
    generate: () => `k1:${base64(randomBytes(32))}`,
  },
  {
    name: "PASSWORD_PEPPER",
    purpose: "a server-side key mixed into every password hash, so a copy of the database alone cannot be brute-forced",
    generate: () => base64(randomBytes(32)),
  },
  {
    name: "SETUP_TOKEN",
    purpose: "lets the first person who opens the setup link create the owner account; useless once an owner exists",
    generate: () => base64Url(randomBytes(32)),
  },
];

/** The secret names, for checks and logs. */
export const WORKER_SECRET_NAMES: readonly string[] = WORKER_SECRETS.map((s) => s.name);

/** The secret that goes into the one-time setup link. */
export const SETUP_TOKEN_SECRET = "SETUP_TOKEN";
