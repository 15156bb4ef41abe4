/**
 * The caller's hotels and what the hub holds of them: the hotels with a
 * count of their agents, the agents with their status, the chunks with their
 * verdicts. Every read runs as the read role of the caller's scope
 * (row-level security on hotels, agents and chunks) and carries the code's
 * hotel condition too; another hotel's row is simply not there.
 */
import { and, asc, desc, eq, gte, lt, or, sql } from "drizzle-orm";
import { type Agent, type ChunkRow, type Db, type Hotel, tables } from "../store/index.ts";
import {
  hotelCondition,
  inReadRole,
  narrowScope,
  type ReadScope,
  readScope,
  ScopeError,
} from "./scope.ts";

const DAY_MS = 86_400_000;

/**
 * A hotel by id or exact name, when it is in `scope` (every hotel without a
 * scope: hub-wide work). Run it inside {@link inReadRole} for a caller.
 *
 * @example
 * const hotel = await findHotelIn(tx, "grand", scope);
 */
export async function findHotelIn(
  db: Db,
  idOrName: string,
  scope: ReadScope | undefined,
): Promise<Hotel | undefined> {
  const { hotels } = tables;
  const [row] = await db
    .select()
    .from(hotels)
    .where(
      and(or(eq(hotels.id, idOrName), eq(hotels.name, idOrName)), hotelCondition(hotels.id, scope)),
    );
  return row;
}

/** The answer for a hotel that is not there or not the caller's: the same 404 either way. */
export const hotelNotInScope = (idOrName: string) =>
  new ScopeError(`no hotel with id or name "${idOrName}" in your scope`);

/**
 * @example
 * const hotel = await hotelInScope(db, scope, "grand"); // or a 404 ScopeError
 */
export async function hotelInScope(db: Db, scope: ReadScope, idOrName: string): Promise<Hotel> {
  const hotel = await inReadRole(db, scope, (tx) => findHotelIn(tx, idOrName, scope));
  if (!hotel) throw hotelNotInScope(idOrName);
  return hotel;
}

/** A hotel of the caller's overview: the row and how many agents it has enrolled (not revoked). */
export interface HotelWithAgents {
  hotel: Hotel;
  agents: number;
}

/**
 * The caller's hotels, by id, each with its count of enrolled agents.
 *
 * @example
 * const overview = await hotelsInScope(db, scope); // [{ hotel, agents: 2 }]
 */
export async function hotelsInScope(db: Db, scope: ReadScope): Promise<HotelWithAgents[]> {
  const { hotels, agents } = tables;
  const rows = await inReadRole(db, scope, (tx) =>
    tx
      .select({
        hotel: hotels,
        agents: sql<number>`count(${agents.id}) filter (where ${agents.revokedAt} is null)::int`,
      })
      .from(hotels)
      .leftJoin(agents, eq(agents.hotelId, hotels.id))
      .where(hotelCondition(hotels.id, scope))
      .groupBy(hotels.id)
      .orderBy(asc(hotels.id)),
  );
  return rows.map((row) => ({ hotel: row.hotel, agents: Number(row.agents) }));
}

/**
 * The agents of the caller's hotels (narrowed to `hotel`), by hotel and id.
 *
 * @example
 * const agents = await agentsInScope(db, scope, { hotel: "grand" });
 */
export async function agentsInScope(
  db: Db,
  scope: ReadScope,
  filter: { hotel?: string | undefined } = {},
): Promise<Agent[]> {
  const { agents } = tables;
  const narrowed = filter.hotel ? narrowTo(scope, filter.hotel) : scope;
  return inReadRole(db, scope, (tx) =>
    tx
      .select()
      .from(agents)
      .where(hotelCondition(agents.hotelId, narrowed))
      .orderBy(asc(agents.hotelId), asc(agents.id)),
  );
}

/**
 * One agent of the caller's hotels; another hotel's agent and an unknown id
 * are the same 404.
 *
 * @example
 * const agent = await agentInScope(db, scope, "grand-abcd2345");
 */
export async function agentInScope(db: Db, scope: ReadScope, agentId: string): Promise<Agent> {
  const { agents } = tables;
  const [agent] = await inReadRole(db, scope, (tx) =>
    tx
      .select()
      .from(agents)
      .where(and(eq(agents.id, agentId), hotelCondition(agents.hotelId, scope))),
  );
  if (!agent) throw new ScopeError(`no agent "${agentId}" in your scope`);
  return agent;
}

/**
 * Chunks of the caller's hotels, newest first: of one hotel and UTC day when
 * asked, else the newest `limit` of the scope.
 *
 * @example
 * const rows = await chunksInScope(db, scope, { hotel: "grand", day: "2026-03-12", limit: 1000 });
 */
export async function chunksInScope(
  db: Db,
  scope: ReadScope,
  filter: { hotel?: string | undefined; day?: string | undefined; limit: number },
): Promise<ChunkRow[]> {
  const { chunks } = tables;
  const narrowed = filter.hotel ? narrowTo(scope, filter.hotel) : scope;
  const from = filter.day ? new Date(`${filter.day}T00:00:00Z`) : undefined;
  return inReadRole(db, scope, (tx) =>
    tx
      .select()
      .from(chunks)
      .where(
        and(
          hotelCondition(chunks.hotelId, narrowed),
          from ? gte(chunks.hourStart, from) : undefined,
          from ? lt(chunks.hourStart, new Date(from.getTime() + DAY_MS)) : undefined,
        ),
      )
      .orderBy(desc(chunks.hourStart), desc(chunks.part), asc(chunks.agentId))
      .limit(filter.limit),
  );
}

/** The scope narrowed to one of its hotels (a 404 ScopeError for any other). */
function narrowTo(scope: ReadScope, hotel: string): ReadScope {
  return readScope(narrowScope(scope, [hotel]));
}
