import { MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { EvidenceLine, HotelOverview, IpLookup, MacLookup } from "../../api/types.ts";
import type { LookupAnswer, LookupQuestion } from "../../data/lookups.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { Lookups, type LookupsProps } from "./Lookups.tsx";

const HOTELS: HotelOverview[] = [
  {
    id: "antalya-lara",
    name: "Lara Beach Otel",
    created_at: "2026-01-01T00:00:00.000Z",
    retention_days: 730,
    legal_hold: false,
    agents: 1,
  },
  {
    id: "istanbul-sisli",
    name: "Şişli Otel",
    created_at: "2026-01-01T00:00:00.000Z",
    retention_days: 730,
    legal_hold: false,
    agents: 1,
  },
];

const times = (utc: string) => ({ utc, istanbul: utc });

function line(seq: number, at: string, raw: string, chunk = "2026-12-03T07"): EvidenceLine {
  return {
    raw,
    received_at: at,
    received_at_istanbul: at,
    hotel: "antalya-lara",
    agent: "antalya-lara-ab12",
    chunk,
    seq,
  };
}

/** A guest's lease and hotspot login, proven by lines in two chunks. */
const IP_ANSWER: IpLookup = {
  query: { ip: "10.5.1.23", at: times("2026-12-03T07:15:00.000000Z"), hotels: ["antalya-lara"] },
  lease: {
    hotel: "antalya-lara",
    agent: "antalya-lara-ab12",
    ip: "10.5.1.23",
    mac: "a4:c3:f0:36:4a:02",
    hostname: "Redmi-Note-12",
    server: "guest",
    from: times("2026-12-03T06:58:03.000000Z"),
    to: times("2026-12-03T08:02:10.000000Z"),
    evidence: [
      line(
        41,
        "2026-12-03T06:58:03.000000Z",
        "dhcp,info guest assigned 10.5.1.23 for A4:C3:F0:36:4A:02 Redmi-Note-12",
      ),
      line(
        7,
        "2026-12-03T08:02:10.000000Z",
        "dhcp,info guest deassigned 10.5.1.23 for A4:C3:F0:36:4A:02",
        "2026-12-03T08",
      ),
    ],
  },
  sessions: [
    {
      hotel: "antalya-lara",
      agent: "antalya-lara-ab12",
      user: "oda-214",
      ip: "10.5.1.23",
      mac: "a4:c3:f0:36:4a:02",
      login: times("2026-12-03T07:01:00.000000Z"),
      logout: null,
      logout_reason: null,
      evidence: [
        line(
          55,
          "2026-12-03T07:01:00.000000Z",
          "hotspot,account,info oda-214 (10.5.1.23): logged in",
        ),
      ],
    },
  ],
  mac: "a4:c3:f0:36:4a:02",
  hostname: "Redmi-Note-12",
  no_match: [],
};

const NO_MATCH: MacLookup = {
  query: {
    mac: "a4:c3:f0:36:4a:02",
    from: times("2026-12-02T07:00:00.000000Z"),
    to: times("2026-12-03T07:00:00.000000Z"),
    hotels: ["antalya-lara"],
  },
  leases: [],
  sessions: [],
  no_match: [
    { reason: "no_data", message: "the hub holds no records of antalya-lara for …" },
    { reason: "gap", message: "agent antalya-lara-ab12 recorded 12 lost datagrams (queue_full) …" },
    { reason: "no_lease", message: "the hub holds no DHCP lease of a4:c3:f0:36:4a:02 between …" },
  ],
};

function renderLookups(props: Partial<LookupsProps>) {
  const all: LookupsProps = {
    kind: "ip",
    question: undefined,
    hotels: HOTELS,
    answer: undefined,
    loading: false,
    error: undefined,
    chunkFacts: undefined,
    askedBy: "mudur-a",
    nowMs: Date.parse("2026-12-03T09:00:00Z"),
    onTab: () => {},
    onAsk: () => {},
    retry: () => {},
    download: async () => {},
    ...props,
  };
  return render(() => (
    <MemoryRouter>
      <Route path="/" component={() => <Lookups {...all} />} />
    </MemoryRouter>
  ));
}

const ipQuestion: LookupQuestion = { kind: "ip", ip: "10.5.1.23", at: "2026-12-03T10:15:00+03:00" };

beforeEach(() => {
  setLocale("en");
  setZone("istanbul");
});

describe("the 5651 lookups", () => {
  test("the answer comes first, in plain words, then the evidence lines and one bundle per chunk", async () => {
    const answer: LookupAnswer = { kind: "ip", answer: IP_ANSWER };
    renderLookups({ question: ipQuestion, answer });
    const region = await screen.findByRole("region", { name: "Answer" });
    expect(
      within(region).getByText("Who had 10.5.1.23 at 03.12.2026 10:15:00 Istanbul?"),
    ).toBeTruthy();
    expect(
      within(region).getByText(
        "10.5.1.23 was leased to a4:c3:f0:36:4a:02 (Redmi-Note-12) from 03.12.2026 09:58:03 Istanbul to 03.12.2026 11:02:10 Istanbul.",
      ),
    ).toBeTruthy();
    expect(
      within(region).getByText(
        "Hotspot user oda-214 was logged in on 10.5.1.23 from 03.12.2026 10:01:00 Istanbul and had not logged out.",
      ),
    ).toBeTruthy();
    expect(within(region).getByText("Searched in: Lara Beach Otel")).toBeTruthy();

    // The evidence: every line once, oldest first, with what it shows, its chunk and seq.
    const table = within(region).getByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      [
        "03.12.2026 09:58:03 Istanbul",
        "DHCP lease",
        IP_ANSWER.lease?.evidence[0]?.raw,
        "2026-12-03T07",
        "41",
      ],
      [
        "03.12.2026 10:01:00 Istanbul",
        "Hotspot login",
        IP_ANSWER.sessions[0]?.evidence[0]?.raw,
        "2026-12-03T07",
        "55",
      ],
      [
        "03.12.2026 11:02:10 Istanbul",
        "DHCP lease",
        IP_ANSWER.lease?.evidence[1]?.raw,
        "2026-12-03T08",
        "7",
      ],
    ]);
    // Two chunks, two bundles; `logmaster verify` named.
    const downloads = within(region).getAllByRole("button", { name: /^Download the bundle of/ });
    expect(downloads.map((button) => button.getAttribute("aria-label"))).toEqual([
      "Download the bundle of 2026-12-03T07",
      "Download the bundle of 2026-12-03T08",
    ]);
    expect(within(region).getByText("logmaster verify")).toBeTruthy();
  });

  test("a download says what was saved and how big it is", async () => {
    const download = vi.fn(async () => {});
    renderLookups({ question: ipQuestion, answer: { kind: "ip", answer: IP_ANSWER }, download });
    const [first] = await screen.findAllByRole("button", { name: /^Download the bundle of/ });
    fireEvent.click(first as HTMLElement);
    expect(await screen.findByText("Saved to your downloads")).toBeTruthy();
    expect(download).toHaveBeenCalledWith({
      hotel: "antalya-lara",
      agent: "antalya-lara-ab12",
      chunk: "2026-12-03T07",
    });
  });

  test("no match says why, in the person's language, with the hub's detail behind it", async () => {
    setLocale("tr");
    renderLookups({
      kind: "mac",
      question: {
        kind: "mac",
        mac: "a4:c3:f0:36:4a:02",
        from: "2026-12-02T10:00:00+03:00",
        to: "2026-12-03T10:00:00+03:00",
      },
      answer: { kind: "mac", answer: NO_MATCH },
    });
    expect(await screen.findByText("Yanıt bulunamadı")).toBeTruthy();
    expect(screen.getByText("O saate ait kayıt yok")).toBeTruthy();
    expect(screen.getByText("Kayıtlı bir boşluk var")).toBeTruthy();
    expect(screen.getByText("Kiralama yok")).toBeTruthy();
    expect(
      screen.getByText(
        "Kayıtlar var, ancak merkezde bu cihaza o dönemde ait bir DHCP kiralaması yok.",
      ),
    ).toBeTruthy();
    expect(screen.getAllByText("Merkezin teknik açıklaması")).toHaveLength(3);
    expect(screen.queryByRole("table")).toBeNull();
  });

  test("the form asks in the zone shown, with the hotel when there are several", async () => {
    const onAsk = vi.fn();
    renderLookups({ onAsk });
    expect(screen.getByText("Istanbul time (UTC+3)")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("IP address"), { target: { value: " 10.5.1.23 " } });
    fireEvent.input(screen.getByLabelText(/^Date and time/), {
      target: { value: "2026-12-03T10:15" },
    });
    fireEvent.change(screen.getByLabelText("Hotel"), { target: { value: "antalya-lara" } });
    fireEvent.submit(screen.getByRole("tabpanel"));
    expect(onAsk).toHaveBeenCalledWith({
      kind: "ip",
      ip: "10.5.1.23",
      at: "2026-12-03T10:15:00+03:00",
      hotel: "antalya-lara",
    });
  });

  test("the tabs move with the arrow keys", async () => {
    const onTab = vi.fn();
    renderLookups({ onTab });
    const tabs = screen.getAllByRole("tab");
    expect(tabs.map((tab) => tab.getAttribute("aria-selected"))).toEqual([
      "true",
      "false",
      "false",
    ]);
    fireEvent.keyDown(tabs[0] as HTMLElement, { key: "ArrowRight" });
    expect(onTab).toHaveBeenCalledWith("mac");
    fireEvent.keyDown(tabs[0] as HTMLElement, { key: "ArrowLeft" });
    expect(onTab).toHaveBeenCalledWith("nat");
  });
});
