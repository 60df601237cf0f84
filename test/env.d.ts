import type { D1Migration } from "cloudflare:test";

// The Worker's own bindings come from `wrangler types` (worker/worker-configuration.d.ts);
// the tests add the migrations that vitest.config.ts passes in.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** An empty D1 of its own (vitest.config.ts), for migration tests. */
      MIGRATIONS_TEST_DB: D1Database;
    }
  }
}
