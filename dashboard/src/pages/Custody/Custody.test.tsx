import { fireEvent, render, screen, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ChunkView, CustodyMonth, HourState } from "../../api/types.ts";
import { setLocale, setZone, t } from "../../i18n/index.ts";
import { Custody, type CustodyProps } from "./Custody.tsx";
import { chainLinks, chunksOfDay } from "./chunks.ts";
import { dayRange, monthGrid, monthSummary, shiftMonth } from "./month.ts";

/** 09:30 UTC on 3 December 2026: 57 hours of the month have ended. */
const NOW = Date.parse("2026-12-03T09:30:00Z");
const HOUR = 3_600_000;

/** The fixture month's odd hours; every other ended hour is verified. */
const ODD: Record<string, HourState> = {
  "2026-12-01T00": "no_agent",
  "2026-12-01T01": "no_agent",
  "2026-12-02T04": "missing",
  "2026-12-02T05": "gap",
  "2026-12-02T06": "failed",
  "2026-12-03T07": "awaiting_timestamp",
  "2026-12-03T08": "awaiting_timestamp",
};

function fixtureMonth(): CustodyMonth {
  const hours: CustodyMonth["hours"] = [];
  for (let at = Date.parse("2026-12-01T00:00:00Z"); at + HOUR <= NOW; at += HOUR) {
    const hour = new Date(at).toISOString().slice(0, 13);
    const state = ODD[hour] ?? "verified";
    hours.push({
      hour,
      state,
      agents:
        state === "no_agent" ? [] : [{ agent_id: "lara-agent001", state, missing: [], failed: [] }],
    });
  }
  const totals = { failed: 0, missing: 0, gap: 0, awaiting_timestamp: 0, verified: 0, no_agent: 0 };
  for (const hour of hours) totals[hour.state]++;
  return {
    hotel_id: "antalya-lara",
    month: "2026-12",
    counted_until: "2026-12-03T09:00:00.000Z",
    hours,
    totals,
  };
}

/** A stand-in for a chunk's manifest hash: 64 hex digits, one chunk id one hash. */
function manifestHash(id: string): string {
  return [...id]
    .map((c) => c.charCodeAt(0).toString(16))
    .join("")
    .padEnd(64, "0")
    .slice(0, 64);
}

/** A verified, time-stamped chunk that links to the chunk `previous` names (an hour before, by default). */
function chunk(
  id: string,
  extra: Partial<ChunkView> & { previous?: string | null } = {},
): ChunkView {
  const { previous, ...rest } = extra;
  const hourStart = `${id.slice(0, 13)}:00:00.000Z`;
  const part = id.includes(".") ? Number(id.split(".")[1]) : 0;
  const hourBefore = new Date(Date.parse(hourStart) - HOUR).toISOString().slice(0, 13);
  const prev = previous === undefined ? hourBefore : previous;
  return {
    hotel_id: "antalya-lara",
    agent_id: "lara-agent001",
    chunk: id,
    hour_start: hourStart,
    part,
    window_start: hourStart,
    window_end: new Date(Date.parse(hourStart) + HOUR).toISOString(),
    length: 2_400_000,
    status: "verified",
    reason: null,
    record_count: 12_345,
    first_seq: 1_000_001,
    last_seq: 1_012_345,
    gap_lost: 0,
    records_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    manifest_sha256: manifestHash(id),
    prev_manifest_sha256: prev === null ? null : manifestHash(prev),
    sealed_at: new Date(Date.parse(hourStart) + HOUR + 5000).toISOString(),
    timestamp: "timestamped",
    timestamp_error: null,
    timestamp_attempts: 1,
    timestamp_gen_time: new Date(Date.parse(hourStart) + HOUR + 9000).toISOString(),
    timestamp_serial: "5f3a01",
    timestamp_tsa_name: "CN=LogMaster development TSA",
    timestamp_policy: "1.3.6.1.4.1.99999.1",
    ...rest,
  };
}

function props(extra: Partial<CustodyProps> = {}): CustodyProps {
  return {
    hotels: [
      {
        id: "antalya-lara",
        name: "Lara Beach Otel",
        retention_days: 730,
        legal_hold: false,
      } as CustodyProps["hotels"][number],
    ],
    hotelId: "antalya-lara",
    month: "2026-12",
    currentMonth: "2026-12",
    nowMs: NOW,
    data: fixtureMonth(),
    loading: false,
    error: undefined,
    retry: () => {},
    day: undefined,
    onHotel: () => {},
    onMonth: () => {},
    onOpen: () => {},
    onShowDay: () => {},
    onClose: () => {},
    download: async () => {},
    ...extra,
  };
}

beforeEach(() => {
  setLocale("en");
  setZone("utc");
});

describe("the month's calendar", () => {
  test("in UTC, a row per day of the month and each hour in its column with its state", () => {
    const rows = monthGrid(fixtureMonth(), "utc", NOW);
    expect(rows).toHaveLength(31);
    expect(rows[0]?.day).toBe("2026-12-01");
    expect(rows[0]?.cells[0]?.state).toBe("no_agent");
    expect(rows[0]?.cells[2]?.state).toBe("verified");
    expect(rows[1]?.cells.slice(4, 7).map((cell) => cell?.state)).toEqual([
      "missing",
      "gap",
      "failed",
    ]);
    // 09:00 is the hour now (the hub counts ended hours only); later ones have not begun.
    expect(rows[2]?.cells[8]?.state).toBe("awaiting_timestamp");
    expect(rows[2]?.cells[9]?.state).toBe("running");
    expect(rows[2]?.cells[10]?.state).toBe("future");
    expect(rows[30]?.cells[23]?.state).toBe("future");
  });

  test("in Istanbul, the UTC month starts at 03:00 of its first day and spills into the next month", () => {
    const rows = monthGrid(fixtureMonth(), "istanbul", NOW);
    expect(rows).toHaveLength(32);
    expect(rows[0]?.cells.slice(0, 3)).toEqual([null, null, null]);
    expect(rows[0]?.cells[3]?.hour).toBe("2026-12-01T00");
    expect(rows[31]?.day).toBe("2027-01-01");
    expect(rows[31]?.cells.filter(Boolean)).toHaveLength(3);
    // An Istanbul day's chunks are in two UTC days.
    expect(dayRange("2026-12-03", "istanbul").utcDays).toEqual(["2026-12-02", "2026-12-03"]);
    expect(dayRange("2026-12-03", "utc").utcDays).toEqual(["2026-12-03"]);
  });

  test("months step over the year's end", () => {
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
  });

  test("the summary names the verified hours first, then the problems, worst first", () => {
    const month = fixtureMonth();
    expect(monthSummary(month, t)).toBe(
      "50 of 57 hours verified; 1 failed verification; 1 missing; 1 with gaps; 2 awaiting time-stamp; 2 before an agent was enrolled",
    );
    setLocale("tr");
    expect(monthSummary(month, t)).toBe(
      "57 saatin 50 saati doğrulandı; 1 saatte doğrulama başarısız; 1 saat eksik; 1 saatte boşluk var; 2 saat zaman damgası bekliyor; 2 saat ajan kaydından önce",
    );
    expect(monthSummary({ ...month, hours: [] }, t)).toBe("Bu ayın henüz biten saati yok.");
  });

  test("cells carry their state as data, words and a glyph; the legend explains each", () => {
    render(() => <Custody {...props()} />);
    const calendar = screen.getByRole("table", { name: /Hours of the month/ });
    const failed = within(calendar).getByRole("button", {
      name: "02.12.2026 06:00–07:00 UTC: Verification failed",
    });
    expect(failed.dataset.state).toBe("failed");
    expect(failed.textContent).toBe("✕");
    expect(calendar.querySelectorAll('[data-state="verified"]')).toHaveLength(50);
    expect(calendar.querySelectorAll('[data-state="running"]')).toHaveLength(1);

    const legend = screen.getByRole("list", { name: "What the colours and signs mean" });
    const items = within(legend).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "✓Verified and time-stamped(50)",
      "◷Verified, awaiting time-stamp(2)",
      "≈Gap (part missing or lines lost)(1)",
      "!Missing (not sealed)(1)",
      "✕Verification failed(1)",
      "–No agent enrolled(2)",
      "▸Hour in progress",
      "Not yet",
    ]);
    expect(screen.getByText(/50 of 57 hours verified/)).toBeTruthy();
  });

  test("an hour opens on click; the arrow keys move between hours with one tab stop", () => {
    const onOpen = vi.fn();
    render(() => <Custody {...props({ onOpen })} />);
    const calendar = screen.getByRole("table", { name: /Hours of the month/ });
    fireEvent.click(
      within(calendar).getByRole("button", {
        name: "02.12.2026 05:00–06:00 UTC: Gap (part missing or lines lost)",
      }),
    );
    expect(onOpen).toHaveBeenCalledWith("2026-12-02", "2026-12-02T05");

    const tabStops = calendar.querySelectorAll('button[tabindex="0"]');
    expect(tabStops).toHaveLength(1);
    const first = tabStops[0] as HTMLButtonElement;
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowRight" });
    fireEvent.keyDown(document.activeElement as Element, { key: "ArrowDown" });
    expect((document.activeElement as HTMLElement).dataset.pos).toBe("1:0");
    fireEvent.keyDown(document.activeElement as Element, { key: "Enter" });
    fireEvent.click(document.activeElement as Element);
    expect(onOpen).toHaveBeenLastCalledWith("2026-12-02", "2026-12-02T00");
  });
});

describe("a day's chunks", () => {
  test("each chunk with its manifest fields, verdicts and link to the one before", () => {
    const chunks = chunksOfDay(
      [
        chunk("2026-12-02T06", { status: "failed", reason: "records_sha256 mismatch" }),
        chunk("2026-12-02T05"),
        chunk("2026-12-02T07", {
          timestamp: "awaiting-timestamp",
          timestamp_gen_time: null,
          timestamp_attempts: 2,
          window_start: "2026-12-02T07:00:00.500Z",
        }),
        chunk("2026-12-03T00"),
      ],
      Date.parse("2026-12-02T00:00:00Z"),
      Date.parse("2026-12-03T00:00:00Z"),
    );
    expect(chunks.map((c) => c.chunk)).toEqual(["2026-12-02T05", "2026-12-02T06", "2026-12-02T07"]);
    const links = chainLinks(chunks);
    expect(links.get(chunks[0] as ChunkView)).toMatchObject({
      verdict: "earlier",
      previous: undefined,
    });
    expect(links.get(chunks[1] as ChunkView)).toMatchObject({ verdict: "links", continuous: true });
    expect(links.get(chunks[2] as ChunkView)).toMatchObject({
      verdict: "links",
      continuous: false,
    });

    render(() => (
      <Custody
        {...props({
          day: {
            day: "2026-12-02",
            hour: undefined,
            chunks,
            error: undefined,
            retry: () => {},
            utcDay: "2026-12-02",
          },
        })}
      />
    ));
    const failed = screen.getByRole("article", { name: "02.12.2026 06:00–07:00 UTC" });
    expect(within(failed).getByText("Signature failed")).toBeTruthy();
    expect(within(failed).getByText("Does not hold: records_sha256 mismatch")).toBeTruthy();
    expect(within(failed).getByText("12,345")).toBeTruthy();
    expect(within(failed).getByText("2.3 MiB")).toBeTruthy();
    expect(
      within(failed).getByText("Links to 2026-12-02T05: its manifest hash matches"),
    ).toBeTruthy();
    expect(within(failed).getByText("1000001 to 1012345")).toBeTruthy();
    expect(within(failed).getByText(manifestHash("2026-12-02T06"))).toBeTruthy();
    expect(within(failed).getByText(manifestHash("2026-12-02T05"))).toBeTruthy(); // its predecessor's
    expect(within(failed).getByText("TSA: CN=LogMaster development TSA")).toBeTruthy();
    expect(within(failed).getByText("Serial number: 5f3a01")).toBeTruthy();
    expect(within(failed).getByText("Policy: 1.3.6.1.4.1.99999.1")).toBeTruthy();
    const first = screen.getByRole("article", { name: "02.12.2026 05:00–06:00 UTC" });
    expect(within(first).getByText(/The first chunk shown here/)).toBeTruthy();
    const awaiting = screen.getByRole("article", { name: "02.12.2026 07:00–08:00 UTC" });
    expect(within(awaiting).getAllByText("Awaiting time-stamp")).toHaveLength(2);
    expect(within(awaiting).getByText(/the window does not continue/)).toBeTruthy();
    expect(screen.getByRole("button", { name: /Evidence bundle of the day/ })).toBeTruthy();
  });

  test("the chain link is a verdict on the manifest hashes: links, broken, first of the agent, open; lines lost warn", () => {
    const chunks = chunksOfDay(
      [
        chunk("2026-12-02T00", { previous: null }), // the agent's first
        chunk("2026-12-02T01", { gap_lost: 17 }),
        // 02 is missing at the hub: 03 names it, not 01
        chunk("2026-12-02T03"),
        chunk("2026-12-02T04", { first_seq: null, last_seq: null, record_count: 0 }),
        chunk("2026-12-02T05", {
          status: "open",
          manifest_sha256: null,
          prev_manifest_sha256: null,
          first_seq: null,
          last_seq: null,
          record_count: null,
          gap_lost: null,
          window_start: null,
          window_end: null,
          sealed_at: null,
          timestamp: "-",
          timestamp_gen_time: null,
          timestamp_attempts: 0,
          timestamp_serial: null,
          timestamp_tsa_name: null,
          timestamp_policy: null,
        }),
      ],
      Date.parse("2026-12-02T00:00:00Z"),
      Date.parse("2026-12-03T00:00:00Z"),
    );
    const verdicts = chainLinks(chunks);
    expect(chunks.map((c) => verdicts.get(c)?.verdict)).toEqual([
      "first",
      "links",
      "broken",
      "links",
      "open",
    ]);
    // A predecessor the hub holds but has not sealed yet has no hash to compare.
    const waiting = chainLinks([
      chunk("2026-12-02T06", { manifest_sha256: null }),
      chunk("2026-12-02T07"),
    ]);
    expect([...waiting.values()].map((link) => link.verdict)).toEqual(["open", "waiting"]);

    render(() => (
      <Custody
        {...props({
          day: {
            day: "2026-12-02",
            hour: undefined,
            chunks,
            error: undefined,
            retry: () => {},
            utcDay: "2026-12-02",
          },
        })}
      />
    ));
    /** The card of the chunk of 2 December's hour `hour` (UTC). */
    const card = (hour: number) => {
      const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;
      return screen.getByRole("article", { name: `02.12.2026 ${hh(hour)}–${hh(hour + 1)} UTC` });
    };
    expect(
      within(card(0)).getByText("The agent's first chunk: there is none before it"),
    ).toBeTruthy();
    expect(within(card(0)).getByText("None")).toBeTruthy(); // no line lost
    const lost = within(card(1)).getByText("17 received by the agent but not kept");
    expect(lost.className).toContain("warning-text");
    const broken = within(card(3)).getByText(
      "Broken: does not link to 2026-12-02T01 (a chunk between is missing, or one was altered)",
    );
    expect(broken.className).toContain("critical-text");
    expect(within(card(4)).getByText("None: no line in this chunk")).toBeTruthy();
    expect(
      within(card(5)).getByText("Not sealed yet: the manifest names its predecessor at the seal"),
    ).toBeTruthy();

    setLocale("tr");
    expect(
      within(card(3)).getByText(
        "Kopuk: 2026-12-02T01 parçasına bağlanmıyor (aradaki bir parça eksik ya da bir parça değiştirilmiş)",
      ),
    ).toBeTruthy();
    expect(within(card(1)).getByText("17 satır ajana ulaştı ama saklanamadı")).toBeTruthy();
  });

  test("downloads ask for the hour, the day and the month's reports", async () => {
    const download = vi.fn(async () => {});
    render(() => (
      <Custody
        {...props({
          download,
          day: {
            day: "2026-12-02",
            hour: "2026-12-02T05",
            chunks: [chunk("2026-12-02T05")],
            error: undefined,
            retry: () => {},
            utcDay: "2026-12-02",
          },
        })}
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: /Evidence bundle of this hour/ }));
    fireEvent.click(screen.getByRole("button", { name: /Evidence bundle of the day/ }));
    fireEvent.click(
      screen.getByRole("button", { name: /compliance report of December 2026 as PDF/ }),
    );
    expect(download.mock.calls.map((call) => (call as unknown[])[0])).toEqual([
      { kind: "hour", hour: "2026-12-02T05" },
      { kind: "day", day: "2026-12-02" },
      { kind: "report", format: "pdf" },
    ]);
  });
});
