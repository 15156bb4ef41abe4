/**
 * Simulated hotel traffic as the hub stores it: records.jsonl bytes per
 * hotel and UTC hour, seq counting per hotel's agent, each line's sender the
 * hotel router `10.H.0.1`. For the index tests and bench/query.ts.
 */
import { encodeDataRecord } from "../../../shared/src/custody/index.ts";
import { type SimulatedLine, simulateTraffic } from "../../../shared/src/simulate/model.ts";
import { appendBatch, type Db } from "../store/index.ts";

export interface SimulatedHour {
  hotel: number;
  /** `YYYY-MM-DDTHH:00:00.000Z`. */
  hourStart: string;
  bytes: Uint8Array;
  lines: SimulatedLine[];
  firstSeq: number;
}

/** The router address of simulated hotel `hotel`. */
export const routerAddress = (hotel: number) => `10.${hotel}.0.1`;

/**
 * The simulation cut into agent hours (one agent per hotel).
 *
 * @example
 * for (const hour of simulatedHours({ hotels: 2, eps: 50, startMs, count: 10_000, seed: 7 })) ...
 */
export function* simulatedHours(options: {
  hotels: number;
  eps: number;
  startMs: number;
  count?: number;
  endMs?: number;
  seed?: number;
}): Generator<SimulatedHour> {
  const open = new Map<
    number,
    { hourStart: string; parts: Uint8Array[]; lines: SimulatedLine[]; firstSeq: number }
  >();
  const seqs = new Map<number, number>();
  const close = (hotel: number): SimulatedHour | undefined => {
    const hour = open.get(hotel);
    if (!hour) return undefined;
    open.delete(hotel);
    return {
      hotel,
      hourStart: hour.hourStart,
      bytes: Buffer.concat(hour.parts),
      lines: hour.lines,
      firstSeq: hour.firstSeq,
    };
  };
  for (const line of simulateTraffic(options)) {
    const hourStart = `${new Date(line.timeMs).toISOString().slice(0, 13)}:00:00.000Z`;
    const current = open.get(line.hotel);
    if (current && current.hourStart !== hourStart) {
      const done = close(line.hotel);
      if (done) yield done;
    }
    const seq = (seqs.get(line.hotel) ?? 0) + 1;
    seqs.set(line.hotel, seq);
    let hour = open.get(line.hotel);
    if (!hour) {
      hour = { hourStart, parts: [], lines: [], firstSeq: seq };
      open.set(line.hotel, hour);
    }
    hour.lines.push(line);
    hour.parts.push(
      encodeDataRecord({
        seq,
        receivedAtUs: BigInt(line.timeMs) * 1000n + 250n,
        src: routerAddress(line.hotel),
        port: 514,
        transport: "udp",
        bytes: Buffer.from(line.line),
      }),
    );
  }
  for (const hotel of [...open.keys()]) {
    const done = close(hotel);
    if (done) yield done;
  }
}

/** Store an hour's records as the ingest route does (one batch; the chunk stays open). */
export async function storeHour(
  db: Db,
  hour: SimulatedHour,
  agent: { hotelId: string; agentId: string },
  batchBytes = 256 * 1024,
): Promise<void> {
  const key = { ...agent, hourStart: new Date(hour.hourStart), part: 0 };
  let offset = 0;
  while (offset < hour.bytes.byteLength) {
    let end = Math.min(hour.bytes.byteLength, offset + batchBytes);
    // Batches end at a line end, as the agent sends them.
    while (end < hour.bytes.byteLength && hour.bytes[end - 1] !== 0x0a) end++;
    const outcome = await appendBatch(db, key, offset, hour.bytes.subarray(offset, end));
    if (outcome.status !== "accepted") throw new Error(`batch at ${offset}: ${outcome.status}`);
    offset = end;
  }
}
