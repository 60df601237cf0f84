/**
 * Who is logged in, as far as the dashboard knows. The session itself lives
 * in HttpOnly cookies the Worker sets at log-in (no token is ever visible to
 * this code or kept in localStorage); `GET /api/auth/me` tells whether it is
 * alive, and a 401 from any call means it ended.
 *
 * @module
 */
let email: string | null = null;

/** The logged-in user's email, or null when logged out (or not known yet). */
export function getEmail(): string | null {
  return email;
}

/** True once log-in, sign-up or `/api/auth/me` confirmed a session. */
export function hasSession(): boolean {
  return email !== null;
}

/** Remembers the logged-in user (in memory only). */
export function saveSession(userEmail: string): void {
  email = userEmail;
}

/** Forgets the user (after log-out or a 401). */
export function clearSession(): void {
  email = null;
}
