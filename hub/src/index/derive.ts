/**
 * The 5651 tables derived while indexing: DHCP leases, hotspot sessions,
 * recorded gaps and devices; and the events counted per chunk and minute
 * (`event_minutes`, what a histogram without filters reads instead of the
 * events: hub/src/query/postgres.ts). A step of the index worker feeds the lines of
 * one agent in seq order into a {@link Derivation}, which resolves what it
 * can in memory (a lease assigned and released in the same step) and writes
 * the rest in a few set-based statements, in the step's transaction.
 */
import type { Statement } from "../store/index.ts";
import type { IndexedGapRecord } from "./records.ts";
import type { EventRow } from "./rows.ts";

interface Evidence {
  chunkId: number;
  seq: number;
}

interface LeaseStart extends Evidence {
  ip: string;
  mac: string;
  hostname: string | null;
  server: string | null;
  at: string;
  endsAt: string | null;
  end: Evidence | null;
}

/** An end (lease released, user logged out) for a row a former step wrote. */
interface Close extends Evidence {
  at: string;
  /** The address the row is for. */
  ip: string;
  /** A release names the MAC, a logout the user; either narrows the match. */
  who: string | null;
  reason: string | null;
}

interface SessionStart extends Evidence {
  user: string;
  ip: string;
  at: string;
  endsAt: string | null;
  reason: string | null;
  end: Evidence | null;
}

interface DeviceSeen {
  address: string;
  host: string | null;
  first: string;
  last: string;
  count: number;
}

/** The UTC minute of a receive time, `YYYY-MM-DDTHH:MM` (the custody format's times are UTC ISO strings). */
export function minuteOf(time: string): string {
  if (time[10] === "T" && time.endsWith("Z")) return time.slice(0, 16);
  return new Date(time).toISOString().slice(0, 16);
}

/**
 * What one step derives for one agent.
 *
 * @example
 * const derivation = new Derivation(hotelId, agentId);
 * for (const row of rows) derivation.add(row, parsed.get(row));
 * await tx.batch(derivation.statements());
 */
export class Derivation {
  readonly #leases = new Map<string, LeaseStart>();
  readonly #newLeases: LeaseStart[] = [];
  readonly #leaseCloses = new Map<string, Close>();
  readonly #sessions = new Map<string, SessionStart>();
  readonly #newSessions: SessionStart[] = [];
  readonly #sessionCloses = new Map<string, Close>();
  readonly #gaps: (IndexedGapRecord & { chunkId: number })[] = [];
  readonly #devices = new Map<string, DeviceSeen>();
  /** Events per `chunkId \t minute` (minute as `YYYY-MM-DDTHH:MM`). */
  readonly #minutes = new Map<string, number>();
  /** The minute (of 1970), chunk and key of the row added last. */
  #minute = -1;
  #minuteChunkId = -1;
  #minuteKey = "";

  constructor(
    readonly hotelId: string,
    readonly agentId: string,
  ) {}

  /**
   * Take one event row (rows come in seq order). `counted`: whether it adds
   * to its device's count (not when it was counted before: a reindex).
   */
  add(
    row: EventRow,
    extra: { hostname?: string; server?: string; reason?: string },
    counted = true,
  ): void {
    this.#seeDevice(row, counted ? 1 : 0);
    // Every indexing of a row counts it: a reindex deletes its chunks' minutes first.
    const minute = Math.floor(row.receivedUs / 60_000_000);
    if (minute !== this.#minute || row.chunkId !== this.#minuteChunkId) {
      // Most rows fall in the minute of the row before: its key is made once.
      this.#minute = minute;
      this.#minuteChunkId = row.chunkId;
      this.#minuteKey = `${row.chunkId}\t${minuteOf(row.receivedAt)}`;
    }
    this.#minutes.set(this.#minuteKey, (this.#minutes.get(this.#minuteKey) ?? 0) + 1);
    if (row.dataset === "dhcp" && row.srcIp && row.srcMac) {
      if (row.action === "assigned") this.#leaseStarted(row, extra);
      else if (row.action === "deassigned") this.#leaseEnded(row);
    } else if (row.dataset === "hotspot" && row.srcIp && row.userName) {
      if (row.action === "logged-in") this.#sessionStarted(row);
      else if (row.action === "logged-out") this.#sessionEnded(row, extra.reason ?? null);
    }
  }

  addGap(gap: IndexedGapRecord, chunkId: number): void {
    this.#gaps.push({ ...gap, chunkId });
  }

  #seeDevice(row: EventRow, count: number): void {
    const seen = this.#devices.get(row.deviceIp);
    if (seen) {
      seen.last = row.receivedAt;
      seen.count += count;
      if (row.host) seen.host = row.host;
    } else {
      this.#devices.set(row.deviceIp, {
        address: row.deviceIp,
        host: row.host,
        first: row.receivedAt,
        last: row.receivedAt,
        count,
      });
    }
  }

  #leaseStarted(row: EventRow, extra: { hostname?: string; server?: string }): void {
    const ip = row.srcIp as string;
    // A new assignment of the address ends whatever lease it had (a release line may be lost).
    this.#endLease(ip, null, row);
    const lease: LeaseStart = {
      ip,
      mac: row.srcMac as string,
      hostname: extra.hostname ?? null,
      server: extra.server ?? null,
      at: row.receivedAt,
      chunkId: row.chunkId,
      seq: row.seq,
      endsAt: null,
      end: null,
    };
    this.#leases.set(ip, lease);
    this.#newLeases.push(lease);
  }

  #leaseEnded(row: EventRow): void {
    this.#endLease(row.srcIp as string, row.srcMac, row);
  }

  #endLease(ip: string, mac: string | null, row: EventRow): void {
    const open = this.#leases.get(ip);
    if (open && open.endsAt === null) {
      if (mac !== null && open.mac !== mac) return;
      open.endsAt = row.receivedAt;
      open.end = { chunkId: row.chunkId, seq: row.seq };
      return;
    }
    if (open) return; // this step's lease of the address already ended; nothing older is open
    // The lease began in an earlier step: end it in the database (the earliest end wins).
    if (!this.#leaseCloses.has(ip)) {
      this.#leaseCloses.set(ip, {
        ip,
        who: mac,
        at: row.receivedAt,
        chunkId: row.chunkId,
        seq: row.seq,
        reason: null,
      });
    }
  }

  #sessionStarted(row: EventRow): void {
    const key = `${row.userName}\u0000${row.srcIp}`;
    const session: SessionStart = {
      user: row.userName as string,
      ip: row.srcIp as string,
      at: row.receivedAt,
      chunkId: row.chunkId,
      seq: row.seq,
      endsAt: null,
      reason: null,
      end: null,
    };
    this.#sessions.set(key, session);
    this.#newSessions.push(session);
  }

  #sessionEnded(row: EventRow, reason: string | null): void {
    const key = `${row.userName}\u0000${row.srcIp}`;
    const open = this.#sessions.get(key);
    if (open) {
      if (open.endsAt === null) {
        open.endsAt = row.receivedAt;
        open.reason = reason;
        open.end = { chunkId: row.chunkId, seq: row.seq };
      }
      return;
    }
    if (!this.#sessionCloses.has(key)) {
      this.#sessionCloses.set(key, {
        ip: row.srcIp as string,
        who: row.userName,
        at: row.receivedAt,
        chunkId: row.chunkId,
        seq: row.seq,
        reason,
      });
    }
  }

  /**
   * The writes, in the order they must run (closes first, then new rows; a
   * session's MAC is read from the leases written before it), for the step to
   * send in one batch with its watermark.
   */
  statements(): Statement[] {
    const statements: Statement[] = [];
    const { hotelId, agentId } = this;
    const leaseCloses = [...this.#leaseCloses.values()];
    if (leaseCloses.length > 0) {
      statements.push({
        text: `update leases l set ends_at = c.at, end_chunk_id = c.chunk_id, end_seq = c.seq
           from unnest($2::inet[], $3::macaddr[], $4::text[]::timestamptz[], $5::bigint[], $6::bigint[])
                as c(ip, mac, at, chunk_id, seq)
          where l.hotel_id = $1 and l.ip = c.ip and l.ends_at is null and l.starts_at <= c.at
            and (c.mac is null or l.mac = c.mac)`,
        params: [
          hotelId,
          leaseCloses.map((c) => c.ip),
          leaseCloses.map((c) => c.who),
          leaseCloses.map((c) => c.at),
          leaseCloses.map((c) => c.chunkId),
          leaseCloses.map((c) => c.seq),
        ],
      });
    }
    const leases = this.#newLeases;
    if (leases.length > 0) {
      statements.push({
        text: `insert into leases (hotel_id, agent_id, ip, mac, hostname, server, starts_at, ends_at,
                             start_chunk_id, start_seq, end_chunk_id, end_seq)
         select $1, $2, * from unnest($3::inet[], $4::macaddr[], $5::text[], $6::text[],
                $7::text[]::timestamptz[], $8::text[]::timestamptz[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])
         on conflict (agent_id, start_seq) do nothing`,
        params: [
          hotelId,
          agentId,
          leases.map((l) => l.ip),
          leases.map((l) => l.mac),
          leases.map((l) => l.hostname),
          leases.map((l) => l.server),
          leases.map((l) => l.at),
          leases.map((l) => l.endsAt),
          leases.map((l) => l.chunkId),
          leases.map((l) => l.seq),
          leases.map((l) => l.end?.chunkId ?? null),
          leases.map((l) => l.end?.seq ?? null),
        ],
      });
    }
    const sessionCloses = [...this.#sessionCloses.values()];
    if (sessionCloses.length > 0) {
      statements.push({
        text: `update hotspot_sessions s set logout_at = c.at, logout_reason = c.reason,
                end_chunk_id = c.chunk_id, end_seq = c.seq
           from unnest($2::inet[], $3::text[], $4::text[]::timestamptz[], $5::text[], $6::bigint[], $7::bigint[])
                as c(ip, user_name, at, reason, chunk_id, seq)
          where s.hotel_id = $1 and s.ip = c.ip and s.user_name = c.user_name
            and s.logout_at is null and s.login_at <= c.at`,
        params: [
          hotelId,
          sessionCloses.map((c) => c.ip),
          sessionCloses.map((c) => c.who),
          sessionCloses.map((c) => c.at),
          sessionCloses.map((c) => c.reason),
          sessionCloses.map((c) => c.chunkId),
          sessionCloses.map((c) => c.seq),
        ],
      });
    }
    const sessions = this.#newSessions;
    if (sessions.length > 0) {
      // The MAC is the one the address was leased to at login (leases written just above).
      statements.push({
        text: `insert into hotspot_sessions (hotel_id, agent_id, user_name, ip, mac, login_at, logout_at,
                                       logout_reason, start_chunk_id, start_seq, end_chunk_id, end_seq)
         select $1, $2, s.user_name, s.ip,
                (select l.mac from leases l
                  where l.hotel_id = $1 and l.ip = s.ip and l.starts_at <= s.login_at
                    and (l.ends_at is null or l.ends_at >= s.login_at)
                  order by l.starts_at desc limit 1),
                s.login_at, s.logout_at, s.reason, s.chunk_id, s.seq, s.end_chunk_id, s.end_seq
           from unnest($3::text[], $4::inet[], $5::text[]::timestamptz[], $6::text[]::timestamptz[], $7::text[],
                       $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
                as s(user_name, ip, login_at, logout_at, reason, chunk_id, seq, end_chunk_id, end_seq)
         on conflict (agent_id, start_seq) do nothing`,
        params: [
          hotelId,
          agentId,
          sessions.map((s) => s.user),
          sessions.map((s) => s.ip),
          sessions.map((s) => s.at),
          sessions.map((s) => s.endsAt),
          sessions.map((s) => s.reason),
          sessions.map((s) => s.chunkId),
          sessions.map((s) => s.seq),
          sessions.map((s) => s.end?.chunkId ?? null),
          sessions.map((s) => s.end?.seq ?? null),
        ],
      });
    }
    if (this.#gaps.length > 0) {
      const gaps = this.#gaps;
      statements.push({
        text: `insert into record_gaps (hotel_id, agent_id, chunk_id, seq, first_at, last_at, lost, reason)
         select $1, $2, * from unnest($3::bigint[], $4::bigint[], $5::text[]::timestamptz[], $6::text[]::timestamptz[],
                                      $7::bigint[], $8::text[])
         on conflict do nothing`,
        params: [
          hotelId,
          agentId,
          gaps.map((g) => g.chunkId),
          gaps.map((g) => g.seq),
          gaps.map((g) => g.firstTs),
          gaps.map((g) => g.lastTs),
          gaps.map((g) => g.lost),
          gaps.map((g) => g.reason),
        ],
      });
    }
    if (this.#minutes.size > 0) {
      const minutes = [...this.#minutes].map(([key, count]) => {
        const tab = key.indexOf("\t");
        return { chunkId: key.slice(0, tab), minute: `${key.slice(tab + 1)}:00Z`, count };
      });
      statements.push({
        text: `insert into event_minutes as m (hotel_id, agent_id, chunk_id, minute, count)
         select $1, $2, * from unnest($3::bigint[], $4::text[]::timestamptz[], $5::integer[])
         on conflict (chunk_id, minute) do update set count = m.count + excluded.count`,
        params: [
          hotelId,
          agentId,
          minutes.map((m) => m.chunkId),
          minutes.map((m) => m.minute),
          minutes.map((m) => m.count),
        ],
      });
    }
    const devices = [...this.#devices.values()];
    if (devices.length > 0) {
      statements.push({
        text: `insert into devices as d (hotel_id, agent_id, address, last_host, first_seen_at, last_seen_at, event_count)
         select $1, $2, * from unnest($3::inet[], $4::text[], $5::text[]::timestamptz[], $6::text[]::timestamptz[], $7::bigint[])
         on conflict (agent_id, address) do update set
           last_host = coalesce(excluded.last_host, d.last_host),
           first_seen_at = least(d.first_seen_at, excluded.first_seen_at),
           last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
           event_count = d.event_count + excluded.event_count`,
        params: [
          hotelId,
          agentId,
          devices.map((d) => d.address),
          devices.map((d) => d.host),
          devices.map((d) => d.first),
          devices.map((d) => d.last),
          devices.map((d) => d.count),
        ],
      });
    }
    return statements;
  }
}
