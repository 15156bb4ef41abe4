import { MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError } from "../../api/client.ts";
import type {
  DiscloseRequest,
  EvidenceLine,
  HotelOverview,
  IpLookup,
  MacLookup,
} from "../../api/types.ts";
import {
  type DisclosedPack,
  disclosePack,
  disclosureFileName,
  mayDisclose,
} from "../../data/disclose.ts";
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

describe("the disclosure pack of an answer", () => {
  const pack = (whole = false): DisclosedPack => ({
    fileName: "logmaster-disclosure-antalya-lara-2026-123-Sorusturma.tar.gz",
    summary: {
      hotel_id: "antalya-lara",
      case: "2026/123 Soruşturma",
      audit_id: 42,
      lines: 3,
      chunks: [
        {
          dir: "antalya-lara-ab12/2026-12-03T07",
          format: whole ? "1" : "1.1",
          disclosed: whole ? "whole" : "lines",
          lines: 2,
          records: whole ? 1840 : 2,
          timestamp: "timestamped",
        },
        {
          dir: "antalya-lara-ab12/2026-12-03T08",
          format: "1.1",
          disclosed: "lines",
          lines: 1,
          records: 1,
          timestamp: "timestamped",
        },
      ],
    },
  });
  const answered = (disclose?: LookupsProps["disclose"]) =>
    renderLookups({
      question: { ...ipQuestion, hotel: "antalya-lara" },
      answer: { kind: "ip", answer: IP_ANSWER },
      disclose,
    });
  const open = () => {
    const button = screen.getByRole("button", { name: /Disclosure pack \(court\)/ });
    expect(button.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(button);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    return screen.getByRole("form", { name: "Disclosure pack (court)" });
  };

  test("hidden for a role that may not make one", () => {
    answered(undefined);
    expect(screen.queryByRole("button", { name: /Disclosure pack/ })).toBeNull();
  });

  test("asks for the case reference, then posts the lookup as asked and shows the summary", async () => {
    const disclose = vi.fn(async (_request: DiscloseRequest) => pack());
    answered(disclose);
    expect(
      screen.getByText(
        "Only the lines asked for, each provable against its signed hour, checkable offline without the hub.",
      ),
    ).toBeTruthy();
    const form = open();
    expect(within(form).getByText("In the pack: the evidence lines above (3).")).toBeTruthy();
    // The hotel asked about is the pack's: no choice to make.
    expect(within(form).queryByLabelText("Hotel of the pack")).toBeNull();
    const submit = within(form).getByRole("button", { name: /Make and download the pack/ });
    fireEvent.click(submit);
    expect(await within(form).findByText("Enter the case reference from the letter.")).toBeTruthy();
    const reference = within(form).getByLabelText("Case reference");
    expect(reference.getAttribute("aria-invalid")).toBe("true");
    expect(disclose).not.toHaveBeenCalled();

    fireEvent.input(reference, { target: { value: "  2026/123 Soruşturma " } });
    fireEvent.click(submit);
    expect(
      await within(form).findByText("logmaster-disclosure-antalya-lara-2026-123-Sorusturma.tar.gz"),
    ).toBeTruthy();
    expect(disclose).toHaveBeenCalledWith({
      hotel: "antalya-lara",
      case: "2026/123 Soruşturma",
      query: { kind: "ip", ip: "10.5.1.23", at: "2026-12-03T10:15:00+03:00" },
    });
    expect(within(form).getByText("Lines: 3 · Signed hours: 2 · Audit record no. 42")).toBeTruthy();
    expect(within(form).getByText(/2 lines$/)).toBeTruthy();
    expect(within(form).queryByText("Whole hours in the pack")).toBeNull();
    expect(within(form).getByText("python3 verify_disclosure.py")).toBeTruthy();
    expect(within(form).getByRole("button", { name: "Close" })).toBeTruthy();
  });

  test("warns when an hour went in whole (format 1), in Turkish too", async () => {
    setLocale("tr");
    answered(async () => pack(true));
    fireEvent.click(screen.getByRole("button", { name: /Adli makam için kayıt paketi/ }));
    fireEvent.input(screen.getByLabelText("Dosya numarası"), {
      target: { value: "2026/123 Soruşturma" },
    });
    fireEvent.click(screen.getByRole("button", { name: /Paketi hazırla ve indir/ }));
    expect(await screen.findByText("Pakette saatin tamamı var")).toBeTruthy();
    expect(
      screen.getByText(/Bu saatlerden 1 tanesi eski biçimde \(biçim 1\).*tamamı \(1\.840 satır\)/),
    ).toBeTruthy();
    expect(screen.getByText(/saatin tamamı, 1\.840 satır \(biçim 1\)$/)).toBeTruthy();
  });

  test("a lookup over every hotel asks which hotel's lines the pack holds", async () => {
    const disclose = vi.fn(async (_request: DiscloseRequest) => pack());
    const mixed: IpLookup = {
      ...IP_ANSWER,
      sessions: [
        {
          ...(IP_ANSWER.sessions[0] as IpLookup["sessions"][number]),
          evidence: [{ ...line(9, "2026-12-03T07:01:00.000000Z", "x"), hotel: "istanbul-sisli" }],
        },
      ],
    };
    renderLookups({ question: ipQuestion, answer: { kind: "ip", answer: mixed }, disclose });
    const form = open();
    const hotel = within(form).getByLabelText("Hotel of the pack") as HTMLSelectElement;
    expect([...hotel.options].map((option) => option.textContent)).toEqual([
      "Lara Beach Otel",
      "Şişli Otel",
    ]);
    fireEvent.change(hotel, { target: { value: "istanbul-sisli" } });
    fireEvent.input(within(form).getByLabelText("Case reference"), {
      target: { value: "2026/9" },
    });
    fireEvent.click(within(form).getByRole("button", { name: /Make and download the pack/ }));
    await within(form).findByText("Pack saved to your downloads:");
    expect(disclose.mock.calls[0]?.[0].hotel).toBe("istanbul-sisli");
  });

  test.each([
    [
      409,
      "chunk_not_sealed",
      "chunk antalya-lara-ab12/2026-12-03T08 is not sealed yet: its lines can be disclosed once …",
      "The hour of these lines is not sealed yet. Try again after the hour ends, once the hub has verified it (a few minutes).",
    ],
    [
      409,
      "chunk_failed",
      "chunk antalya-lara-ab12/2026-12-03T08 failed verification at the hub (bad signature): …",
      "The hour of these lines failed verification at the hub: they cannot be proven, so no pack is made. Tell your chain admin.",
    ],
    [
      404,
      "not_found",
      'no hotel with id or name "antalya-lara"',
      "Nothing to put in a pack: the question finds no lines in this hotel.",
    ],
    [403, "forbidden", "your role may not do this (read events)", "Your role may not do this."],
  ] as const)("a %i %s refusal reads in plain words", async (status, code, message, shown) => {
    answered(async () => {
      throw new ApiError(status, code, message);
    });
    const form = open();
    fireEvent.input(within(form).getByLabelText("Case reference"), {
      target: { value: "2026/123" },
    });
    fireEvent.click(within(form).getByRole("button", { name: /Make and download the pack/ }));
    expect((await within(form).findByRole("alert")).textContent).toBe(shown);
  });
});

describe("disclosure packs with the hub", () => {
  afterEach(() => vi.unstubAllGlobals());

  test("posts the request as JSON and saves the pack under the hotel's and the case's name", async () => {
    const summary = {
      hotel_id: "antalya-lara",
      case: "2026/123 Soruşturma",
      audit_id: 7,
      lines: 1,
      chunks: [],
    };
    // The hub escapes non-ASCII in the header (a header holds ASCII only).
    const header = JSON.stringify(summary).replace("ş", "\\u015f");
    const fetchMock = vi.fn(
      async (_input: RequestInfo | URL, _init?: RequestInit) =>
        new Response(new Uint8Array([31, 139]), {
          headers: {
            "content-type": "application/gzip",
            "content-disposition":
              'attachment; filename="logmaster-disclosure-antalya-lara-7.tar.gz"',
            "x-logmaster-disclosure": header,
          },
        }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved.push(this.download);
    });
    const request: DiscloseRequest = {
      hotel: "antalya-lara",
      case: "2026/123 Soruşturma",
      query: { kind: "ip", ip: "10.5.1.23", at: "2026-12-03T10:15:00+03:00" },
    };
    const result = await disclosePack(request);
    click.mockRestore();
    const [input, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(input)).toBe("/api/disclose");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual(request);
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
    expect(saved).toEqual(["logmaster-disclosure-antalya-lara-2026-123-Sorusturma.tar.gz"]);
    expect(result).toEqual({
      fileName: "logmaster-disclosure-antalya-lara-2026-123-Sorusturma.tar.gz",
      summary,
    });
  });

  test("file names keep to safe letters", () => {
    expect(disclosureFileName("istanbul-sisli", "Esas No: 2026/45 (İstanbul 3. Ağır Ceza)")).toBe(
      "logmaster-disclosure-istanbul-sisli-Esas-No-2026-45-Istanbul-3-Agir-Ceza.tar.gz",
    );
  });

  test("only the roles that read events and custody may make packs", () => {
    expect(mayDisclose("chain_admin")).toBe(true);
    expect(mayDisclose("hotel_manager")).toBe(true);
    expect(mayDisclose("auditor")).toBe(true);
    expect(mayDisclose("hotel_it")).toBe(false);
  });
});
