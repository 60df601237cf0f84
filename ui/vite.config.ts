import { defineConfig } from "vite";

/** The dashboard builds into ui/dist, which wrangler serves as static assets. */
export default defineConfig({
  root: "ui",
  build: { outDir: "dist", emptyOutDir: true },
});
