/**
 * Loading the overview: the caller's hotels, agents and `/api/overview`
 * (per hotel events per 5 minutes over 24 h and the newest sealed chunk),
 * shown as far as the role's pages reach; the hotel page's 24 h histogram.
 */
import { api } from "../api/client.ts";
import type {
  AgentStatus,
  HistogramQuery,
  HistogramResponse,
  HotelOverview,
  Overview,
  UserRole,
} from "../api/types.ts";
import { canSee } from "../app/pages.ts";
import type { HotelHealth } from "./health.ts";

const DAY_MS = 86_400_000;
/** 5-minute buckets over 24 h (as /api/overview has them): the rate now, today's count and the sparkline. */
const HISTOGRAM_BUCKETS = 288;

/** What the role may read on the overview (its pages, ../app/pages.ts). */
export function overviewReach(role: UserRole): { events: boolean; custody: boolean } {
  return { events: canSee(role, "search"), custody: canSee(role, "custody") };
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

/**
 * Every hotel of the caller with its health: hotels, agents and the
 * overview's counts and newest sealed chunks, three calls for the whole
 * chain (`/api/overview` is counts only, so it is no audit row).
 *
 * @example
 * const hotels = await loadOverview("chain_admin");
 */
export async function loadOverview(role: UserRole): Promise<HotelHealth[]> {
  const reach = overviewReach(role);
  const [hotels, agents, overview] = await Promise.all([
    api<HotelOverview[]>("/api/hotels"),
    api<AgentStatus[]>("/api/agents"),
    api<Overview>("/api/overview"),
  ]);
  const byHotel = new Map(overview.hotels.map((entry) => [entry.hotel_id, entry]));
  return hotels.map((hotel) => {
    const entry = byHotel.get(hotel.id);
    return {
      hotel,
      agents: agents.filter((agent) => agent.hotel_id === hotel.id),
      errors: [],
      ...(reach.events && entry ? { histogram: entry.histogram } : {}),
      ...(reach.custody && entry ? { lastChunk: entry.last_sealed } : {}),
    };
  });
}
