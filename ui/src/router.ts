/**
 * Hash routing (`#/signals`): the Worker serves one index.html for every
 * path, and a hash keeps deep links working without server rules.
 *
 * @module
 */

/** A view draws into `root` and may return a cleanup (timers, listeners). */
export type View = (root: HTMLElement) => (() => void) | void;

export interface Route {
  path: string;
  label: string;
  view: View;
}

/** The route path of the current hash, e.g. `signals`. */
export function currentPath(): string {
  return location.hash.replace(/^#\/?/, "").split("?")[0] ?? "";
}

export function navigate(path: string): void {
  if (currentPath() === path) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = `#/${path}`;
}
