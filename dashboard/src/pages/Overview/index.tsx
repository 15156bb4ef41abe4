/**
 * The overview's data: every hotel of the caller with its health, loaded
 * for the role (../../data/overview.ts) and refreshed every 30 seconds
 * while the page is open; the view gets plain props.
 */
import { createResource, createSignal, type JSX, onCleanup } from "solid-js";
import { me } from "../../auth/session.ts";
import { loadOverview, overviewReach } from "../../data/overview.ts";
import { Overview } from "./Overview.tsx";

const REFRESH_MS = 30_000;

export default function OverviewPage(): JSX.Element {
  const [nowMs, setNowMs] = createSignal(Date.now());
  const role = () => me()?.role;
  const [hotels] = createResource(
    () => {
      const current = role();
      return current ? { role: current, nowMs: nowMs() } : undefined;
    },
    ({ role }) => loadOverview(role),
  );
  const timer = setInterval(() => setNowMs(Date.now()), REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  // A new time is a new query: the resource loads again.
  const reload = () => setNowMs(Date.now());
  return (
    <Overview
      hotels={hotels.error ? undefined : hotels.latest}
      loading={hotels.loading}
      error={hotels.error}
      nowMs={nowMs()}
      reach={overviewReach(role() ?? "hotel_it")}
      reload={reload}
    />
  );
}
