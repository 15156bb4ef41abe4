/**
 * A hotel's page: its data for the role, or "not found" when the hub
 * answers 404 (another hotel's page looks exactly like one that does not exist).
 */
import { useParams } from "@solidjs/router";
import { createResource, type JSX, Match, Switch } from "solid-js";
import { api, isNotFound } from "../../api/client.ts";
import type { AgentStatus, ChunkView, HotelOverview, UserRole } from "../../api/types.ts";
import { me } from "../../auth/session.ts";
import { ErrorState, Loading, NotFoundState } from "../../components/States.tsx";
import { histogramOf, overviewReach } from "../../data/overview.ts";
import { Hotel, type HotelPageData } from "./Hotel.tsx";

const RECENT_CHUNKS = 24;

async function loadHotel(hotelId: string, role: UserRole): Promise<HotelPageData | undefined> {
  const nowMs = Date.now();
  const reach = overviewReach(role);
  try {
    // The agents of one hotel answer 404 for a hotel that is not the caller's.
    const [agents, hotels] = await Promise.all([
      api<AgentStatus[]>("/api/agents", { query: { hotel: hotelId } }),
      api<HotelOverview[]>("/api/hotels"),
    ]);
    const hotel = hotels.find((candidate) => candidate.id === hotelId);
    if (!hotel) return undefined;
    const [chunks, histogram] = await Promise.all([
      reach.custody
        ? api<ChunkView[]>("/api/chunks", { query: { hotel: hotelId, limit: RECENT_CHUNKS } })
        : undefined,
      reach.events ? histogramOf(hotelId, nowMs) : undefined,
    ]);
    return { hotel, agents, chunks, histogram, nowMs, reach };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export default function HotelPage(): JSX.Element {
  const params = useParams<{ hotel: string }>();
  const [data, { refetch }] = createResource(
    () => {
      const role = me()?.role;
      return role ? { hotel: params.hotel, role } : undefined;
    },
    ({ hotel, role }) => loadHotel(hotel, role),
  );
  return (
    <Switch>
      <Match when={data.error}>
        <section class="page">
          <ErrorState error={data.error} retry={() => void refetch()} />
        </section>
      </Match>
      <Match when={data.loading && !data.latest}>
        <section class="page">
          <Loading />
        </section>
      </Match>
      <Match when={data.state === "ready" && data() === undefined}>
        <NotFoundState />
      </Match>
      <Match when={data.latest}>{(shown) => <Hotel data={shown()} />}</Match>
    </Switch>
  );
}
