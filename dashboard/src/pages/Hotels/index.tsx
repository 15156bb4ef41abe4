/** Hotels: the chain's hotels, read-only (changed with the hub's command line). */
import { createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import type { HotelOverview } from "../../api/types.ts";
import { Hotels } from "./Hotels.tsx";

export default function HotelsPage(): JSX.Element {
  const [hotels, control] = createResource(() => api<HotelOverview[]>("/api/hotels"));
  return (
    <Hotels
      hotels={hotels.error ? undefined : hotels.latest}
      error={hotels.error}
      retry={() => void control.refetch()}
    />
  );
}
