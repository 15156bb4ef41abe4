/**
 * Loading the overview: the caller's hotels and agents, and per hotel what
 * the role may read — a 24 h histogram (events) and the newest chunks
 * (custody) — a few hotels at a time. A part that fails is kept as an error
 * of its hotel; the rest still shows.
 */
import { api } from "../api/client.ts";
import type {
  AgentStatus,
  ChunkView,
  HistogramQuery,
  HistogramResponse,
  HotelOverview,
  UserRole,
} from "../api/types.ts";
import { canSee } from "../app/pages.ts";
import { type HotelHealth, isSealed } from "./health.ts";

const DAY_MS = 86_400_000;
/** 5-minute buckets over 24 h: the rate now, today's count and the sparkline from one query. */
const HISTOGRAM_BUCKETS = 288;
/** Enough to find the newest sealed chunk behind the open ones of several agents. */
const CHUNKS_PER_HOTEL = 12;
const PARALLEL_HOTELS = 4;

/** What the role may read on the overview (its pages, ../app/pages.ts). */
export function overviewReach(role: UserRole): { events: boolean; custody: boolean } {
  return { events: canSee(role, "search"), custody: canSee(role, "custody") };
}

/** Run `work` on each item, at most `limit` at once, in order. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function histogramOf(hotelId: string, nowMs: number): Promise<HistogramResponse> {
  const query = {
    from: new Date(nowMs - DAY_MS).toISOString(),
    to: new Date(nowMs).toISOString(),
    hotels: hotelId,
    buckets: HISTOGRAM_BUCKETS,
  } satisfies HistogramQuery;
  return api<HistogramResponse>("/api/search/histogram", { query });
}

export async function lastSealedChunk(hotelId: string): Promise<ChunkView | null> {
  const chunks = await api<ChunkView[]>("/api/chunks", {
    query: { hotel: hotelId, limit: CHUNKS_PER_HOTEL },
  });
  return chunks.find(isSealed) ?? null;
}

/** One hotel's parts the role may read; failures kept in `errors`. */
export async function hotelHealth(
  hotel: HotelOverview,
  agents: AgentStatus[],
  role: UserRole,
  nowMs: number,
): Promise<HotelHealth> {
  const reach = overviewReach(role);
  const health: HotelHealth = { hotel, agents, errors: [] };
  await Promise.all([
    reach.events
      ? histogramOf(hotel.id, nowMs).then(
          (histogram) => {
            health.histogram = histogram;
          },
          (error: unknown) => health.errors.push(error),
        )
      : undefined,
    reach.custody
      ? lastSealedChunk(hotel.id).then(
          (chunk) => {
            health.lastChunk = chunk;
          },
          (error: unknown) => health.errors.push(error),
        )
      : undefined,
  ]);
  return health;
}

/**
 * Every hotel of the caller with its health.
 *
 * @example
 * const hotels = await loadOverview("chain_admin", Date.now());
 */
export async function loadOverview(role: UserRole, nowMs: number): Promise<HotelHealth[]> {
  const [hotels, agents] = await Promise.all([
    api<HotelOverview[]>("/api/hotels"),
    api<AgentStatus[]>("/api/agents"),
  ]);
  return inBatches(hotels, PARALLEL_HOTELS, (hotel) =>
    hotelHealth(
      hotel,
      agents.filter((agent) => agent.hotel_id === hotel.id),
      role,
      nowMs,
    ),
  );
}
