/**
 * The three questions of a Law 5651 request, answered from the derived
 * tables (leases, hotspot sessions) and the events, each answer with the
 * evidence lines that prove it and, when nothing matches, why:
 * - `ip` at T: the DHCP lease in force, the hotspot user, the MAC and name;
 * - `mac` over a range: every address and hotspot session it had;
 * - `nat`: public IP:port at T to the internal IP:port and the device.
 */
import { z } from "zod";
import type { RawClient, RawTx } from "../store/index.ts";
import type { EventReader, EvidenceRef, NatQuestion } from "./engine.ts";
import { HIT_COLUMNS, hitOf } from "./postgres.ts";
import type { LookupIpRequest, LookupMacRequest, LookupNatRequest } from "./request.ts";
import { type EventHit, eventHitSchema, evidenceLineSchema, timesSchema } from "./response.ts";
import {
  eventHotelIn,
  hotelIn,
  hotelKeys,
  inReadScope,
  narrowScope,
  type ReadScope,
} from "./scope.ts";
import { bothTimes, utcText } from "./time.ts";

/** Why a lookup found nothing, most telling first. */
export const noMatchSchema = z.object({
  reason: z.enum(["no_data", "gap", "no_lease", "no_session", "no_nat"]),
  message: z.string(),
  /** `no_lease` of an IP: its last lease before the time asked. Another device's: a disclosure leaves it out. */
  previous_lease: z.object({ mac: z.string(), ended_at: z.string().nullable() }).optional(),
});

export const leaseSchema = z.object({
  hotel: z.string(),
  agent: z.string(),
  ip: z.string(),
  mac: z.string(),
  hostname: z.string().nullable(),
  server: z.string().nullable(),
  from: timesSchema,
  /** Null: no release logged yet (the lease was still in force at the last line the hub holds). */
  to: timesSchema.nullable(),
  evidence: z.array(evidenceLineSchema),
});

export const sessionSchema = z.object({
  hotel: z.string(),
  agent: z.string(),
  user: z.string(),
  ip: z.string(),
  mac: z.string().nullable(),
  login: timesSchema,
  logout: timesSchema.nullable(),
  logout_reason: z.string().nullable(),
  evidence: z.array(evidenceLineSchema),
});

export const ipLookupSchema = z.object({
  query: z.object({ ip: z.string(), at: timesSchema, hotels: z.array(z.string()) }),
  lease: leaseSchema.nullable(),
  sessions: z.array(sessionSchema),
  mac: z.string().nullable(),
  hostname: z.string().nullable(),
  no_match: z.array(noMatchSchema),
});

export const macLookupSchema = z.object({
  query: z.object({
    mac: z.string(),
    from: timesSchema,
    to: timesSchema,
    hotels: z.array(z.string()),
  }),
  leases: z.array(leaseSchema),
  sessions: z.array(sessionSchema),
  no_match: z.array(noMatchSchema),
});

export const natLookupSchema = z.object({
  query: z.object({
    ip: z.string(),
    port: z.number(),
    at: timesSchema,
    hotels: z.array(z.string()),
  }),
  /** The srcnat line of the connection that held the public port at T. */
  connection: eventHitSchema.nullable(),
  internal: z.object({ ip: z.string(), port: z.number().nullable() }).nullable(),
  /** Who had the internal address then (the `ip` lookup at the connection's time). */
  device: ipLookupSchema.nullable(),
  /** Other connections that used the same public port within 5 minutes of T. */
  nearby: z.array(eventHitSchema),
  evidence: z.array(evidenceLineSchema),
  no_match: z.array(noMatchSchema),
});

export type Lease = z.infer<typeof leaseSchema>;
export type Session = z.infer<typeof sessionSchema>;
export type IpLookup = z.infer<typeof ipLookupSchema>;
export type MacLookup = z.infer<typeof macLookupSchema>;
export type NatLookup = z.infer<typeof natLookupSchema>;
type NoMatch = z.infer<typeof noMatchSchema>;
type EvidenceLine = z.infer<typeof evidenceLineSchema>;

/** The event lines of evidence references (one query; receive times prune the partitions). */
async function evidenceLines(
  tx: RawTx,
  hotels: readonly string[],
  refs: readonly EvidenceRef[],
): Promise<Map<string, EvidenceLine>> {
  const lines = new Map<string, EvidenceLine>();
  if (refs.length === 0) return lines;
  const rows = await tx.query(
    `select ${HIT_COLUMNS} from events e join chunks c on c.id = e.chunk_id
      join unnest($2::text[], $3::bigint[], $4::text[]::timestamptz[]) as r(agent_id, seq, at)
        on e.agent_id = r.agent_id and e.seq = r.seq and e.received_at = r.at
     where ${eventHotelIn("e", "$1")} and e.received_at = any($4::text[]::timestamptz[])
       and e.received_at between $5::timestamptz and $6::timestamptz`,
    // The typed bounds let the planner prune partitions (the µs times are text, cast at run time).
    [
      await hotelKeys(tx, hotels),
      refs.map((r) => r.agent),
      refs.map((r) => r.seq),
      refs.map((r) => r.at),
      new Date(Math.min(...refs.map((r) => Date.parse(r.at))) - 1).toISOString(),
      new Date(Math.max(...refs.map((r) => Date.parse(r.at))) + 1).toISOString(),
    ],
  );
  for (const row of rows) {
    const hit = hitOf(row);
    lines.set(`${hit.agent}#${hit.seq}`, evidenceOf(hit));
  }
  return lines;
}

export function evidenceOf(hit: EventHit): EvidenceLine {
  return {
    raw: hit.raw,
    received_at: hit.received_at,
    received_at_istanbul: hit.received_at_istanbul,
    hotel: hit.hotel,
    agent: hit.agent,
    chunk: hit.chunk,
    seq: hit.seq,
  };
}

const LEASE_COLUMNS = `l.hotel_id, l.agent_id, host(l.ip) as ip, l.mac::text as mac, l.hostname, l.server,
  ${utcText("l.starts_at")} as starts_at, ${utcText("l.ends_at")} as ends_at, l.start_seq, l.end_seq`;
const SESSION_COLUMNS = `s.hotel_id, s.agent_id, s.user_name, host(s.ip) as ip, s.mac::text as mac,
  ${utcText("s.login_at")} as login_at, ${utcText("s.logout_at")} as logout_at, s.logout_reason,
  s.start_seq, s.end_seq`;

type Row = Record<string, unknown>;

function refsOf(rows: readonly Row[], startAt: string, endAt: string): EvidenceRef[] {
  const refs: EvidenceRef[] = [];
  for (const row of rows) {
    refs.push({
      agent: String(row.agent_id),
      seq: Number(row.start_seq),
      at: String(row[startAt]),
    });
    if (row[endAt] !== null && row.end_seq !== null) {
      refs.push({ agent: String(row.agent_id), seq: Number(row.end_seq), at: String(row[endAt]) });
    }
  }
  return refs;
}

function pick(lines: Map<string, EvidenceLine>, row: Row): EvidenceLine[] {
  const out: EvidenceLine[] = [];
  for (const seq of [row.start_seq, row.end_seq]) {
    const line = seq === null ? undefined : lines.get(`${row.agent_id}#${Number(seq)}`);
    if (line) out.push(line);
  }
  return out;
}

function leaseOf(row: Row, lines: Map<string, EvidenceLine>): Lease {
  return {
    hotel: String(row.hotel_id),
    agent: String(row.agent_id),
    ip: String(row.ip),
    mac: String(row.mac),
    hostname: (row.hostname as string | null) ?? null,
    server: (row.server as string | null) ?? null,
    from: bothTimes(String(row.starts_at)),
    to: row.ends_at === null ? null : bothTimes(String(row.ends_at)),
    evidence: pick(lines, row),
  };
}

function sessionOf(row: Row, lines: Map<string, EvidenceLine>): Session {
  return {
    hotel: String(row.hotel_id),
    agent: String(row.agent_id),
    user: String(row.user_name),
    ip: String(row.ip),
    mac: (row.mac as string | null) ?? null,
    login: bothTimes(String(row.login_at)),
    logout: row.logout_at === null ? null : bothTimes(String(row.logout_at)),
    logout_reason: (row.logout_reason as string | null) ?? null,
    evidence: pick(lines, row),
  };
}

const hourOf = (date: Date) => `${date.toISOString().slice(0, 13)}:00:00Z`;

/**
 * Why there is nothing: no records for the hour(s), or a gap the agent
 * recorded, else the given fallback. Looked up only when nothing matched.
 */
async function whyNothing(
  tx: RawTx,
  hotels: readonly string[],
  from: Date,
  to: Date,
  fallback: NoMatch,
): Promise<NoMatch[]> {
  const reasons: NoMatch[] = [];
  const held = await tx.query<{ hotel_id: string }>(
    `select distinct hotel_id from chunks
      where ${hotelIn("hotel_id", "$1")} and hour_start <= $3::timestamptz
        and hour_start > $2::timestamptz - interval '1 hour'`,
    [hotels, from.toISOString(), to.toISOString()],
  );
  const missing = hotels.filter((hotel) => !held.some((row) => row.hotel_id === hotel));
  if (missing.length > 0) {
    const span =
      from.getTime() === to.getTime()
        ? `the hour of ${hourOf(from)}`
        : `${from.toISOString()} .. ${to.toISOString()}`;
    reasons.push({
      reason: "no_data",
      message: `the hub holds no records of ${missing.join(", ")} for ${span}: the agent sent nothing then (it was off, or its records have not arrived)`,
    });
  }
  const gaps = await tx.query<{
    agent_id: string;
    lost: string | number;
    reason: string;
    first_at: string;
    last_at: string;
  }>(
    `select agent_id, lost, reason, ${utcText("first_at")} as first_at, ${utcText("last_at")} as last_at
       from record_gaps where ${hotelIn("hotel_id", "$1")}
        and first_at <= $3::timestamptz + interval '10 minutes' and last_at >= $2::timestamptz - interval '1 hour'
      order by first_at limit 20`,
    [hotels, from.toISOString(), to.toISOString()],
  );
  for (const gap of gaps) {
    reasons.push({
      reason: "gap",
      message: `agent ${gap.agent_id} recorded ${Number(gap.lost)} lost datagrams (${gap.reason}) from ${gap.first_at} to ${gap.last_at}: a line that would answer may be among them`,
    });
  }
  if (reasons.length === 0 || held.length > 0) reasons.push(fallback);
  return reasons;
}

/**
 * The 5651 lookups on the derived tables; evidence lines and NAT connections
 * from `events`, or from the {@link EventReader} given (Elasticsearch) when
 * events are not in PostgreSQL.
 *
 * @example
 * const lookups = new Lookups(store.raw);
 * const answer = await lookups.ip(scope, { ip: "10.5.1.23", at: new Date("2026-03-12T14:32:00+03:00") });
 */
export class Lookups {
  constructor(
    readonly raw: RawClient,
    readonly events?: EventReader,
  ) {}

  async #evidenceLines(
    tx: RawTx,
    hotels: readonly string[],
    refs: readonly EvidenceRef[],
  ): Promise<Map<string, EvidenceLine>> {
    if (!this.events) return evidenceLines(tx, hotels, refs);
    const lines = new Map<string, EvidenceLine>();
    for (const hit of await this.events.evidence(hotels, refs))
      lines.set(`${hit.agent}#${hit.seq}`, evidenceOf(hit));
    return lines;
  }

  async ip(scope: ReadScope, request: LookupIpRequest): Promise<IpLookup> {
    const hotels = narrowScope(scope, request.hotel ? [request.hotel] : undefined);
    return inReadScope(this.raw, scope, (tx) => this.#ip(tx, hotels, request.ip, request.at));
  }

  async #ip(tx: RawTx, hotels: readonly string[], ip: string, at: Date): Promise<IpLookup> {
    const atText = at.toISOString();
    // The lease of the address that started last at or before T, if it had not ended before T.
    const leases = await tx.query(
      `select ${LEASE_COLUMNS} from leases l
        where ${hotelIn("l.hotel_id", "$1")} and l.ip = $2::inet and l.starts_at <= $3::timestamptz
        order by l.starts_at desc limit 1`,
      [hotels, ip, atText],
    );
    const lease = leases.filter(
      (row) => row.ends_at === null || String(row.ends_at) >= toMicros(atText),
    );
    const sessions = await tx.query(
      `select ${SESSION_COLUMNS} from hotspot_sessions s
        where ${hotelIn("s.hotel_id", "$1")} and s.ip = $2::inet and s.login_at <= $3::timestamptz
          and (s.logout_at is null or s.logout_at >= $3::timestamptz)
        order by s.login_at desc limit 5`,
      [hotels, ip, atText],
    );
    const lines = await this.#evidenceLines(tx, hotels, [
      ...refsOf(lease, "starts_at", "ends_at"),
      ...refsOf(sessions, "login_at", "logout_at"),
    ]);
    const leaseAnswer = lease[0] ? leaseOf(lease[0], lines) : null;
    const sessionAnswers = sessions.map((row) => sessionOf(row, lines));
    const previous = leases[0] && !lease[0] ? leases[0] : undefined;
    const noMatch = leaseAnswer
      ? []
      : await whyNothing(tx, hotels, at, at, {
          reason: "no_lease",
          message: previous
            ? `no DHCP lease of ${ip} was in force at ${atText}: the last one before ended at ${previous.ends_at}`
            : `no DHCP lease of ${ip} was in force at ${atText}: the hub holds no assignment of it before then`,
          ...(previous
            ? {
                previous_lease: {
                  mac: String(previous.mac),
                  ended_at: previous.ends_at === null ? null : String(previous.ends_at),
                },
              }
            : {}),
        });
    return {
      query: { ip, at: bothTimes(toMicros(atText)), hotels: [...hotels] },
      lease: leaseAnswer,
      sessions: sessionAnswers,
      mac: leaseAnswer?.mac ?? sessionAnswers[0]?.mac ?? null,
      hostname: leaseAnswer?.hostname ?? null,
      no_match: noMatch,
    };
  }

  async mac(scope: ReadScope, request: LookupMacRequest): Promise<MacLookup> {
    const hotels = narrowScope(scope, request.hotel ? [request.hotel] : undefined);
    return inReadScope(this.raw, scope, async (tx) => {
      const params = [hotels, request.mac, request.from.toISOString(), request.to.toISOString()];
      const leases = await tx.query(
        `select ${LEASE_COLUMNS} from leases l
          where ${hotelIn("l.hotel_id", "$1")} and l.mac = $2::macaddr and l.starts_at < $4::timestamptz
            and (l.ends_at is null or l.ends_at >= $3::timestamptz)
          order by l.starts_at limit 1000`,
        params,
      );
      const sessions = await tx.query(
        `select ${SESSION_COLUMNS} from hotspot_sessions s
          where ${hotelIn("s.hotel_id", "$1")} and s.mac = $2::macaddr and s.login_at < $4::timestamptz
            and (s.logout_at is null or s.logout_at >= $3::timestamptz)
          order by s.login_at limit 1000`,
        params,
      );
      const lines = await this.#evidenceLines(tx, hotels, [
        ...refsOf(leases, "starts_at", "ends_at"),
        ...refsOf(sessions, "login_at", "logout_at"),
      ]);
      const noMatch =
        leases.length > 0
          ? []
          : await whyNothing(tx, hotels, request.from, request.to, {
              reason: "no_lease",
              message: `the hub holds no DHCP lease of ${request.mac} between ${request.from.toISOString()} and ${request.to.toISOString()}`,
            });
      return {
        query: {
          mac: request.mac,
          from: bothTimes(toMicros(request.from.toISOString())),
          to: bothTimes(toMicros(request.to.toISOString())),
          hotels: [...hotels],
        },
        leases: leases.map((row) => leaseOf(row, lines)),
        sessions: sessions.map((row) => sessionOf(row, lines)),
        no_match: noMatch,
      };
    });
  }

  async nat(scope: ReadScope, request: LookupNatRequest): Promise<NatLookup> {
    const hotels = narrowScope(scope, request.hotel ? [request.hotel] : undefined);
    const { ip, port } = request.address;
    const at = request.at;
    return inReadScope(this.raw, scope, async (tx) => {
      const question = { ip, port, at };
      const found = this.events
        ? await this.events.natConnections(hotels, question)
        : await natConnectionsInPostgres(tx, hotels, question);
      const connection = found.candidates[0] ?? null;
      const nearby = found.nearby.filter(
        (hit) => !(connection && hit.agent === connection.agent && hit.seq === connection.seq),
      );
      const internal = connection?.src_ip
        ? { ip: connection.src_ip, port: connection.src_port }
        : null;
      const device =
        connection && internal
          ? await this.#ip(tx, [connection.hotel], internal.ip, new Date(connection.received_at))
          : null;
      const evidence = connection ? [evidenceOf(connection)] : [];
      if (device?.lease) evidence.push(...device.lease.evidence);
      for (const session of device?.sessions ?? []) evidence.push(...session.evidence);
      const noMatch = connection
        ? []
        : await whyNothing(tx, hotels, at, at, {
            reason: "no_nat",
            message: `no srcnat line of ${ip}:${port} in the day before ${at.toISOString()} (or the minute after)`,
          });
      return {
        query: { ip, port, at: bothTimes(toMicros(at.toISOString())), hotels: [...hotels] },
        connection,
        internal,
        device,
        nearby,
        evidence,
        no_match: noMatch,
      };
    });
  }
}

/** `at` moved by `ms`, as ISO text. */
const shift = (at: Date, ms: number) => new Date(at.getTime() + ms).toISOString();

/** The NAT lookup's srcnat lines in PostgreSQL's `events` (see {@link EventReader.natConnections}). */
async function natConnectionsInPostgres(
  tx: RawTx,
  hotels: readonly string[],
  { ip, port, at }: NatQuestion,
): Promise<{ candidates: EventHit[]; nearby: EventHit[] }> {
  const keys = await hotelKeys(tx, hotels);
  // The connection that took the port last before T (a day back at most), or, for a
  // clock a little ahead of the router's, the first within a minute after T.
  const candidates = await tx.query(
    `(select ${HIT_COLUMNS} from events e join chunks c on c.id = e.chunk_id
         where ${eventHotelIn("e", "$1")} and e.nat_ip = $2::inet and e.nat_port = $3
           and e.received_at <= $4::timestamptz and e.received_at > $5::timestamptz
         order by e.received_at desc limit 1)
       union all
       (select ${HIT_COLUMNS} from events e join chunks c on c.id = e.chunk_id
         where ${eventHotelIn("e", "$1")} and e.nat_ip = $2::inet and e.nat_port = $3
           and e.received_at > $4::timestamptz and e.received_at <= $6::timestamptz
         order by e.received_at limit 1)`,
    // Bounds computed here, typed: the planner prunes partitions with them (a day back, a minute on).
    [keys, ip, port, at.toISOString(), shift(at, -86_400_000), shift(at, 60_000)],
  );
  const nearby = await tx.query(
    `select ${HIT_COLUMNS} from events e join chunks c on c.id = e.chunk_id
      where ${eventHotelIn("e", "$1")} and e.nat_ip = $2::inet and e.nat_port = $3
        and e.received_at between $4::timestamptz and $5::timestamptz
      order by e.received_at limit 20`,
    [keys, ip, port, shift(at, -300_000), shift(at, 300_000)],
  );
  return { candidates: candidates.map(hitOf), nearby: nearby.map(hitOf) };
}

/** `2026-03-12T11:32:00.000Z` -> `2026-03-12T11:32:00.000000Z` (the form times are compared in). */
function toMicros(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, ".$1000Z");
}
