/**
 * The worker's pipelined loop on real PostgreSQL: the next step is planned
 * while the last one commits, and a plan another hub overtook is dropped and
 * made again, never written twice.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { HubEvents } from "../events/index.ts";
import { addAgentRow, addHotelRow } from "../store/fixtures.ts";
import { openStore, rawQuery, type Store } from "../store/index.ts";
import { createScratchDatabase } from "../store/testing.ts";
import { Derivation } from "./derive.ts";
import { EventPartitions } from "./partitions.ts";
import type { EventRow } from "./rows.ts";
import { postgresEventSink } from "./sink.ts";
import {
  type IndexStepContext,
  indexAgentStep,
  indexAgentSteps,
  indexRecordBytes,
  missingDays,
} from "./step.ts";
import { simulatedHours, storeHour } from "./testing.ts";

const AGENT = "h1-agent";
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let store: Store;
let lines = 0;
const seen: string[] = [];

const context = (): IndexStepContext => ({
  db: store.db,
  raw: store.raw,
  sink: postgresEventSink,
  partitions: new EventPartitions(store.raw),
  events: new HubEvents((line) => seen.push(line)),
  // Small steps: many of them, each planned while the one before commits.
  maxBytesPerStep: 48 * 1024,
});

beforeAll(async () => {
  scratch = await createScratchDatabase();
  store = await openStore({ kind: "postgres", url: scratch.url });
  await store.migrate();
  await addHotelRow(store.db, "h1");
  await addAgentRow(store.db, { id: AGENT, hotelId: "h1", enrolledAt: new Date() });
  for (const hour of simulatedHours({
    hotels: 1,
    eps: 2,
    startMs: Date.parse("2026-03-12T09:30:00Z"),
    count: 3_000,
    seed: 7,
  })) {
    lines += hour.lines.length;
    await storeHour(store.db, hour, { hotelId: "h1", agentId: AGENT }, 16 * 1024);
  }
});

afterAll(async () => {
  await store?.close();
  await scratch?.drop();
});

async function indexedSeqs(): Promise<{ total: number; distinct: number }> {
  const [row] = await rawQuery<{ total: string; distinct: string }>(
    store.raw,
    "select count(*) as total, count(distinct seq) as distinct from events where agent_id = $1",
    [AGENT],
  );
  return { total: Number(row?.total), distinct: Number(row?.distinct) };
}

test("a plan overtaken by another hub is made again: every seq once, nothing waiting", async () => {
  const pipelined = context();
  const otherHub = context();
  let steps = 0;
  let overtakenBy = 0;
  await indexAgentSteps(
    pipelined,
    AGENT,
    async () => {
      steps++;
      // While this hub's next plan waits to be written, another hub takes that step first.
      if (steps % 3 === 1) overtakenBy += (await indexAgentStep(otherHub, AGENT)).rows.length;
    },
    () => false,
  );
  expect(overtakenBy).toBeGreaterThan(0);
  expect(steps).toBeGreaterThan(3);
  expect(await indexedSeqs()).toEqual({ total: lines, distinct: lines });
  const [waiting] = await rawQuery<{ n: string }>(
    store.raw,
    "select count(*) as n from chunks where agent_id = $1 and indexed_length < length",
    [AGENT],
  );
  expect(Number(waiting?.n)).toBe(0);
  expect(seen.join("\n")).not.toContain("IndexRecordInvalid");
});

/** One data record line; `src` and `ts` as given (what a rogue agent may send). */
const recordLine = (seq: number, src: string, ts = "2026-03-12T09:30:00.000001Z") =>
  `{"seq":${seq},"ts":"${ts}","src":"${src}","port":514,"transport":"udp","msg":"<30>gw dhcp,info lease"}\n`;

/** The index's transform of some record lines: the rows, and each invalid line as "reason: line". */
async function indexLines(lines: string[]): Promise<{ rows: EventRow[]; invalid: string[] }> {
  const rows: EventRow[] = [];
  const invalid: string[] = [];
  await indexRecordBytes(
    new TextEncoder().encode(lines.join("")),
    { hotelId: "h1", hotelKey: 1, agentId: AGENT, chunkId: 1, chunk: "2026-03-12T09" },
    new Derivation("h1", AGENT),
    rows,
    (line, reason) => invalid.push(`${reason}: ${line}`),
  );
  return { rows, invalid };
}

test("a zoned sender is indexed without its zone; a sender that is no address is counted and left out", async () => {
  const { rows, invalid } = await indexLines([
    recordLine(1, "fe80::1%eth0"),
    recordLine(2, "no-address"),
    recordLine(3, "10.5.0.1"),
  ]);
  expect(rows.map((row) => [row.seq, row.deviceIp])).toEqual([
    [1, "fe80::1"],
    [3, "10.5.0.1"],
  ]);
  expect(invalid).toEqual(["src is not an address: seq 2 src no-address"]);
});

test("a record whose time is no time is counted and left out, not a stalled step", async () => {
  const { rows, invalid } = await indexLines([
    recordLine(1, "10.5.0.1"),
    recordLine(2, "10.5.0.1", "yesterday"),
    recordLine(3, "10.5.0.1", "2026-02-30T09:30:00.000001Z"),
    recordLine(4, "10.5.0.1", "2026-03-12T12:30:00.5+03:00"),
  ]);
  expect(rows.map((row) => [row.seq, row.receivedUs])).toEqual([
    [1, Date.UTC(2026, 2, 12, 9, 30) * 1000 + 1],
    [4, Date.UTC(2026, 2, 12, 9, 30) * 1000 + 500_000],
  ]);
  expect(invalid).toEqual([
    "ts is not a time: seq 2 ts yesterday",
    "ts is not a time: seq 3 ts 2026-02-30T09:30:00.000001Z",
  ]);
});

test("the partition check finds every day a step's rows fall on, once each", () => {
  const known = new Set(["2026-03-12"]);
  const check = {
    ...context(),
    partitions: { has: (day: string) => known.has(day) } as EventPartitions,
  };
  const at = (receivedAt: string) => ({ receivedUs: Date.parse(receivedAt) * 1000 }) as EventRow;
  const rows = [
    at("2026-03-11T23:59:59.999Z"),
    at("2026-03-12T00:00:00.000Z"),
    at("2026-03-12T23:59:59.999Z"),
    at("2026-03-13T00:00:00.001Z"),
    at("2026-03-13T05:00:00.000Z"),
  ];
  expect(missingDays(check, rows)).toEqual(["2026-03-11", "2026-03-13"]);
});
