/**
 * The dashboard's build: Solid's JSX compiled by vite-plugin-solid, hashed
 * files under dist/assets (the hub caches them for a year), pages split into
 * lazy chunks. `bun run dev` proxies /api to a hub on 127.0.0.1:8080.
 */
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  plugins: [solid()],
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // The hub's CSP has no 'unsafe-inline' for scripts: never inline a module.
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
