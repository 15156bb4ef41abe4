import postgres from "postgres";

/**
 * A fresh, empty PostgreSQL database on the server of `DATABASE_URL`, so test
 * files running side by side never see each other's rows. Tests only.
 *
 * @example
 * const scratch = await createScratchDatabase();
 * const store = await openStore({ kind: "postgres", url: scratch.url });
 * // ... afterAll: await store.close(); await scratch.drop();
 */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error("DATABASE_URL is not set: run tests with `bun run test`");
  const name = `hub_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
