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
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

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
    reported_at: new Date(NOW - 10_000).toISOString(),
    unsent_bytes: 2_048,
    disk_used_bytes: 512 * MIB,
    disk_max_bytes: 10 * GIB,
    wal_refusing: false,
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
    first_seq: 1,
    last_seq: 1200,
    gap_lost: 0,
    records_sha256: "cd",
    manifest_sha256: "ef",
    prev_manifest_sha256: null,
    sealed_at: "2026-12-03T08:00:05.000Z",
    timestamp,
    timestamp_error: null,
    timestamp_attempts: 1,
    timestamp_gen_time: null,
    timestamp_serial: null,
    timestamp_tsa_name: null,
    timestamp_policy: null,
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

  test("each agent's unsent bytes and disk use; a full or filling disk, a backlog and skew sort the hotel up", async () => {
    const hotels = [
      hotel("ankara", "Ankara Otel", [agent("ankara", "ok")], null),
      hotel(
        "bodrum",
        "Bodrum Otel",
        [agent("bodrum", "ok", { disk_used_bytes: 8.5 * GIB })], // 85 % of the cap
        null,
      ),
      hotel("cesme", "Çeşme Otel", [agent("cesme", "ok", { unsent_bytes: 100 * MIB })], null),
      hotel(
        "datca",
        "Datça Otel",
        [agent("datca", "ok", { disk_used_bytes: 10 * GIB, wal_refusing: true })],
        null,
      ),
      hotel("edirne", "Edirne Otel", [agent("edirne", "ok", { last_clock_skew_ms: 2_500 })], null),
      hotel(
        "fethiye",
        "Fethiye Otel",
        [
          agent("fethiye", "ok", {
            last_clock_skew_ms: -2_000, // at the threshold, not beyond it
            disk_used_bytes: 7.9 * GIB,
            unsent_bytes: 64 * MIB,
          }),
        ],
        null,
      ),
      hotel(
        "gebze",
        "Gebze Otel",
        [
          agent("gebze", "ok", {
            reported_at: null,
            unsent_bytes: null,
            disk_used_bytes: null,
            disk_max_bytes: null,
            wal_refusing: null,
          }),
        ],
        null,
      ),
    ];
    renderOverview({ hotels });

    const names = (await screen.findAllByRole("heading", { level: 2 })).map((h) => h.textContent);
    expect(names).toEqual([
      "Datça Otel", // critical: the WAL refuses datagrams
      "Bodrum Otel", // warnings, by name
      "Çeşme Otel",
      "Edirne Otel",
      "Ankara Otel",
      "Fethiye Otel",
      "Gebze Otel",
    ]);

    const healthy = screen.getByRole("article", { name: "Ankara Otel" });
    expect(within(healthy).getByText("Unsent: 2 KiB")).toBeTruthy();
    const usage = within(healthy).getByText("Disk use: 512 MiB of 10 GiB (5%)");
    expect(usage.className).toContain("muted");

    const filling = screen.getByRole("article", { name: "Bodrum Otel" });
    expect(within(filling).getByText("Agent disk filling up")).toBeTruthy();
    expect(within(filling).getByText("Disk use: 8.5 GiB of 10 GiB (85%)").className).toContain(
      "warning-text",
    );
    const backlog = screen.getByRole("article", { name: "Çeşme Otel" });
    expect(within(backlog).getByText("Large unsent backlog")).toBeTruthy();
    expect(within(backlog).getByText("Unsent: 100 MiB").className).toContain("warning-text");
    const full = screen.getByRole("article", { name: "Datça Otel" });
    expect(within(full).getByText("Agent disk full")).toBeTruthy();
    const refusing = within(full).getByText(/full, new lines refused/);
    expect(refusing.textContent).toBe(
      "Disk use: 10 GiB of 10 GiB (100%) · full, new lines refused",
    );
    expect(refusing.className).toContain("critical-text");
    const skewed = screen.getByRole("article", { name: "Edirne Otel" });
    expect(within(skewed).getByText("Clock skew")).toBeTruthy();
    expect(within(skewed).getByText("Clock off by 2.5 s")).toBeTruthy();
    const atLimits = screen.getByRole("article", { name: "Fethiye Otel" });
    expect(within(atLimits).getByText("No problems")).toBeTruthy();
    expect(within(atLimits).queryByText(/Clock off/)).toBeNull();
    const unreported = screen.getByRole("article", { name: "Gebze Otel" });
    expect(within(unreported).queryByText(/Unsent|Disk use/)).toBeNull();
  });

  test("in Turkish, unsent bytes and disk use read as Turkish writes them", async () => {
    setLocale("tr");
    const hotels = [
      hotel(
        "bodrum",
        "Bodrum Otel",
        [agent("bodrum", "ok", { disk_used_bytes: 8.5 * GIB, unsent_bytes: 100 * MIB })],
        null,
      ),
    ];
    renderOverview({ hotels });
    const row = await screen.findByRole("article", { name: "Bodrum Otel" });
    expect(within(row).getByText("Gönderilmemiş: 100 MiB")).toBeTruthy();
    expect(within(row).getByText("Disk kullanımı: 8,5 GiB / 10 GiB (%85)")).toBeTruthy();
    expect(within(row).getByText("Ajanın diski dolmak üzere")).toBeTruthy();
    expect(within(row).getByText("Gönderilmemiş satırlar birikti")).toBeTruthy();
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
