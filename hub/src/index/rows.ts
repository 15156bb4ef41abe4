/**
 * From a parsed syslog line to a row of `events` (hub/src/store/schema.ts):
 * which parser field goes to which typed column, in one place, for the
 * PostgreSQL loader and the Elasticsearch document alike.
 */
import { isIP } from "node:net";
import { isIpv4Text } from "../../../shared/src/net/ip-bytes.ts";
import type { SyslogEvent } from "../../../shared/src/syslog/index.ts";
import { type BinaryCopy, unixMicros } from "../store/index.ts";
import { searchWords, splitStopWords } from "./words.ts";

/** An event as the index holds it (column names in camelCase). */
export interface EventRow {
  receivedAt: string;
  /** `receivedAt` in microseconds since 1970, for the COPY encoder (read once, with the record). */
  receivedUs: number;
  /** The hotel's slug: not a column of `events` (the row names its hotel by key), for Elasticsearch, the derived tables and the live tail. */
  hotelId: string;
  /** `hotels.key` of `hotelId`: the `events` row's hotel, what its btrees lead with. */
  hotelKey: number;
  agentId: string;
  chunkId: number;
  /** The custody chunk id (`YYYY-MM-DDTHH` or `.N`) of `chunkId`: not a column, for the live tail. */
  chunk: string;
  seq: number;
  loggedAt: string | null;
  /** `loggedAt` in microseconds since 1970. */
  loggedUs: number | null;
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
  "hotel_key",
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
  "stop_words",
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
  if (value === undefined) return null;
  if (!value.includes(":")) return isIpv4Text(value) ? value : null;
  return isIP(value) === 6 && !value.includes("%") ? value : null;
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
function macOrNull(value: string | undefined): string | null {
  return value !== undefined && MAC.test(value) ? value : null;
}

/**
 * The device clock's time in microseconds since 1970, only when it is a real
 * instant (a router without NTP says 1970) with a four-digit year.
 */
function deviceMicros(value: string | undefined): number | null {
  if (value === undefined || !FOUR_DIGIT_YEAR.test(value)) return null;
  const us = unixMicros(value);
  return us !== undefined && us > 0 ? us : null;
}

const FOUR_DIGIT_YEAR = /^\d{4}-/;

export interface EventPlace {
  hotelId: string;
  hotelKey: number;
  agentId: string;
  chunkId: number;
  chunk: string;
  seq: number;
  receivedAt: string;
  /** `receivedAt` in microseconds since 1970, when the caller read it already. */
  receivedUs?: number;
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
  const loggedUs = deviceMicros(event["@timestamp"]);
  const receivedUs = place.receivedUs ?? unixMicros(place.receivedAt);
  if (receivedUs === undefined) throw new Error(`not a receive time: ${place.receivedAt}`);
  // Fields one by one, not a spread of `place`: a row per line, and copying an object costs more.
  return {
    receivedAt: place.receivedAt,
    receivedUs,
    hotelId: place.hotelId,
    hotelKey: place.hotelKey,
    agentId: place.agentId,
    chunkId: place.chunkId,
    chunk: place.chunk,
    seq: place.seq,
    loggedAt: loggedUs === null ? null : (event["@timestamp"] as string),
    loggedUs,
    deviceIp: place.deviceIp,
    host: event["log.syslog.hostname"] ?? null,
    severity: event["log.syslog.severity.code"] ?? null,
    dataset:
      dataset === undefined
        ? null
        : dataset.startsWith("routeros.")
          ? dataset.slice("routeros.".length)
          : dataset,
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
  out.timestamptzMicros(row.receivedUs);
  out.int32(row.hotelKey);
  out.text(row.agentId);
  out.int64(row.chunkId);
  out.int64(row.seq);
  out.timestamptzMicros(row.loggedUs);
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
  // What the GIN indexes, and the stop words as bits (hub/src/index/words.ts STOP_WORDS).
  // A line with words has a vector, empty when all of them are stop words.
  const split = row.words === null ? null : splitStopWords(row.words);
  out.tsvector(split === null ? null : split.indexed);
  out.int32(split === null ? 0 : split.stopBits);
}
