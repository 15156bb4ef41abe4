/**
 * Simulated hotel traffic into a hub database through the index's own code,
 * for bench/query.ts: per (hotel, UTC hour) of `simulatedHours`, a chunk row
 * as ingest makes it, then, per group of a hotel's chunks (the worker's step
 * budget, 16 chunks at most), the worker's transform (`indexRecordBytes`),
 * its partition check, and in one transaction the advisory lock, the event
 * sink's COPY, the derivation's writes and the watermark moves.
 *
 * Two paths:
 * - `direct` (default): the step's parts called one by one, each timed; the
 *   records' bytes are handed over in memory (no `chunk_batches` rows, so a
 *   20M-event load does not also store 5 GB of batches). Pipelined as the
 *   worker is on PostgreSQL: a hotel's next step is parsed while its last
 *   one is written;
 * - `worker`: the hours stored through the ingest path (`storeHour`), then
 *   `indexAgentSteps` itself until the agent has nothing left: exactly the
 *   worker's code, reading the batches back, timed only as a whole.
 * The simulation is made in slices of half a million lines; each slice's
 * full groups are then indexed `concurrency` hotels side by side, as the
 * worker steps agents with a backlog (two at once by default). Simulating
 * the traffic and storing what ingest stores happen between slices and are
 * timed apart: the indexing rate is events over the slices' indexing wall
 * time, what the index worker itself would take. The simulator's garbage is
 * collected before a slice is indexed, so its allocations do not slow the
 * indexing (measured: they cost the index about a fifth of its rate through
 * collections inside the timed part).
 */
import pLimit from "p-limit";
import { HubEvents } from "../../hub/src/events/index.ts";
import { Derivation } from "../../hub/src/index/derive.ts";
import { EventPartitions } from "../../hub/src/index/partitions.ts";
import type { EventRow } from "../../hub/src/index/rows.ts";
import { eventRowsCopy, postgresEventSink } from "../../hub/src/index/sink.ts";
import {
  chunkIdOfRow,
  indexAgentSteps,
  indexRecordBytes,
  missingDays,
  writeIndexedStep,
} from "../../hub/src/index/step.ts";
import { type SimulatedHour, simulatedHours, storeHour } from "../../hub/src/index/testing.ts";
import { addAgentRow, addHotelRow } from "../../hub/src/store/fixtures.ts";
import { type Db, type RawClient, rawQuery, rawTransaction } from "../../hub/src/store/index.ts";
import { type MachineCpu, machineCpu, postgresBackendCpu, postgresCpuSpent } from "./services.ts";

export const benchHotelId = (hotel: number) => `otel-${hotel}`;
export const benchAgentId = (hotel: number) => `otel-${hotel}-bench001`;

export type IndexPath = "direct" | "worker";

export interface LoadOptions {
  hotels: number;
  /** Lines to simulate, all hotels together. */
  events: number;
  startMs: number;
  endMs: number;
  seed: number;
  /** Bytes of records.jsonl per transaction (the worker's `maxBytesPerStep`). */
  stepBytes: number;
  /** Agents indexed side by side (the worker steps `HUB_INDEX_AGENTS_AT_ONCE` agents with a backlog at once). */
  concurrency: number;
  path: IndexPath;
  /** Also time building the COPY data on its own (done twice then; not counted in the rate). */
  profile: boolean;
  /** Each simulated hour as it is simulated, before it is indexed (to sample query inputs); its `lines` are emptied after. */
  onHour?: (hour: SimulatedHour) => void;
  /** Every few seconds while loading. */
  onProgress?: (figures: LoadFigures) => void;
}

export interface LoadFigures {
  events: number;
  chunks: number;
  /** Index transactions. */
  steps: number;
  invalidLines: number;
  /** With `profile`: bytes of COPY data made (all rows). */
  copyBytes: number;
  wallMs: number;
  /** Making the lines and their records.jsonl bytes (the simulator, not the hub). */
  simulateMs: number;
  /** What ingest would have done: chunk rows (direct), or the stored batches (worker). */
  ingestMs: number;
  /** The index worker's share: what the indexing rate is over. */
  indexMs: number;
  /** This process's CPU (user + system) during `indexMs`. */
  indexCpuMs: number;
  /** CPU of the PostgreSQL backends serving this database during the load (all of it, ingest included). */
  postgresCpuMs: number;
  /**
   * The whole machine during `indexMs` (/proc/stat, all cores): busy and idle
   * seconds. Busy beyond the two figures above is PostgreSQL's background
   * processes (autovacuum, checkpointer, WAL writer), the kernel's writeback
   * and anything else running.
   */
  machine: MachineCpu;
  /** Direct path only: where `indexMs` went. */
  parts: {
    parseMs: number;
    partitionsMs: number;
    copyMs: number;
    /** The derived tables and the watermark moves (sent together). */
    deriveMs: number;
    /** BEGIN, the advisory lock, COMMIT. */
    transactionMs: number;
    /** With `profile`: building the COPY data alone (inside `parseMs`, done with the plan). */
    copyDataMs?: number;
  };
}

interface PendingChunk {
  id: number;
  name: string;
  bytes: Uint8Array;
}

/** A hotel's hours for one step of its agent (`chunks`: the direct path's chunk rows). */
interface Group {
  hotel: number;
  chunks: PendingChunk[];
  hours: SimulatedHour[];
  bytes: number;
}

const cpuMsNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/**
 * Hotels, agents, then the simulation indexed hour by hour.
 *
 * @example
 * const figures = await loadSimulatedEvents(db, raw, { hotels: 10, events: 2e6, ... });
 * console.log(figures.events / (figures.indexMs / 1000), "events/s");
 */
export async function loadSimulatedEvents(
  db: Db,
  raw: RawClient,
  options: LoadOptions,
): Promise<LoadFigures> {
  if (raw.kind !== "postgres") throw new Error("the index load bench needs PostgreSQL");
  const hotelKeys = new Map<number, number>();
  for (let hotel = 1; hotel <= options.hotels; hotel++) {
    hotelKeys.set(hotel, await addHotelRow(db, benchHotelId(hotel)));
    await addAgentRow(db, {
      id: benchAgentId(hotel),
      hotelId: benchHotelId(hotel),
      enrolledAt: new Date(options.startMs - 86_400_000),
    });
  }
  const figures: LoadFigures = {
    events: 0,
    chunks: 0,
    steps: 0,
    invalidLines: 0,
    copyBytes: 0,
    wallMs: 0,
    simulateMs: 0,
    ingestMs: 0,
    indexMs: 0,
    indexCpuMs: 0,
    postgresCpuMs: 0,
    machine: { busyS: 0, idleS: 0, kernelS: 0, reclaimedPages: 0 },
    parts: {
      parseMs: 0,
      partitionsMs: 0,
      copyMs: 0,
      deriveMs: 0,
      transactionMs: 0,
      ...(options.profile ? { copyDataMs: 0 } : {}),
    },
  };
  const partitions = new EventPartitions(raw);
  const workerContext = {
    db,
    raw,
    sink: postgresEventSink,
    partitions,
    events: new HubEvents(() => {}),
    maxBytesPerStep: options.stepBytes,
  };
  /** Per hotel, the chunks of its next step; full groups wait in `full` for the slice's indexing. */
  const pending = new Map<number, Group>();
  const full: Group[] = [];
  /** The worker's limiter of agents stepped at once (`startIndexer`). */
  const stepping = pLimit(options.concurrency);
  const onInvalid = () => {
    figures.invalidLines++;
  };

  /** A direct step parsed and waiting for its transaction. */
  interface Prepared {
    hotel: number;
    rows: EventRow[];
    derivation: Derivation;
    moves: { id: number; from: number; to: number }[];
  }

  /**
   * The direct path's first half: the worker's plan (parse and derive in
   * memory, yielding now and then as the worker does, so the step being
   * written can send its COPY meanwhile).
   */
  async function prepareDirect({ hotel, chunks }: Group): Promise<Prepared> {
    const hotelId = benchHotelId(hotel);
    const agentId = benchAgentId(hotel);
    const started = performance.now();
    const derivation = new Derivation(hotelId, agentId);
    const rows: EventRow[] = [];
    for (const chunk of chunks) {
      await indexRecordBytes(
        chunk.bytes,
        {
          hotelId,
          hotelKey: hotelKeys.get(hotel) ?? 0,
          agentId,
          chunkId: chunk.id,
          chunk: chunk.name,
        },
        derivation,
        rows,
        onInvalid,
      );
    }
    await postgresEventSink.prepare?.(rows);
    figures.parts.parseMs += performance.now() - started;
    const moves = chunks.map((chunk) => ({ id: chunk.id, from: 0, to: chunk.bytes.byteLength }));
    return { hotel, rows, derivation, moves };
  }

  /** The direct path's second half: partitions, then the step's transaction, each part timed. */
  async function writeDirect({ hotel, rows, derivation, moves }: Prepared): Promise<void> {
    const agentId = benchAgentId(hotel);
    const parts = figures.parts;
    let at = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - at;
      at = now;
      return ms;
    };
    await partitions.ensure(missingDays(workerContext, rows));
    parts.partitionsMs += lap();
    let insideMs = 0;
    await rawTransaction(raw, async (tx) => {
      await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 5651))", [agentId]);
      let mark = performance.now();
      const took = () => {
        const now = performance.now();
        const ms = now - mark;
        mark = now;
        insideMs += ms;
        return ms;
      };
      await writeIndexedStep(tx, postgresEventSink, rows, derivation, moves, (part) => {
        const ms = took();
        if (part === "events") parts.copyMs += ms;
        else parts.deriveMs += ms;
      });
    });
    parts.transactionMs += lap() - insideMs;
    figures.events += rows.length;
    figures.steps++;
  }

  /** With `profile`: the sink's COPY data once more on its own (not counted in the rate). */
  function profileCopyData(prepared: readonly Prepared[]): number {
    if (figures.parts.copyDataMs === undefined) return 0;
    const started = performance.now();
    for (const step of prepared) figures.copyBytes += eventRowsCopy(step.rows).byteLength;
    const ms = performance.now() - started;
    figures.parts.copyDataMs += ms;
    return ms;
  }

  /** The worker path: the worker's own loop until the hotel's agent has nothing left. */
  async function indexWorker(hotel: number): Promise<void> {
    await indexAgentSteps(
      workerContext,
      benchAgentId(hotel),
      async (step) => {
        figures.events += step.rows.length;
        figures.steps++;
      },
      () => false,
    );
  }

  /**
   * Index a slice's full groups as the worker steps agents with a backlog
   * (`startIndexer`): `concurrency` hotels at a time through the same
   * limiter, and each hotel's steps in order, the next one parsed while the
   * last one is written (`indexAgentSteps`). Nothing waits between steps; the
   * only wait is at the slice's end, where the simulator makes the next one.
   * (Rounds of `concurrency` groups that all had to finish before the next
   * began left a core idle at the end of every round: that wait was the
   * bench's, not the worker's.) The rate's time is the wall time of these calls.
   */
  async function indexSlice(groups: readonly Group[]): Promise<void> {
    if (groups.length === 0) return;
    const byHotel = new Map<number, Group[]>();
    for (const group of groups) {
      const steps = byHotel.get(group.hotel);
      if (steps) steps.push(group);
      else byHotel.set(group.hotel, [group]);
    }
    const started = performance.now();
    const cpuStarted = cpuMsNow();
    const machineStarted = machineCpu();
    let profileMs = 0;
    const stepHotel = async (hotel: number, steps: readonly Group[]): Promise<void> => {
      // The worker's loop takes everything stored for the agent at once.
      if (options.path === "worker") return indexWorker(hotel);
      const [first] = steps;
      let next: Promise<Prepared> | undefined = first && prepareDirect(first);
      for (let at = 1; next; at++) {
        const prepared = await next;
        profileMs += profileCopyData([prepared]);
        const writing = writeDirect(prepared);
        const following = steps[at];
        next = following ? prepareDirect(following) : undefined;
        await writing;
      }
    };
    await Promise.all(
      [...byHotel].map(([hotel, steps]) => stepping(() => stepHotel(hotel, steps))),
    );
    figures.indexMs += performance.now() - started - profileMs;
    figures.indexCpuMs += cpuMsNow() - cpuStarted - profileMs;
    const machineEnded = machineCpu();
    for (const key of ["busyS", "idleS", "kernelS", "reclaimedPages"] as const)
      figures.machine[key] += machineEnded[key] - machineStarted[key];
  }

  /** What ingest does with an hour: a chunk row (direct), or its batches stored (worker). */
  async function ingest(hour: SimulatedHour): Promise<PendingChunk | undefined> {
    const started = performance.now();
    const hotelId = benchHotelId(hour.hotel);
    const agentId = benchAgentId(hour.hotel);
    let chunk: PendingChunk | undefined;
    if (options.path === "direct") {
      const [row] = await rawQuery<{ id: string | number }>(
        raw,
        `insert into chunks (agent_id, hotel_id, hour_start, part, length)
         values ($1, $2, $3::text::timestamptz, 0, $4) returning id`,
        [agentId, hotelId, hour.hourStart, hour.bytes.byteLength],
      );
      chunk = {
        id: Number(row?.id),
        name: chunkIdOfRow({ hour_start: hour.hourStart, part: 0 }),
        bytes: hour.bytes,
      };
    } else {
      await storeHour(db, hour, { hotelId, agentId });
    }
    figures.chunks++;
    figures.ingestMs += performance.now() - started;
    return chunk;
  }

  const postgresBefore = await postgresBackendCpu(raw);
  const loadStarted = performance.now();
  let progressAt = loadStarted;
  const hours = simulatedHours({
    hotels: options.hotels,
    eps: options.events / ((options.endMs - options.startMs) / 1000),
    startMs: options.startMs,
    endMs: options.endMs,
    count: options.events,
    seed: options.seed,
  });
  for (;;) {
    // A slice of the simulation made ahead, and its garbage collected outside
    // the timed rounds: the simulator's allocations are not the index's.
    const simulating = performance.now();
    const slice: SimulatedHour[] = [];
    let sliceEvents = 0;
    while (sliceEvents < SIMULATE_AHEAD_EVENTS) {
      const next = hours.next();
      if (next.done) break;
      slice.push(next.value);
      sliceEvents += next.value.lines.length;
    }
    // The lines' objects (each with its expected fields) let go before the rounds: kept
    // live, they were half a million objects the hub's collector marked on every full
    // collection, 17% of the bench process's CPU in the timed rounds (interleaved 2M
    // runs) that a hub, which holds no simulation, never pays.
    for (const hour of slice) {
      options.onHour?.(hour);
      hour.lines = [];
    }
    Bun.gc(true);
    figures.simulateMs += performance.now() - simulating;
    if (slice.length === 0) break;
    for (const hour of slice) await takeHour(hour);
    await indexSlice(full.splice(0));
  }
  await indexSlice([...pending.values()]);
  figures.wallMs = performance.now() - loadStarted;
  figures.postgresCpuMs = postgresCpuSpent(postgresBefore, await postgresBackendCpu(raw)) * 1000;
  return figures;

  /** An hour as ingest leaves it, joined to its hotel's next step (queueing a full one first). */
  async function takeHour(hour: SimulatedHour): Promise<void> {
    const last = pending.get(hour.hotel);
    if (
      last &&
      (last.bytes + hour.bytes.byteLength > options.stepBytes || last.hours.length >= 16)
    ) {
      pending.delete(hour.hotel);
      full.push(last);
    }
    const chunk = await ingest(hour);
    const open = pending.get(hour.hotel) ?? { hotel: hour.hotel, chunks: [], bytes: 0, hours: [] };
    if (chunk) open.chunks.push(chunk);
    open.hours.push(hour);
    open.bytes += hour.bytes.byteLength;
    pending.set(hour.hotel, open);
    if (performance.now() - progressAt > 5000) {
      progressAt = performance.now();
      figures.wallMs = progressAt - loadStarted;
      options.onProgress?.(figures);
    }
  }
}

/** Lines simulated ahead of indexing them (about 0.5 GB of hours in memory). */
const SIMULATE_AHEAD_EVENTS = 500_000;
