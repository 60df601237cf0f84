/**
 * The session token, kept in localStorage so a reload stays logged in. The
 * API answers 401 when it expires; the app then forgets it and shows the
 * log-in screen.
 *
 * @module
 */
const TOKEN_KEY = "tradeloop.token";
const EMAIL_KEY = "tradeloop.email";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function getEmail(): string | null {
  return localStorage.getItem(EMAIL_KEY);
}

export function saveSession(token: string, email: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(EMAIL_KEY, email);
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(EMAIL_KEY);
}
