import { MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import type { EventHit } from "../../api/types.ts";
import {
  backoffMs,
  createTailView,
  RateMeter,
  SseParser,
  TailBuffer,
  type TailConnection,
} from "../../data/tail.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { Live, type LiveProps } from "./Live.tsx";

let nextSeq = 1;
function hit(raw: string): EventHit {
  const seq = nextSeq++;
  return {
    received_at: new Date(Date.parse("2026-12-03T07:00:00Z") + seq * 1000).toISOString(),
    received_at_istanbul: "",
    hotel: "antalya-lara",
    agent: "antalya-lara-ab12",
    chunk: "2026-12-03T07",
    seq,
    device: "10.5.0.1",
    logged_at: null,
    host: "gw",
    severity: 6,
    dataset: "dhcp",
    topics: ["dhcp", "info"],
    action: "assigned",
    src_ip: null,
    src_port: null,
    src_mac: null,
    dst_ip: null,
    dst_port: null,
    nat_ip: null,
    nat_port: null,
    protocol: null,
    user: null,
    raw,
  };
}
const hits = (count: number, prefix = "line") =>
  Array.from({ length: count }, (_, index) => hit(`${prefix} ${index}`));

beforeEach(() => {
  setLocale("en");
  setZone("istanbul");
});

describe("the tail's buffer", () => {
  test("keeps the last maxLines only, so memory stays flat", () => {
    const buffer = new TailBuffer(100);
    for (let round = 0; round < 30; round++) buffer.push(hits(17));
    expect(buffer.shown).toHaveLength(100);
    expect(buffer.shown.at(-1)?.hit.seq).toBe(nextSeq - 1);
    expect(buffer.shown[0]?.hit.seq).toBe(nextSeq - 100);
  });

  test("paused, it shows nothing new and counts what waits; resumed, the waiting lines follow", () => {
    const buffer = new TailBuffer(10);
    buffer.push(hits(4, "before"));
    buffer.pause();
    buffer.push(hits(3, "while"));
    buffer.push(hits(12, "while"));
    expect(buffer.shown.map((line) => line.hit.raw)).toEqual([
      "before 0",
      "before 1",
      "before 2",
      "before 3",
    ]);
    // 15 arrived; 10 are kept (bounded too), all 15 counted.
    expect(buffer.pendingCount).toBe(15);
    expect(buffer.pending).toHaveLength(10);
    buffer.resume();
    expect(buffer.pendingCount).toBe(0);
    expect(buffer.shown).toHaveLength(10);
    expect(buffer.shown.at(-1)?.hit.raw).toBe("while 11");
  });

  test("the rate is lines per second over the window", () => {
    const meter = new RateMeter(10_000);
    meter.add(30, 1_000);
    meter.add(20, 9_000);
    expect(meter.perSecond(10_000)).toBe(5);
    expect(meter.perSecond(18_500)).toBe(2);
  });

  test("backoff doubles up to 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(backoffMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});

describe("the event-stream parser", () => {
  test("reads events split anywhere, skipping comments", () => {
    const parser = new SseParser();
    expect(parser.push('event: ready\ndata: {"hotels":["a"]}\n')).toEqual([]);
    expect(parser.push("\n: keep-alive\n\nevent: eve")).toEqual([
      { event: "ready", data: '{"hotels":["a"]}' },
    ]);
    expect(parser.push("nts\r\ndata: [1,\ndata: 2]\r\n\r\n")).toEqual([
      { event: "events", data: "[1,\n2]" },
    ]);
  });
});

function renderLive(props: Partial<LiveProps> = {}) {
  const tail = createTailView(new TailBuffer(5));
  const view = () => (
    <Live
      query={{}}
      hotels={[]}
      connection={{ status: "live", hotels: ["antalya-lara"] } satisfies TailConnection}
      nowMs={0}
      rate={2.5}
      maxLines={tail.maxLines}
      lines={tail.lines()}
      paused={tail.paused()}
      pendingCount={tail.pendingCount()}
      onFilter={() => {}}
      onPause={tail.pause}
      onResume={tail.resume}
      onClear={tail.clear}
      onRetry={() => {}}
      {...props}
    />
  );
  render(() => (
    <MemoryRouter>
      <Route path="/" component={view} />
    </MemoryRouter>
  ));
  return { push: tail.push };
}

describe("the live tail page", () => {
  test("shows lines as they come, the rate and the state; pause holds and counts them", async () => {
    const tail = renderLive();
    expect(await screen.findByText("Connected. Waiting for new lines…")).toBeTruthy();
    expect(screen.getByText("Live")).toBeTruthy();
    expect(screen.getByText("2.5 lines/s")).toBeTruthy();
    tail.push([hit("first line")]);
    expect(await screen.findByText("first line")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Pause" }));
    tail.push([hit("held 1"), hit("held 2"), hit("held 3")]);
    expect(screen.queryByText("held 1")).toBeNull();
    expect(screen.getByText("Paused")).toBeTruthy();
    const resume = screen.getByRole("button", { name: "Resume · 3 new lines" });
    fireEvent.click(resume);
    expect(await screen.findByText("held 3")).toBeTruthy();
    expect(screen.getByText("Lines shown: 4 (the last 5 are kept)")).toBeTruthy();

    // Bounded: more lines push the oldest out.
    tail.push(hits(3, "more"));
    expect(screen.queryByText("first line")).toBeNull();
    expect(screen.getByText("Lines shown: 5 (the last 5 are kept)")).toBeTruthy();
  });

  test("a lost connection says when it retries, in Turkish", async () => {
    setLocale("tr");
    renderLive({
      connection: { status: "retrying", retryAtMs: 4_000, error: new Error("gone") },
      nowMs: 1_000,
    });
    expect(await screen.findByText("Bağlantı koptu, 3 sn sonra yeniden denenecek")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Şimdi yeniden dene" })).toBeTruthy();
    expect(screen.getByLabelText("Metin")).toBeTruthy();
  });
});
