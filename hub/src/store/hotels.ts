import { asc, eq, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "./db.ts";
import { hotels } from "./schema.ts";

export type Hotel = typeof hotels.$inferSelect;

/** A hotel id: it goes into certificates, URNs and archive paths, so it stays a slug. */
export const hotelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "hotel id must match [a-z0-9][a-z0-9-]{0,62}");

/** The slug a hotel name suggests: "Grand Hotel Ölüdeniz" -> "grand-hotel-oludeniz". */
export function slugFromName(name: string): string {
  return name
    .toLocaleLowerCase("tr")
    .replace(/ı/g, "i")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

export class HotelExistsError extends Error {
  override readonly name = "HotelExistsError";
}

/**
 * Register a hotel. The id defaults to the slug of the name.
 *
 * @example
 * await addHotel(db, { name: "Grand Hotel Ölüdeniz" }); // id "grand-hotel-oludeniz"
 */
export async function addHotel(db: Db, input: { name: string; id?: string }): Promise<Hotel> {
  const name = z.string().trim().min(1, "hotel name must not be empty").parse(input.name);
  const id = hotelIdSchema.parse(input.id ?? slugFromName(name));
  const [row] = await db.insert(hotels).values({ id, name }).onConflictDoNothing().returning();
  if (!row) throw new HotelExistsError(`a hotel with id "${id}" or name "${name}" already exists`);
  return row;
}

export async function listHotels(db: Db): Promise<Hotel[]> {
  return db.select().from(hotels).orderBy(asc(hotels.id));
}

/** A hotel by id or by exact name (what an admin types after `--hotel`). */
export async function findHotel(db: Db, idOrName: string): Promise<Hotel | undefined> {
  const [row] = await db
    .select()
    .from(hotels)
    .where(or(eq(hotels.id, idOrName), eq(hotels.name, idOrName)));
  return row;
}
