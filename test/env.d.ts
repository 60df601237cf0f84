import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../worker/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** An empty D1 of its own (vitest.config.ts), for migration tests. */
      MIGRATIONS_TEST_DB: D1Database;
    }
    interface GlobalProps {
      mainModule: typeof import("../worker/index");
      durableNamespaces: "SubscriptionQueue" | "PaperLedger" | "ConnectionSession" | "RateLimiter" | "Notifier" | "AccountReconciler";
    }
  }
}
