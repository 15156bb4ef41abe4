/**
 * Data for the index tests: simulated hotel traffic (one agent per hotel)
 * stored as the ingest route stores it, the facts a 5651 lookup must find in
 * it (leases, NAT connections), and what the index made of it, read back as
 * plain values that two runs can be compared by.
 */
import { type SimulatedHour, simulatedHours, storeHour } from "../../hub/src/index/testing.ts";
import { addAgentRow, addHotelRow } from "../../hub/src/store/fixtures.ts";
import { type Db, type RawClient, rawQuery } from "../../hub/src/store/index.ts";
import type { SimulatedLine } from "../../shared/src/simulate/index.ts";

export interface SimulatedHotel {
  /** The simulator's hotel number: its guests are 10.<number>.x.x, its router `otel-<number>-gw`. */
  number: number;
  hotelId: string;
  agentId: string;
  /** Its agent hours in time order (each a chunk, seq counting on from the hour before). */
  hours: SimulatedHour[];
}

/**
 * The simulation cut per hotel: hotel `hotelIds[i]` is simulated hotel i + 1.
 *
 * @example
 * const hotels = simulateHotels(["hotel-a", "hotel-b"], { eps: 5, startMs, count: 10_000, seed: 9 });
 */
export function simulateHotels(
  hotelIds: readonly string[],
  options: { eps: number; startMs: number; count: number; seed: number },
): SimulatedHotel[] {
  const hotels = hotelIds.map((hotelId, index) => ({
    number: index + 1,
    hotelId,
    agentId: `${hotelId}-agent234`,
    hours: [] as SimulatedHour[],
  }));
  for (const hour of simulatedHours({ ...options, hotels: hotelIds.length })) {
    hotels[hour.hotel - 1]?.hours.push(hour);
  }
  return hotels;
}

/** Every line of some hours, in seq order. */
export const linesOf = (hours: readonly SimulatedHour[]): SimulatedLine[] =>
  hours.flatMap((hour) => hour.lines);

/** The hotels' rows and their agents' rows, made directly (no enrollment). */
export async function addHotelsWithAgents(
  db: Db,
  hotels: readonly SimulatedHotel[],
): Promise<void> {
  for (const hotel of hotels) {
    await addHotelRow(db, hotel.hotelId);
    await addAgentRow(db, { id: hotel.agentId, hotelId: hotel.hotelId, enrolledAt: new Date() });
  }
}

/**
 * Store hours of several hotels in time order, in batches of `batchBytes` as
 * the ingest route stores them; `afterEach` runs after each hour (a notice).
 */
export async function storeHours(
  db: Db,
  entries: readonly { hotel: SimulatedHotel; hour: SimulatedHour }[],
  batchBytes: number,
  afterEach: (hotel: SimulatedHotel, index: number) => void = () => {},
): Promise<void> {
  const ordered = [...entries].sort(
    (a, b) => a.hour.hourStart.localeCompare(b.hour.hourStart) || a.hotel.number - b.hotel.number,
  );
  for (const [index, { hotel, hour }] of ordered.entries()) {
    await storeHour(db, hour, { hotelId: hotel.hotelId, agentId: hotel.agentId }, batchBytes);
    afterEach(hotel, index);
  }
}

/** Bytes stored and not yet indexed, and bytes indexed, over every chunk. */
export async function indexProgress(raw: RawClient): Promise<{ indexed: number; waiting: number }> {
  const [row] = await rawQuery<{ indexed: string | null; waiting: string | null }>(
    raw,
    "select sum(indexed_length) as indexed, sum(length - indexed_length) as waiting from chunks",
  );
  return { indexed: Number(row?.indexed ?? 0), waiting: Number(row?.waiting ?? 0) };
}

/** Per agent: how many events, how many distinct seqs, the lowest and highest seq. */
export async function seqsPerAgent(
  raw: RawClient,
): Promise<Record<string, { events: number; distinct: number; min: number; max: number }>> {
  const rows = await rawQuery<Record<string, string>>(
    raw,
    `select agent_id, count(*) as events, count(distinct seq) as distinct_seqs, min(seq) as min_seq, max(seq) as max_seq
       from events group by agent_id order by agent_id`,
  );
  return Object.fromEntries(
    rows.map((row) => [
      String(row.agent_id),
      {
        events: Number(row.events),
        distinct: Number(row.distinct_seqs),
        min: Number(row.min_seq),
        max: Number(row.max_seq),
      },
    ]),
  );
}

/** Seqs held more than once (there must be none). */
export async function duplicateSeqs(raw: RawClient): Promise<Record<string, unknown>[]> {
  return rawQuery(
    raw,
    "select agent_id, seq, count(*) as copies from events group by 1, 2 having count(*) > 1 limit 20",
  );
}

/** Every seq 1..N of an agent exactly once: what `seqsPerAgent` shows for N records. */
export const allSeqsOnce = (records: number) => ({
  events: records,
  distinct: records,
  min: 1,
  max: records,
});

/**
 * The derived 5651 tables as plain rows (no serial ids, no device event
 * counts), ordered: two indexes of the same records must give equal values.
 */
export async function derivedTables(raw: RawClient): Promise<Record<string, unknown[]>> {
  const read = (text: string) => rawQuery(raw, text);
  return {
    leases: await read(
      `select hotel_id, agent_id, host(ip) as ip, mac::text as mac, hostname, server,
              starts_at::text as starts_at, ends_at::text as ends_at,
              start_chunk_id, start_seq, end_chunk_id, end_seq
         from leases order by agent_id, start_seq`,
    ),
    sessions: await read(
      `select hotel_id, agent_id, user_name, host(ip) as ip, mac::text as mac,
              login_at::text as login_at, logout_at::text as logout_at, logout_reason,
              start_chunk_id, start_seq, end_chunk_id, end_seq
         from hotspot_sessions order by agent_id, start_seq`,
    ),
    gaps: await read(
      `select hotel_id, agent_id, chunk_id, seq, first_at::text as first_at, last_at::text as last_at, lost, reason
         from record_gaps order by agent_id, seq`,
    ),
    // What the histograms sum (hub/src/index/derive.ts): exactly once per event, like the events.
    minutes: await read(
      `select hotel_id, agent_id, chunk_id, minute::text as minute, count
         from event_minutes order by chunk_id, minute`,
    ),
    // Event counts apart: see deviceEventCounts.
    devices: await read(
      `select hotel_id, agent_id, host(address) as address, name, last_host,
              first_seen_at::text as first_seen_at, last_seen_at::text as last_seen_at
         from devices order by agent_id, address`,
    ),
  };
}

/** Per agent, the events its devices count (the index counts each event once). */
export async function deviceEventCounts(raw: RawClient): Promise<Record<string, number>> {
  const rows = await rawQuery<{ agent_id: string; events: string }>(
    raw,
    "select agent_id, sum(event_count) as events from devices group by agent_id order by agent_id",
  );
  return Object.fromEntries(rows.map((row) => [row.agent_id, Number(row.events)]));
}

/** A DHCP lease as the simulation gave it: assigned at `fromMs`, released at `toMs` (if it was). */
export interface LeaseFact {
  ip: string;
  /** Lower case, as the hub answers. */
  mac: string;
  fromMs: number;
  toMs: number | undefined;
  /** The seqs of the line that assigned it and of the one that released it. */
  startSeq: number;
  endSeq: number | undefined;
  /** The line that assigned it, and the one that released it. */
  assigned: SimulatedLine;
  released: SimulatedLine | undefined;
}

/** The leases of a hotel's lines (all of them from seq 1, in order), from their DHCP lines. */
export function leaseFacts(lines: readonly SimulatedLine[]): LeaseFact[] {
  const open = new Map<string, LeaseFact>();
  const facts: LeaseFact[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.kind !== "dhcp") continue;
    const ip = String(line.expect["client.ip"]);
    const mac = String(line.expect["client.mac"]);
    if (line.expect["event.action"] === "assigned") {
      const fact: LeaseFact = {
        ip,
        mac,
        fromMs: line.timeMs,
        toMs: undefined,
        startSeq: index + 1,
        endSeq: undefined,
        assigned: line,
        released: undefined,
      };
      open.set(ip, fact);
      facts.push(fact);
    } else {
      const fact = open.get(ip);
      if (fact && fact.mac === mac) {
        fact.toMs = line.timeMs;
        fact.endSeq = index + 1;
        fact.released = line;
        open.delete(ip);
      }
    }
  }
  return facts;
}

/**
 * The leases the index derived for an agent, as `ip mac start_seq-end_seq`
 * lines; {@link expectedLeases} gives the same of the simulation.
 */
export async function derivedLeases(raw: RawClient, agentId: string): Promise<string[]> {
  const rows = await rawQuery<Record<string, string | null>>(
    raw,
    `select host(ip) as ip, mac::text as mac, start_seq, end_seq from leases
      where agent_id = $1 order by start_seq`,
    [agentId],
  );
  return rows.map((row) => `${row.ip} ${row.mac} ${row.start_seq}-${row.end_seq ?? "open"}`);
}

/** The leases of a hotel's lines (from seq 1) in the form of {@link derivedLeases}. */
export const expectedLeases = (lines: readonly SimulatedLine[]): string[] =>
  leaseFacts(lines).map(
    (fact) => `${fact.ip} ${fact.mac} ${fact.startSeq}-${fact.endSeq ?? "open"}`,
  );

/** A source-NAT connection of the simulation: public address and port at a time, and whose it was. */
export interface NatFact {
  publicIp: string;
  publicPort: number;
  atMs: number;
  internalIp: string;
  internalPort: number;
  mac: string;
}

export function natFacts(lines: readonly SimulatedLine[]): NatFact[] {
  return lines
    .filter((line) => line.kind === "firewall" && line.expect["source.nat.ip"] !== undefined)
    .map((line) => ({
      publicIp: String(line.expect["source.nat.ip"]),
      publicPort: Number(line.expect["source.nat.port"]),
      atMs: line.timeMs,
      internalIp: String(line.expect["source.ip"]),
      internalPort: Number(line.expect["source.port"]),
      mac: String(line.expect["source.mac"]),
    }));
}

/** A few items spread over a list (the first, the last and some between). */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from(
    { length: count },
    (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))] as T,
  );
}

/** A JSON value without its `took_ms` fields (timings differ from run to run). */
export function withoutTimings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, item) => (key === "took_ms" ? undefined : item));
}

/** A record of an agent's sealed records.jsonl, as the end-to-end tests read it. */
export interface WalRecord {
  seq: number;
  ts: string;
  src: string;
  msg: string;
}

/** The message of a simulated DHCP line without its syslog header (the header's time is the send time). */
const dhcpBodyOf = (line: string) => line.slice(line.indexOf(" dhcp,"));

/**
 * The simulation's longest lease that was released again, and when the agent
 * received its assignment and its release (`records`: the agent's sealed
 * records; the n-th simulated line with a message is the n-th record with it,
 * as the model depends on the seed only). A time between the two asks for a
 * lease in force.
 *
 * @example
 * const { lease, fromMs, toMs } = longestReleasedLease(lines, sealedRecords);
 */
export function longestReleasedLease(
  lines: readonly SimulatedLine[],
  records: readonly WalRecord[],
): { lease: LeaseFact; assigned: WalRecord; released: WalRecord; fromMs: number; toMs: number } {
  const released = leaseFacts(lines).filter(
    (fact): fact is LeaseFact & { toMs: number } => fact.toMs !== undefined,
  );
  const lease = released.sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs))[0];
  if (!lease?.released) throw new Error("the simulation released no lease");
  const recordOf = (simulated: SimulatedLine) => {
    const body = dhcpBodyOf(simulated.line);
    const nth = lines
      .slice(0, lines.indexOf(simulated))
      .filter((other) => dhcpBodyOf(other.line) === body).length;
    const record = records.filter((r) => r.msg.endsWith(body))[nth];
    if (!record) throw new Error(`the agent recorded no line ending in ${body}`);
    return record;
  };
  const assigned = recordOf(lease.assigned);
  const releasedRecord = recordOf(lease.released);
  return {
    lease,
    assigned,
    released: releasedRecord,
    fromMs: Date.parse(assigned.ts),
    toMs: Date.parse(releasedRecord.ts),
  };
}
