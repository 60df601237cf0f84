/**
 * User rows: lookup and creation, including the sign-up policy.
 *
 * @module
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";

/** A user as the API may show it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
}

/**
 * Whether anyone may sign up: `SIGNUP_OPEN` is exactly "true". When it is
 * not, only the first user of a fresh deployment can (see {@link insertUser}).
 */
export function isSignupOpen(signupOpen: string | undefined): boolean {
  return signupOpen === "true";
}

/** Result of {@link insertUser}. */
export type InsertUserResult = "created" | "email-taken" | "signup-closed";

/**
 * Inserts a user. With `onlyIfFirst`, the insert succeeds only while the
 * table is empty, decided inside a single SQL statement: two people racing to
 * claim a fresh deployment cannot both become its first user (a check in
 * JavaScript followed by an insert could let both through).
 */
export async function insertUser(
  d1: D1Database,
  user: { id: string; email: string; passwordHash: string; createdAt: number },
  options: { onlyIfFirst: boolean },
): Promise<InsertUserResult> {
  const sql = options.onlyIfFirst
    ? "INSERT INTO users (id, email, password_hash, created_at) SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM users)"
    : "INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
  try {
    const result = await d1.prepare(sql).bind(user.id, user.email, user.passwordHash, user.createdAt).run();
    return result.meta.changes === 1 ? "created" : "signup-closed";
  } catch (e) {
    // The unique index on email is the source of truth for duplicates (a
    // select-then-insert would race); D1 reports it as a constraint failure.
    if (e instanceof Error && /UNIQUE constraint failed: users\.email/.test(e.message)) return "email-taken";
    throw e;
  }
}

/** Whether the deployment has any user yet (the first sign-up is its owner's). */
export async function anyUserExists(d1: D1Database): Promise<boolean> {
  return (await d1.prepare("SELECT 1 AS one FROM users LIMIT 1").first()) !== null;
}

/** Replaces a user's password hash. */
export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

/** Looks a user up by (already lower-cased) email. */
export async function findUserByEmail(db: Db, email: string) {
  return db.select().from(users).where(eq(users.email, email)).get();
}

/** Looks a user up by id, without the password hash. */
export async function findPublicUser(db: Db, id: string): Promise<PublicUser | undefined> {
  return db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, id)).get();
}
