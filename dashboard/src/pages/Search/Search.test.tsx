import { createMemoryHistory, MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ApiError } from "../../api/client.ts";
import type { DiscloseRequest, EventHit, HotelOverview } from "../../api/types.ts";
import type { DisclosedPack } from "../../data/disclose.ts";
import { exportEvents, readExport } from "../../data/search.ts";
import { setLocale } from "../../i18n/index.ts";
import { ExportButton } from "./ExportButton.tsx";
import SearchPage from "./index.tsx";
import { QueryBar } from "./QueryBar.tsx";
import { ResultTable } from "./ResultTable.tsx";
import { SearchDisclosure, type SearchDisclosureProps } from "./SearchDisclosure.tsx";
import {
  chipProblem,
  parseSearchState,
  type SearchState,
  searchQuery,
  searchStateParams,
  searchStateQuery,
  withChip,
  withoutChip,
} from "./state.ts";
import { fromWallInput, toWallInput } from "./TimeRange.tsx";

function hit(seq: number): EventHit {
  return {
    received_at: new Date(Date.parse("2026-12-03T07:15:00Z") - seq * 1000).toISOString(),
    received_at_istanbul: "",
    hotel: "antalya-lara",
    agent: "antalya-lara-agent1",
    chunk: "2026-12-03T07",
    seq,
    device: "10.5.0.1",
    logged_at: null,
    host: "otel-gw",
    severity: 6,
    dataset: "dhcp",
    topics: ["dhcp", "info"],
    action: "assigned",
    src_ip: `10.5.${seq % 250}.${seq % 200}`,
    src_port: null,
    src_mac: "a4:c3:f0:36:4a:02",
    dst_ip: null,
    dst_port: null,
    nat_ip: null,
    nat_port: null,
    protocol: null,
    user: null,
    raw: `dhcp,info dhcp-guest assigned 10.5.1.${seq} to A4:C3:F0:36:4A:02 line-${seq}`,
  };
}

const STATE: SearchState = {
  text: 'assigned -wireless "logged in"',
  chips: [
    { field: "ip", value: "10.5.0.0/16" },
    { field: "severity", value: "warning" },
    { field: "hotels", value: "antalya-lara" },
    { field: "hotels", value: "istanbul-sisli" },
  ],
  range: { from: "2026-12-03T07:00:00.000Z", to: "2026-12-03T08:00:00.000Z" },
  columns: ["time", "src_ip", "raw"],
};

describe("the search's state in the URL", () => {
  test("a state written to a query string reads back the same", () => {
    const query = searchStateQuery(STATE);
    const read = parseSearchState(Object.fromEntries(new URLSearchParams(query)));
    expect(read).toEqual(STATE);
    const relative = { ...STATE, range: { last: "24h" as const } };
    expect(
      parseSearchState(Object.fromEntries(new URLSearchParams(searchStateQuery(relative)))),
    ).toEqual(relative);
  });

  test("missing or wrong parts take their defaults", () => {
    const state = parseSearchState({ range: "3y", cols: "nonsense", from: "yesterday" });
    expect(state).toEqual({
      text: "",
      chips: [],
      range: { last: "1h" },
      columns: ["time", "hotel", "src_ip", "user", "raw"],
    });
    // Default columns are left out of the URL, removed keys are undefined (the router drops them).
    expect(searchStateParams(state)).toMatchObject({
      cols: undefined,
      q: undefined,
      ip: undefined,
    });
  });

  test("the API's query: the range resolved at now, lists as comma lists", () => {
    const now = Date.parse("2026-12-03T10:00:00Z");
    expect(searchQuery({ ...STATE, range: { last: "15m" } }, now)).toEqual({
      from: "2026-12-03T09:45:00.000Z",
      to: "2026-12-03T10:00:00.000Z",
      text: 'assigned -wireless "logged in"',
      ip: "10.5.0.0/16",
      hotels: "antalya-lara,istanbul-sisli",
      severity: "warning",
    });
  });

  test("chips: one value per single field, many per list field; checked like the API", () => {
    let state = withChip(STATE, { field: "ip", value: "10.5.1.23" });
    expect(state.chips.filter((chip) => chip.field === "ip")).toEqual([
      { field: "ip", value: "10.5.1.23" },
    ]);
    state = withChip(state, { field: "hotels", value: "antalya-lara" });
    expect(state.chips.filter((chip) => chip.field === "hotels")).toHaveLength(2);
    state = withoutChip(state, { field: "hotels", value: "antalya-lara" });
    expect(state.chips.filter((chip) => chip.field === "hotels")).toHaveLength(1);
    expect(chipProblem({ field: "ip", value: "10.5.0.0/33" })).toBe("search.invalid.ip");
    expect(chipProblem({ field: "mac", value: "A4-C3-F0-36-4A-02" })).toBeUndefined();
    expect(chipProblem({ field: "nat", value: "198.51.100.1:56687" })).toBeUndefined();
    expect(chipProblem({ field: "port", value: "70000" })).toBe("search.invalid.port");
  });

  test("absolute times are read on the chosen zone's wall clock", () => {
    const instant = Date.parse("2026-12-03T07:15:00Z");
    expect(toWallInput(instant, "istanbul")).toBe("2026-12-03T10:15");
    expect(toWallInput(instant, "utc")).toBe("2026-12-03T07:15");
    expect(fromWallInput("2026-12-03T10:15", "istanbul")).toBe(instant);
  });
});

describe("the query bar", () => {
  test("Enter runs the search; filters are added as chips and removed", async () => {
    setLocale("en");
    const onRun = vi.fn();
    const onAddChip = vi.fn();
    const onRemoveChip = vi.fn();
    render(() => (
      <QueryBar
        text=""
        chips={STATE.chips}
        range={{ last: "1h" }}
        fromMs={0}
        toMs={3_600_000}
        hotels={[{ id: "antalya-lara", name: "Lara Beach" }]}
        onRun={onRun}
        onAddChip={onAddChip}
        onRemoveChip={onRemoveChip}
        onRange={() => {}}
      />
    ));
    const text = screen.getByLabelText("Words to find");
    fireEvent.input(text, { target: { value: "assigned" } });
    fireEvent.submit(text.closest("form") as HTMLFormElement);
    expect(onRun).toHaveBeenCalledWith("assigned");

    // A wrong value is refused with a sentence, a right one becomes a chip.
    const value = screen.getByLabelText("Value");
    fireEvent.input(value, { target: { value: "10.5.1" } });
    fireEvent.keyDown(value, { key: "Enter" });
    expect(screen.getByRole("alert").textContent).toContain("IP address");
    expect(onAddChip).not.toHaveBeenCalled();
    fireEvent.input(value, { target: { value: "10.5.1.23" } });
    fireEvent.click(screen.getByRole("button", { name: "Add filter" }));
    expect(onAddChip).toHaveBeenCalledWith({ field: "ip", value: "10.5.1.23" });

    expect(screen.getByText("Hotel: Lara Beach")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Remove filter Hotel: Lara Beach" }));
    expect(onRemoveChip).toHaveBeenCalledWith({ field: "hotels", value: "antalya-lara" });
  });
});

describe("the result table", () => {
  test("of 100,000 rows only a window is in the page, and scrolling moves it", async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => hit(i + 1));
    const wanted: number[] = [];
    render(() => (
      <ResultTable
        count={rows.length}
        rowAt={(index) => rows[index]}
        columns={["time", "src_ip", "raw"]}
        hotelName={(id) => id}
        onWant={(end) => wanted.push(end)}
        onOpen={() => {}}
        selected={undefined}
      />
    ));
    const bodyRows = () => document.querySelectorAll(".result-body tr");
    expect(bodyRows().length).toBeGreaterThan(10);
    expect(bodyRows().length).toBeLessThan(60);
    expect(screen.getByText(/line-1$/)).toBeTruthy();
    const scroller = document.querySelector(".result-scroll") as HTMLElement;
    scroller.scrollTop = 50_000 * 32;
    fireEvent.scroll(scroller);
    await waitFor(() => expect(screen.getByText(/line-50001$/)).toBeTruthy());
    expect(bodyRows().length).toBeLessThan(60);
    expect(screen.queryByText(/line-1$/)).toBeNull();
    expect(Math.max(...wanted)).toBeGreaterThan(50_000);
    // Rows are reachable by keyboard: the first one in view takes focus, arrows move.
    const first = bodyRows()[0] as HTMLElement;
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowDown" });
    await waitFor(() =>
      expect(document.activeElement?.getAttribute("aria-rowindex")).toBe(
        String(Number(first.getAttribute("aria-rowindex")) + 1),
      ),
    );
  });
});

describe("the export", () => {
  const encoder = new TextEncoder();
  /** A body that sends `lines` in pieces, waiting for `release` between them. */
  function slowBody(lines: string[], gate: { next?: () => void }) {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i >= lines.length) return controller.close();
        await new Promise<void>((resolve) => {
          gate.next = resolve;
        });
        controller.enqueue(encoder.encode(lines[i++]));
      },
    });
  }

  test("rows and bytes are counted as the body streams", async () => {
    const seen: number[] = [];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("received_at,raw\r\na,1\r\n"));
        controller.enqueue(encoder.encode("b,2\r\nc,3\r\n"));
        controller.close();
      },
    });
    const blob = await readExport(body, "csv", (progress) => seen.push(progress.rows));
    expect(seen).toEqual([1, 3, 3]);
    expect(blob.size).toBe(32);
  });

  test("the button shows progress, saves the file, and can be cancelled", async () => {
    setLocale("en");
    const gate: { next?: () => void } = {};
    const saved: string[] = [];
    let signal: AbortSignal | undefined;
    const open = vi.fn(async (_query: unknown, _format: unknown, s: AbortSignal) => {
      signal = s;
      const body = slowBody(['{"seq":1}\n{"seq":2}\n', '{"seq":3}\n'], gate);
      return new Response(body, {
        headers: { "content-disposition": 'attachment; filename="x.ndjson"' },
      });
    });
    render(() => (
      <ExportButton
        expected={3}
        run={(format, s, onProgress) =>
          exportEvents({ from: "a", to: "b" }, format, s, onProgress, open, (_blob, name) =>
            saved.push(name),
          )
        }
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: "Download NDJSON" }));
    await waitFor(() => expect(gate.next).toBeDefined());
    gate.next?.();
    await screen.findByText("2 lines, 20 B");
    expect((screen.getByLabelText("Download progress") as HTMLProgressElement).value).toBe(67);
    gate.next?.();
    await screen.findByText("Saved 3 lines.");
    expect(saved).toEqual(["x.ndjson"]);

    // Again, cancelled half-way.
    fireEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    await waitFor(() => expect(signal?.aborted).toBe(false));
    fireEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(signal?.aborted).toBe(true);
    gate.next?.();
    await screen.findByText("Download cancelled.");
    expect(saved).toHaveLength(1);
  });
});

describe("the search page", () => {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), "http://hub");
    const json = (value: unknown) => new Response(JSON.stringify(value));
    if (url.pathname === "/api/search") return json({ hits: [hit(1), hit(2)], took_ms: 1 });
    if (url.pathname === "/api/search/histogram")
      return json({ interval_ms: 60_000, buckets: [], total: 2, took_ms: 1 });
    if (url.pathname === "/api/search/top")
      return json({
        field: url.searchParams.get("field"),
        values: url.searchParams.get("field") === "src_ip" ? [{ value: "10.5.1.1", count: 2 }] : [],
        took_ms: 1,
      });
    if (url.pathname === "/api/search/context")
      return json({ before: [hit(3)], hit: hit(1), after: [hit(0)] });
    if (url.pathname === "/api/hotels") return json([]);
    return new Response("{}", { status: 404 });
  });
  afterEach(() => vi.unstubAllGlobals());

  test("reads its state from the URL, asks the API with it, and writes changes back", async () => {
    setLocale("en");
    vi.stubGlobal("fetch", fetchMock);
    const history = createMemoryHistory();
    history.set({ value: `/search${searchStateQuery(STATE)}` });
    render(() => (
      <MemoryRouter history={history}>
        <Route path="/search" component={SearchPage} />
      </MemoryRouter>
    ));
    await screen.findByText("IP address or block: 10.5.0.0/16");
    await screen.findByText(/line-2$/);
    const searched = fetchMock.mock.calls
      .map(([input]) => new URL(String(input), "http://hub"))
      .find((url) => url.pathname === "/api/search");
    expect(searched?.searchParams.get("ip")).toBe("10.5.0.0/16");
    expect(searched?.searchParams.get("from")).toBe("2026-12-03T07:00:00.000Z");
    expect(searched?.searchParams.get("hotels")).toBe("antalya-lara,istanbul-sisli");

    fireEvent.click(
      screen.getByRole("button", { name: "Remove filter IP address or block: 10.5.0.0/16" }),
    );
    await waitFor(() => expect(history.get()).not.toContain("ip="));
    expect(history.get()).toContain("hotels=antalya-lara%2Cistanbul-sisli");

    // A value of the sidebar adds its filter in one click.
    fireEvent.click(
      (await screen.findAllByRole("button", { name: /10\.5\.1\.1/ }))[0] as HTMLElement,
    );
    await waitFor(() => expect(history.get()).toContain("ip=10.5.1.1"));

    // A row opens its detail with the lines around it; Escape closes it.
    fireEvent.click(await screen.findByText(/line-1$/));
    await screen.findByRole("dialog", { name: "Log line detail" });
    await waitFor(() => expect(document.querySelector(".context-line.current")).not.toBeNull());
    expect(document.querySelectorAll(".context-line")).toHaveLength(3);
    fireEvent.keyDown(document, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });
});

describe("the disclosure pack of a search", () => {
  const HOTELS: HotelOverview[] = ["antalya-lara", "istanbul-sisli"].map((id, index) => ({
    id,
    name: index === 0 ? "Lara Beach Otel" : "Şişli Otel",
    created_at: "2026-01-01T00:00:00.000Z",
    retention_days: 730,
    legal_hold: false,
    agents: 1,
  }));
  const QUERY = {
    from: "2026-12-03T07:00:00.000Z",
    to: "2026-12-03T08:00:00.000Z",
    text: "assigned",
    ip: "10.5.1.23",
    hotels: "antalya-lara",
  };
  const PACK: DisclosedPack = {
    fileName: "logmaster-disclosure-antalya-lara-2026-123.tar.gz",
    summary: { hotel_id: "antalya-lara", case: "2026/123", audit_id: 3, lines: 12, chunks: [] },
  };
  function renderPack(props: Partial<SearchDisclosureProps>) {
    const all: SearchDisclosureProps = {
      query: QUERY,
      total: 12,
      hotels: HOTELS,
      disclose: async () => PACK,
      ...props,
    };
    render(() => <SearchDisclosure {...all} />);
    return screen.getByRole("button", { name: /Disclosure pack \(court\)|Adli makam/ });
  }
  const fill = async (caseReference: string) => {
    fireEvent.input(await screen.findByLabelText("Case reference"), {
      target: { value: caseReference },
    });
    fireEvent.click(screen.getByRole("button", { name: /Make and download the pack/ }));
  };

  test("posts the search's range and filters, of the one hotel it is narrowed to", async () => {
    setLocale("en");
    const disclose = vi.fn(async (_request: DiscloseRequest) => PACK);
    fireEvent.click(renderPack({ disclose }));
    expect(screen.getByText("In the pack: the lines this search finds (12).")).toBeTruthy();
    expect(screen.queryByLabelText("Hotel of the pack")).toBeNull();
    await fill("2026/123");
    await screen.findByText("Pack saved to your downloads:");
    expect(disclose).toHaveBeenCalledWith({
      hotel: "antalya-lara",
      case: "2026/123",
      query: {
        kind: "search",
        from: "2026-12-03T07:00:00.000Z",
        to: "2026-12-03T08:00:00.000Z",
        text: "assigned",
        ip: "10.5.1.23",
      },
    });
  });

  test("over 10,000 lines it is disabled, and says why", () => {
    setLocale("en");
    const disclose = vi.fn(async () => PACK);
    const button = renderPack({ total: 12_345, disclose });
    expect(button.getAttribute("aria-disabled")).toBe("true");
    const reason =
      "This search finds 12,345 lines; a pack holds at most 10,000. Narrow it (a shorter time range, an IP, MAC or text).";
    expect(screen.getByText(reason)).toBeTruthy();
    expect(button.getAttribute("aria-describedby")).toBe(screen.getByText(reason).id);
    fireEvent.click(button);
    expect(screen.queryByLabelText("Case reference")).toBeNull();
  });

  test("a filter a pack cannot apply disables it, named in Turkish", () => {
    setLocale("tr");
    const button = renderPack({ query: { ...QUERY, severity: "warning", datasets: "dhcp" } });
    expect(button.getAttribute("aria-disabled")).toBe("true");
    expect(
      screen.getByText(
        "Paket şu süzgeçleri uygulayamaz: Önem derecesi, Kayıt türü. Bunları kaldırın ya da IP, MAC, port, kullanıcı veya metinle daraltın.",
      ),
    ).toBeTruthy();
  });

  test("over several hotels it asks for one; the hub's refusal of a big search reads plainly", async () => {
    setLocale("en");
    const disclose = vi.fn(async (_request: DiscloseRequest): Promise<DisclosedPack> => {
      throw new ApiError(
        400,
        "too_many_lines",
        "the search finds more than 10000 lines: a disclosure holds at most 10000; narrow the query",
      );
    });
    const { hotels: _all, ...everyHotel } = QUERY;
    fireEvent.click(renderPack({ query: everyHotel, disclose }));
    expect(
      screen.getByText("In the pack: the lines this search finds in that hotel (at most 10,000)."),
    ).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Hotel of the pack"), {
      target: { value: "istanbul-sisli" },
    });
    await fill("2026/123");
    expect((await screen.findByRole("alert")).textContent).toBe(
      "More than 10,000 lines: a pack holds at most 10,000. Narrow the search (a shorter time range, an IP, MAC or text).",
    );
    expect(disclose.mock.calls[0]?.[0].hotel).toBe("istanbul-sisli");
  });
});
