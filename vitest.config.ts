import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Three projects, one `vitest run`:
 *
 * - `workerd`: the Worker, plugins and cross-cutting tests run inside workerd
 *   with the real wrangler.toml bindings: real D1 (migrated by
 *   test/apply-migrations.ts) and real Durable Objects.
 * - `ui`: the dashboard in a real Chromium (playwright-core, the system
 *   browser), driven from Node against `wrangler dev` on a random port with
 *   fresh state (ui/test/global-setup.ts builds the dashboard and starts it).
 * - `scripts`: the deploy script in Node, against a fake `wrangler` on PATH.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // The Worker writes one access line per request (worker/lib/request-log.ts); thousands of
      // them would bury a failing test's own output. Everything else still prints.
      onConsoleLog: (line: string) => !line.startsWith('{"level":"info","msg":"request"'),
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // A second, empty D1 for tests that apply the migrations step by step
                // (test/db/migrations.test.ts); the Worker never sees it.
                d1Databases: { MIGRATIONS_TEST_DB: "migrations-test" },
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // Tests run as local development: the development-only switches below work only with it (worker/lib/environment.ts).
                  ENVIRONMENT: "development",
                  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
                  VAULT_KEYS: "test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                  // HMAC key of every password hash (worker/auth/password.ts), and the first sign-up's setup token.
                  PASSWORD_PEPPER: "test-password-pepper-0123456789abcdef0123456789",
                  SETUP_TOKEN: "test-setup-token-0123456789abcdef",
                  SIGNUP_OPEN: "true",
                  // The OAuth apps of the TradeStation and Schwab fakes (plugins/testkit KIT_OAUTH_CLIENT). Alpaca's and
                  // Tradovate's are left unconfigured on purpose, so the missing-secrets answer is tested too.
                  TRADESTATION_CLIENT_ID: "kit-oauth-client-id",
                  TRADESTATION_CLIENT_SECRET: "kit-oauth-client-secret-0123456789",
                  SCHWAB_CLIENT_ID: "kit-oauth-client-id",
                  SCHWAB_CLIENT_SECRET: "kit-oauth-client-secret-0123456789",
                  // Lets a connection's `settings.faults` wrap its broker fetch (worker/connections/fault-injection.ts). Tests only.
                  ALLOW_FAULT_INJECTION: "true",
                  // Development-only: connections may send to a plain-http broker on loopback (worker/connections/base-url.ts).
                  ALLOW_HTTP_LOOPBACK: "true",
                  // Knobs for longer local runs of the fault, model and fuzz suites (CI leaves them empty).
                  BENCH_FULL: process.env.BENCH_FULL ?? "",
                  FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
                },
              },
            }),
          ],
          test: {
            name: "workerd",
            setupFiles: ["./test/apply-migrations.ts"],
            include: ["worker/**/*.test.ts", "plugins/**/*.test.ts", "test/**/*.test.ts", "pages/**/*.test.ts"],
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        {
          test: {
            // `npm run deploy` against a fake wrangler on PATH (scripts/deploy/testing/fake-wrangler.mjs).
            name: "scripts",
            environment: "node",
            include: ["scripts/**/*.test.ts"],
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          test: {
            name: "ui",
            environment: "node",
            include: ["ui/test/**/*.test.ts"],
            globalSetup: ["./ui/test/global-setup.ts"],
            // One browser and one Worker for the whole file: its tests share them, in order.
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
            // The CI box is shared: give the page time to catch up with the Worker before failing.
            expect: { poll: { timeout: 15_000 } },
          },
        },
      ],
    },
  };
});
