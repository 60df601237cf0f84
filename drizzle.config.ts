import { defineConfig } from "drizzle-kit";

/** drizzle-kit generates the D1 migrations in migrations/ from the schema. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
