/**
 * The part of `node:async_hooks` the Worker uses (workerd provides it under
 * `nodejs_compat`). Declared here because the Worker is typed with
 * @cloudflare/workers-types, not Node's types.
 */
declare module "node:async_hooks" {
  /** Carries a value through everything a function awaits. */
  export class AsyncLocalStorage<T> {
    /** Runs `fn` with `store` as the current value. */
    run<R>(store: T, fn: () => R): R;
    /** The current value, if `run` is on the stack. */
    getStore(): T | undefined;
  }
}
