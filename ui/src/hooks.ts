/**
 * The dashboard's data hooks. `usePoll` is the one way a view loads and
 * refreshes data: it runs the loader at mount, again every `intervalMs`
 * while the tab is visible (and at once when it becomes visible), never two
 * at a time, and never after the view is gone; a failed refresh keeps the
 * last good data next to the error, so a network blip does not blank a page.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "hono/jsx/dom";

/** What a loading view renders from. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first load settles. */
  loading: boolean;
  /** Loads again now (after a change the user made); resolves when done. */
  reload: () => Promise<void>;
}

/**
 * Loads with `load()` at mount and whenever `deps` change, then every
 * `intervalMs` (0 = never again) while the page is visible.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const alive = useRef(true);
  const running = useRef<Promise<void> | null>(null);
  const loader = useRef(load);
  loader.current = load;

  const run = useCallback((): Promise<void> => {
    // One request at a time: a slow answer is not overtaken by a later, older-looking one.
    if (running.current) return running.current;
    const p = loader
      .current()
      .then(
        (data) => {
          if (alive.current) setState({ data, error: null, loading: false });
        },
        (error: unknown) => {
          if (alive.current) setState((s) => ({ data: s.data, error, loading: false }));
        },
      )
      .finally(() => {
        running.current = null;
      });
    running.current = p;
    return p;
  }, []);

  useEffect(() => {
    alive.current = true;
    setState((s) => ({ ...s, loading: s.data === undefined }));
    void run();
    if (intervalMs <= 0) {
      return () => {
        alive.current = false;
      };
    }
    const timer = setInterval(() => {
      if (!document.hidden) void run();
    }, intervalMs);
    const onVisible = (): void => {
      if (!document.hidden) void run();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      alive.current = false;
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, deps);

  return { ...state, reload: run };
}

/** The current hash route: `#/subscriptions/abc?x=1` → path `subscriptions`, rest `["abc"]`, query. */
export interface Route {
  path: string;
  rest: string[];
  query: URLSearchParams;
}

/** Reads a hash into a {@link Route}. */
export function parseHash(hash: string): Route {
  const [pathPart = "", queryPart = ""] = hash.replace(/^#\/?/, "").split("?");
  const [path = "", ...rest] = pathPart.split("/").filter(Boolean);
  return { path, rest: rest.map(decodeURIComponent), query: new URLSearchParams(queryPart) };
}

/** The route of `location.hash`, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Goes to a route (`navigate("signals")`). */
export function navigate(path: string): void {
  location.hash = `#/${path}`;
}

/** Seconds left until `iso`, ticking once a second; null without a deadline. */
export function useCountdown(iso: string | null): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!iso) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [iso]);
  return iso ? Math.max(0, Math.round((Date.parse(iso) - now) / 1000)) : null;
}

const APPROVALS_CHANGED = "tradeloop:approvals-changed";

/** Tells the navigation's pending count that a trade was approved or rejected. */
export function notifyApprovalsChanged(): void {
  window.dispatchEvent(new Event(APPROVALS_CHANGED));
}

/** Runs `handler` whenever {@link notifyApprovalsChanged} is called. */
export function useApprovalsChanged(handler: () => void): void {
  useEffect(() => {
    window.addEventListener(APPROVALS_CHANGED, handler);
    return () => window.removeEventListener(APPROVALS_CHANGED, handler);
  }, [handler]);
}
