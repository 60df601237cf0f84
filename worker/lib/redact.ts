/**
 * URLs as they may appear in a log line. A webhook URL's last segment is its
 * secret (`/webhook/<strategyId>/<secret>`), so any code that logs a request
 * path goes through {@link loggablePath}.
 *
 * @module
 */

const WEBHOOK_WITH_SECRET = /^(\/webhook\/[^/]*)\/[^/]+/;

/** The path with a webhook secret replaced by `[secret]`; other paths unchanged. The query is dropped. */
export function loggablePath(urlOrPath: string): string {
  let path = urlOrPath;
  try {
    path = new URL(urlOrPath, "http://x").pathname;
  } catch {
    // keep as given
  }
  return path.replace(WEBHOOK_WITH_SECRET, "$1/[secret]");
}
