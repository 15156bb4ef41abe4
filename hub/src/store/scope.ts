import { sql } from "drizzle-orm";
import type { Db, Tx } from "./db.ts";

/** The role a hotel-scoped transaction runs as (hub/drizzle/0001_hotel_scope.sql). */
export const HOTEL_SCOPE_ROLE = "logmaster_hotel_scope";

/**
 * Run `work` in one transaction that PostgreSQL confines to one hotel: its
 * chunks, their batches and its agents are all the transaction can read or
 * write (row-level security), and it holds no other privilege. The code
 * already scopes every query by the hotel of the agent's certificate; this
 * makes a mistake there a refused query instead of another hotel's data.
 *
 * @example
 * await inHotelScope(db, identity.hotelId, (tx) => lockChunk(tx, key));
 */
export function inHotelScope<T>(db: Db, hotelId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await tx.execute(
      sql`select set_config('logmaster.hotel_id', ${hotelId}, true), set_config('role', ${HOTEL_SCOPE_ROLE}, true)`,
    );
    return work(tx);
  });
}
