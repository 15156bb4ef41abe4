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

/**
 * What the database said when it refused `work` (drizzle wraps the driver's
 * error as `cause`); throws when it did not refuse.
 *
 * @example
 * expect(await refusal(tx.insert(users).values(row))).toContain("row-level security");
 */
export async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? String(error);
  }
  throw new Error("the database did not refuse");
}
