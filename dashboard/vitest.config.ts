/**
 * Component tests: Vitest on Node (`bun run test` in this package, never
 * `bun --bun`), Solid's browser build in happy-dom. Only `*.test.tsx` under
 * src/ — the repository's `bun test` skips dashboard/ (bunfig.toml).
 */
import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [solid()],
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    // The router ships Solid JSX (dist/index.jsx): compile it like our own files.
    server: { deps: { inline: [/@solidjs\/router/] } },
  },
});
