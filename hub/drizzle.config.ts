import { defineConfig } from "drizzle-kit";

/** `bunx drizzle-kit generate --config hub/drizzle.config.ts` regenerates hub/drizzle/. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./hub/src/store/schema.ts",
  out: "./hub/drizzle",
});
