/**
 * From a parsed syslog line to a row of `events` (hub/src/store/schema.ts):
 * which parser field goes to which typed column, in one place, for the
 * PostgreSQL loader and the Elasticsearch document alike.
 */
import { isIP } from "node:net";
import type { SyslogEvent } from "../../../shared/src/syslog/index.ts";
import type { BinaryCopy } from "../store/index.ts";
import { searchWords } from "./words.ts";

/** An event as the index holds it (column names in camelCase). */
export interface EventRow {
  receivedAt: string;
  hotelId: string;
  agentId: string;
  chunkId: number;
  /** The custody chunk id (`YYYY-MM-DDTHH` or `.N`) of `chunkId`: not a column, for the live tail. */
  chunk: string;
  seq: number;
  loggedAt: string | null;
  deviceIp: string;
  host: string | null;
  severity: number | null;
  dataset: string | null;
  topics: string[] | null;
  action: string | null;
  srcIp: string | null;
  srcPort: number | null;
  srcMac: string | null;
  dstIp: string | null;
  dstPort: number | null;
  natIp: string | null;
  natPort: number | null;
  protocol: string | null;
  userName: string | null;
  raw: string;
  /** The message's folded words, each once (hub/src/index/words.ts); null when it has none. */
  words: string[] | null;
}

/** The columns of `events` in COPY order, matching {@link writeEventRow}. */
export const EVENT_COLUMNS = [
  "received_at",
  "hotel_id",
  "agent_id",
  "chunk_id",
  "seq",
  "logged_at",
  "device_ip",
  "host",
  "severity",
  "dataset",
  "topics",
  "action",
  "src_ip",
  "src_port",
  "src_mac",
  "dst_ip",
  "dst_port",
  "nat_ip",
  "nat_port",
  "protocol",
  "user_name",
  "raw",
  "words",
] as const;

/**
 * The sender of a custody record as `device_ip` takes it: its zone left out
 * (`fe80::1%eth0` is `fe80::1`: inet has no zone; the record keeps it), or
 * null when it is no address at all (the seal will refuse that record).
 */
export function deviceAddress(src: string): string | null {
  const zone = src.indexOf("%");
  return inetOrNull(zone === -1 ? src : src.slice(0, zone));
}

/** An address `inet` takes: the parser's IPs, without a zone (`fe80::1%eth0` has none in inet). */
function inetOrNull(value: string | undefined): string | null {
  return value !== undefined && isIP(value) !== 0 && !value.includes("%") ? value : null;
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
function macOrNull(value: string | undefined): string | null {
  return value !== undefined && MAC.test(value) ? value : null;
}

/**
 * The device clock's time only when it is a real instant (a router without
 * NTP says 1970) with a four-digit year, as the COPY encoder takes it.
 */
function timeOrNull(value: string | undefined): string | null {
  if (value === undefined || !/^\d{4}-/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? value : null;
}

export interface EventPlace {
  hotelId: string;
  agentId: string;
  chunkId: number;
  chunk: string;
  seq: number;
  receivedAt: string;
  deviceIp: string;
}

/**
 * The row of one parsed line.
 *
 * @example
 * eventRow(parseSyslog(line), { hotelId, agentId, chunkId: 7, seq: 42, receivedAt, deviceIp: "10.5.0.1" });
 */
export function eventRow(event: SyslogEvent, place: EventPlace): EventRow {
  const dataset = event["event.dataset"];
  return {
    ...place,
    loggedAt: timeOrNull(event["@timestamp"]),
    host: event["log.syslog.hostname"] ?? null,
    severity: event["log.syslog.severity.code"] ?? null,
    dataset: dataset === undefined ? null : dataset.replace(/^routeros\./, ""),
    topics: event["routeros.topics"] ?? null,
    action: event["event.action"] ?? null,
    srcIp: inetOrNull(event["source.ip"] ?? event["client.ip"]),
    srcPort: event["source.port"] ?? null,
    srcMac: macOrNull(event["source.mac"] ?? event["client.mac"]),
    dstIp: inetOrNull(event["destination.ip"]),
    dstPort: event["destination.port"] ?? null,
    natIp: inetOrNull(event["source.nat.ip"] ?? event["destination.nat.ip"]),
    natPort: event["source.nat.port"] ?? event["destination.nat.port"] ?? null,
    protocol: event["network.transport"] ?? null,
    userName: event["user.name"] ?? null,
    raw: event["event.original"],
    words: wordsOrNull(searchWords(event.message)),
  };
}

const wordsOrNull = (words: string[]) => (words.length === 0 ? null : words);

/** One row of binary COPY, in {@link EVENT_COLUMNS} order. */
export function writeEventRow(row: EventRow, out: BinaryCopy): void {
  out.row(EVENT_COLUMNS.length);
  out.timestamptz(row.receivedAt);
  out.text(row.hotelId);
  out.text(row.agentId);
  out.int64(row.chunkId);
  out.int64(row.seq);
  out.timestamptz(row.loggedAt);
  out.inet(row.deviceIp);
  out.text(row.host);
  out.int16(row.severity);
  out.text(row.dataset);
  out.textArray(row.topics);
  out.text(row.action);
  out.inet(row.srcIp);
  out.int32(row.srcPort);
  out.macaddr(row.srcMac);
  out.inet(row.dstIp);
  out.int32(row.dstPort);
  out.inet(row.natIp);
  out.int32(row.natPort);
  out.text(row.protocol);
  out.text(row.userName);
  out.text(row.raw);
  out.tsvector(row.words);
}
