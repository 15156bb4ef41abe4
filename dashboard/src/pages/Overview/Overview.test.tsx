import { MemoryRouter, Route } from "@solidjs/router";
import { render, screen, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import type { AgentStatus, ChunkView, HistogramResponse } from "../../api/types.ts";
import type { HotelHealth } from "../../data/health.ts";
import { setLocale } from "../../i18n/index.ts";
import { Overview, type OverviewProps } from "./Overview.tsx";

const NOW = Date.parse("2026-12-03T09:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function agent(hotel: string, state: AgentStatus["state"], extra: Partial<AgentStatus> = {}) {
  return {
    id: `${hotel}-agent001`,
    hotel_id: hotel,
    hostname: `${hotel}-box`,
    cert_serial: "01",
    cert_sha256: "ab",
    not_after: new Date(NOW + 300 * DAY).toISOString(),
    enrolled_at: new Date(NOW - 30 * DAY).toISOString(),
    revoked_at: null,
    last_seen_at: new Date(state === "silent" ? NOW - 5 * HOUR : NOW - 10_000).toISOString(),
    last_clock_skew_ms: 12,
    state,
    ...extra,
  } satisfies AgentStatus;
}

function chunk(hotel: string, status: string, timestamp: string): ChunkView {
  return {
    hotel_id: hotel,
    agent_id: `${hotel}-agent001`,
    chunk: "2026-12-03T07",
    hour_start: "2026-12-03T07:00:00.000Z",
    part: 0,
    window_start: null,
    window_end: null,
    length: 100,
    status,
    reason: null,
    record_count: 1200,
    records_sha256: "cd",
    sealed_at: "2026-12-03T08:00:05.000Z",
    timestamp,
    timestamp_error: null,
    timestamp_attempts: 1,
    timestamp_gen_time: null,
  };
}

/** 5-minute buckets over the last 24 h, `perBucket` each. */
function histogram(perBucket: number): HistogramResponse {
  const interval = 300_000;
  const first = Math.floor((NOW - DAY) / interval) * interval;
  const buckets = [];
  for (let at = first; at < NOW; at += interval)
    buckets.push({ start: new Date(at).toISOString(), count: perBucket });
  return { interval_ms: interval, buckets, total: perBucket * buckets.length, took_ms: 3 };
}

function hotel(id: string, name: string, agents: AgentStatus[], lastChunk: ChunkView | null) {
  return {
    hotel: {
      id,
      name,
      created_at: "2026-01-01T00:00:00.000Z",
      retention_days: 730,
      legal_hold: false,
      agents: agents.length,
    },
    agents,
    lastChunk,
    histogram: histogram(6),
    errors: [],
  } satisfies HotelHealth;
}

const reach = { events: true, custody: true };

/** The overview at `/` of a router (its rows link to hotel pages). */
function renderOverview(props: Partial<OverviewProps> & { hotels: HotelHealth[] }) {
  const view = () => (
    <Overview
      loading={false}
      error={undefined}
      nowMs={NOW}
      reach={reach}
      reload={() => {}}
      {...props}
    />
  );
  return render(() => (
    <MemoryRouter>
      <Route path="/" component={view} />
    </MemoryRouter>
  ));
}

beforeEach(() => setLocale("en"));

describe("the overview", () => {
  test("shows hotels with problems first: critical, then warnings, then the healthy", async () => {
    const hotels = [
      hotel(
        "ankara",
        "Ankara Otel",
        [agent("ankara", "ok")],
        chunk("ankara", "verified", "timestamped"),
      ),
      hotel(
        "bodrum",
        "Bodrum Otel",
        [agent("bodrum", "certificate_expiring")],
        chunk("bodrum", "verified", "timestamped"),
      ),
      hotel("cesme", "Çeşme Otel", [agent("cesme", "ok", { last_clock_skew_ms: -4_500 })], null),
      hotel(
        "zeytinburnu",
        "Zeytinburnu Otel",
        [agent("zeytinburnu", "silent")],
        chunk("zeytinburnu", "verified", "awaiting-timestamp"),
      ),
      hotel(
        "antalya",
        "Antalya Otel",
        [agent("antalya", "ok")],
        chunk("antalya", "failed", "timestamped"),
      ),
    ];
    renderOverview({ hotels });

    const names = (await screen.findAllByRole("heading", { level: 2 })).map((h) => h.textContent);
    expect(names).toEqual([
      "Antalya Otel", // critical: verification failed
      "Zeytinburnu Otel", // critical: agent offline
      "Bodrum Otel", // warning: certificate ends soon (before Çeşme by name, Turkish collation)
      "Çeşme Otel", // warning: clock skew
      "Ankara Otel",
    ]);
    expect(screen.getByText("5 hotels · 4 need attention")).toBeTruthy();

    const offline = screen.getByRole("article", { name: "Zeytinburnu Otel" });
    expect(within(offline).getByText("Agent offline")).toBeTruthy();
    expect(within(offline).getByText("Offline since 03.12.2026 07:00 Istanbul")).toBeTruthy();
    expect(within(offline).getByText("Awaiting time-stamp")).toBeTruthy();
    const skewed = screen.getByRole("article", { name: "Çeşme Otel" });
    expect(within(skewed).getByText("Clock off by 4.5 s")).toBeTruthy();
    expect(within(skewed).getByText("No sealed hour yet")).toBeTruthy();
  });

  test("events today count from Istanbul midnight, with the rate now and a sparkline", async () => {
    const hotels = [hotel("ankara", "Ankara Otel", [agent("ankara", "ok")], null)];
    renderOverview({ hotels });
    const row = await screen.findByRole("article", { name: "Ankara Otel" });
    // 09:00Z is 12:00 in Istanbul: 12 hours of 12 buckets of 6 events since midnight.
    expect(within(row).getByText("864")).toBeTruthy();
    expect(within(row).getByText("0/s now")).toBeTruthy();
    expect(within(row).getByRole("img").getAttribute("aria-label")).toContain("1,728");
    expect(screen.getByText("All hotels are healthy.")).toBeTruthy();
  });

  test("a role without guest events sees no event column; no hotels is said plainly", async () => {
    const hotels = [hotel("ankara", "Ankara Otel", [agent("ankara", "ok")], null)];
    const { unmount } = renderOverview({ hotels, reach: { events: false, custody: false } });
    await screen.findByRole("article", { name: "Ankara Otel" });
    expect(screen.queryByText("Events today")).toBeNull();
    expect(screen.queryByText("Last sealed hour")).toBeNull();
    unmount();
    setLocale("tr");
    renderOverview({ hotels: [] });
    expect(await screen.findByText("Henüz otel yok")).toBeTruthy();
  });
});
