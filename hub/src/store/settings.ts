import { eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { settings } from "./schema.ts";

/**
 * The chain id, fixed by the first start: certificates already carry it, so a
 * later start with a different `--chain-id` is refused rather than followed.
 *
 * @example
 * const chainId = await ensureChainId(db, "default");
 */
export async function ensureChainId(db: Db, wanted: string): Promise<string> {
  await db.insert(settings).values({ key: "chain_id", value: wanted }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, "chain_id"));
  if (!row) throw new Error("settings.chain_id missing after insert");
  if (row.value !== wanted) {
    throw new Error(
      `--chain-id "${wanted}" differs from the chain id "${row.value}" this database was set up with`,
    );
  }
  return row.value;
}

/** The chain id stored at first start, if any. */
export async function readChainId(db: Db): Promise<string | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, "chain_id"));
  return row?.value;
}
