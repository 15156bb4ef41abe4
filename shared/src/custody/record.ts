import { isUtf8 } from "node:buffer";
import { z } from "zod";
import { normalizeSourceAddress, sourceAddressSchema } from "./address.ts";
import { describeNonCanonical } from "./bytes.ts";
import { CustodyError } from "./errors.ts";
import { formatMicrosUtc, microsUtcSchema } from "./time.ts";

/**
 * One line of records.jsonl, both ways: the agent's encoder (hot path, plain
 * string building, no zod) and the verifier's parser (zod, then a byte-exact
 * comparison with the encoder's output). The encoder is the definition of the
 * canonical line; docs/custody-format.md spells the same rules out for
 * auditors who implement them in another language.
 */

export const transportSchema = z.enum(["udp", "tcp", "tls"]);
export type Transport = z.infer<typeof transportSchema>;

/**
 * Why datagrams were lost. Part of format version 1: a new reason is a new
 * format version, so `other` exists for what we did not foresee.
 */
export const gapReasonSchema = z.enum([
  /** The agent's disk budget (WAL + unsent chunks) was exhausted. */
  "disk_full",
  /** The kernel dropped datagrams because the socket receive buffer was full. */
  "receive_buffer_overflow",
  /** The agent's own in-memory queue between socket and disk was full. */
  "queue_overflow",
  /** A message exceeded the agent's maximum record size (stream transports). */
  "oversized",
  "other",
]);
export type GapReason = z.infer<typeof gapReasonSchema>;

// Predicates shared by the hot-path checks and the zod schemas, so the writer
// can never produce a line the verifier refuses.
function isSeq(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}
function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 65_535;
}
function isLostCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}
const knownTransports: ReadonlySet<string> = new Set(transportSchema.options);
const knownGapReasons: ReadonlySet<string> = new Set(gapReasonSchema.options);

/** A record's `seq`; also the manifest's `first_seq` / `last_seq`. */
export const seqSchema = z.number().refine(isSeq, "must be an integer from 1 to 2^53-1");
const dataFields = {
  seq: seqSchema,
  ts: microsUtcSchema,
  src: sourceAddressSchema,
  port: z.number().refine(isPort, "must be an integer port 0..65535"),
  transport: transportSchema,
};

/** A data record whose datagram is valid UTF-8. */
export const utf8DataRecordSchema = z.strictObject({ ...dataFields, msg: z.string() });
/** A data record whose datagram is not valid UTF-8 (standard base64, padded). */
export const base64DataRecordSchema = z.strictObject({ ...dataFields, msg_b64: z.string() });
/** Datagrams the agent could not keep, counted so the audit shows them. */
export const gapRecordSchema = z.strictObject({
  seq: seqSchema,
  ts: microsUtcSchema,
  gap: z
    .strictObject({
      reason: gapReasonSchema,
      lost: z.number().refine(isLostCount, "must be an integer from 1 to 2^53-1"),
      first_ts: microsUtcSchema,
      last_ts: microsUtcSchema,
    })
    .refine((gap) => gap.first_ts <= gap.last_ts, "first_ts must not be after last_ts"),
});
/** Any line of records.jsonl, as parsed (wire names, wire order). */
export const recordLineSchema = z.union([
  utf8DataRecordSchema,
  base64DataRecordSchema,
  gapRecordSchema,
]);

export type Utf8DataRecord = z.infer<typeof utf8DataRecordSchema>;
export type Base64DataRecord = z.infer<typeof base64DataRecordSchema>;
export type DataRecord = Utf8DataRecord | Base64DataRecord;
export type GapRecord = z.infer<typeof gapRecordSchema>;
export type RecordLine = z.infer<typeof recordLineSchema>;

/**
 * Whether a parsed line records lost datagrams rather than a datagram.
 *
 * @example
 * const lost = records.filter(isGapRecord).reduce((sum, r) => sum + r.gap.lost, 0);
 */
export function isGapRecord(record: RecordLine): record is GapRecord {
  return "gap" in record;
}

/**
 * The datagram bytes a data record carries, exactly as the agent received them.
 *
 * @example
 * const record = parseRecordLine(line);
 * if (!isGapRecord(record)) parseSyslog(datagramBytes(record));
 */
export function datagramBytes(record: DataRecord): Uint8Array {
  return "msg" in record ? textEncoder.encode(record.msg) : decodeBase64(record.msg_b64);
}

/** What the agent knows about one received datagram. */
export interface DataRecordInput {
  /** Per-agent record counter: starts at 1, never reused. */
  seq: number;
  /** Receive time on the agent clock, µs since the Unix epoch. */
  receivedAtUs: number | bigint;
  /** Sender address as the socket reported it (`::ffff:` IPv4 is reduced to IPv4). */
  src: string;
  /** Sender port. */
  port: number;
  transport: Transport;
  /** The datagram (UDP) or the framed message (TCP/TLS), byte for byte. */
  bytes: Uint8Array;
  /**
   * The datagram is `length` bytes of `bytes` from `offset` (default: all of
   * `bytes`), so a receiver can hand over a slot of its buffer without a view.
   */
  offset?: number;
  length?: number;
}

/** What the agent knows about datagrams it could not keep. */
export interface GapRecordInput {
  seq: number;
  /** When the agent wrote this gap record, µs since the Unix epoch. */
  writtenAtUs: number | bigint;
  reason: GapReason;
  /** How many datagrams were lost (at least 1). */
  lost: number;
  /** Receive time of the first lost datagram, or the start of the window in which the loss was seen. */
  firstLostAtUs: number | bigint;
  /** Receive time of the last lost datagram, or the end of that window. */
  lastLostAtUs: number | bigint;
}

const textEncoder = new TextEncoder();
// fatal: invalid UTF-8 must go to msg_b64, never be repaired with U+FFFD.
// ignoreBOM: a leading EF BB BF is part of the datagram and must stay in msg.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8OrUndefined(bytes: Uint8Array): string | undefined {
  // isUtf8 says "no" in ~30 ns; a throwing decoder costs microseconds, which a
  // flood of bad lines would pay on every one. The encoder decides by isUtf8
  // alone (it never decodes); the record tests check that it and the fatal
  // decoder, the format's rule, agree.
  if (!isUtf8(bytes)) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeBase64(text: string): Uint8Array {
  // Node's decoder skips characters outside the alphabet; the canonical
  // re-encoding in parseRecordLine is what rejects such text.
  return new Uint8Array(Buffer.from(text, "base64"));
}

/**
 * Room to reserve for the data line of a `payloadBytes`-byte datagram: the
 * keys, a 16-digit seq, the time, the longest `src` (IPv6 + 64-byte zone) and
 * a port take under 256 bytes; the payload at worst grows 6-fold (every byte a
 * control character written `\u00xx`; base64 only grows it 4/3).
 *
 * @example
 * if (buffer.byteLength - at < maxDataRecordBytes(bytes.byteLength)) flushAndReuse(buffer);
 */
export function maxDataRecordBytes(payloadBytes: number): number {
  return 256 + 6 * payloadBytes;
}

/**
 * What a payload byte asks of the encoder: JSON escaping (`"`, `\`, below
 * 0x20), or a UTF-8 check (0x80 and up).
 */
const NEEDS_ESCAPE = 1;
const NOT_ASCII = 2;
const BYTE_CLASS = (() => {
  const classes = new Uint8Array(256);
  for (let byte = 0; byte < 0x20; byte++) classes[byte] = NEEDS_ESCAPE;
  classes[0x22] = NEEDS_ESCAPE;
  classes[0x5c] = NEEDS_ESCAPE;
  for (let byte = 0x80; byte < 0x100; byte++) classes[byte] = NOT_ASCII;
  return classes;
})();
const OPEN_SEQ = Buffer.from('{"seq":');
const CLOSE_MSG = Buffer.from('"}\n');

/**
 * The line from `,"ts"` to the opening quote of `msg`, as bytes, for the last
 * (ts, src, port, transport) written: a batch of datagrams from one sender
 * shares them, so each line costs a copy instead of a template string.
 */
let middle = { ts: "", src: "", port: -1, transport: "", bytes: Buffer.alloc(0) };

function middleBytes(ts: string, src: string, port: number, transport: string): Buffer {
  const last = middle;
  if (last.ts === ts && last.src === src && last.port === port && last.transport === transport)
    return last.bytes;
  const bytes = Buffer.from(
    `,"ts":"${ts}","src":"${src}","port":${port},"transport":"${transport}","msg":"`,
    "latin1",
  );
  middle = { ts, src, port, transport, bytes };
  return bytes;
}

/** Digits of a non-negative safe integer. */
function decimalLength(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Write a non-negative safe integer in decimal (as `${value}` prints it) ending before `end`. */
function writeDecimalBefore(target: Buffer, end: number, value: number): void {
  let rest = value;
  for (let at = end - 1; ; at--) {
    target[at] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
    if (rest === 0) return;
  }
}

/**
 * Write the canonical data line, from values already known to be valid, into
 * `target` at `at`; returns the bytes written. The payload is `payload` from
 * `start` to `end`. The one definition of the line, for the encoder and for
 * the parser's canonical check.
 *
 * The payload is never decoded (this is the agent's hot path). For valid
 * UTF-8, JSON.stringify's escaping (RFC 8259 minimal: `"` `\` and
 * U+0000..U+001F, \b \t \n \f \r short, the rest \u00xx lower-case) only
 * ever touches ASCII characters, and in UTF-8 a byte below 0x80 is always a
 * whole ASCII character. So one pass over the bytes tells whether anything
 * needs escaping, and whether any byte is not ASCII (only then must the bytes
 * be checked as UTF-8); usually nothing does and the bytes are copied as they
 * are behind the head. Otherwise the payload read as latin1 (one char per
 * byte) is stringified and written back as latin1, which gives exactly the
 * UTF-8 bytes of JSON.stringify(decoded payload): a latin1 string has no
 * surrogates, the one other thing JSON.stringify escapes. record.test.ts
 * checks both ways against decode + stringify.
 */
function writeDataLine(
  target: Buffer,
  at: number,
  seq: number,
  ts: string,
  src: string,
  port: number,
  transport: string,
  payload: Uint8Array,
  start: number,
  end: number,
): number {
  // One table load per byte and no branch: ~0.15 µs for 226 bytes, where
  // four comparisons a byte took twice that.
  let seen = 0;
  for (let i = start; i < end; i++) seen |= BYTE_CLASS[payload[i] as number] as number;
  const needsEscape = (seen & NEEDS_ESCAPE) !== 0;
  const ascii = (seen & NOT_ASCII) === 0;
  if (needsEscape || !ascii) {
    const bytes = asBuffer(
      start === 0 && end === payload.byteLength ? payload : payload.subarray(start, end),
    );
    const head = `{"seq":${seq},"ts":"${ts}","src":"${src}","port":${port},"transport":"${transport}",`;
    if (!isUtf8(bytes))
      return writeLatin1(target, at, `${head}"msg_b64":"${bytes.toString("base64")}"}\n`);
    if (needsEscape) {
      const latin1 = bytes.toString("latin1", 0, bytes.byteLength);
      return writeLatin1(target, at, `${head}"msg":${JSON.stringify(latin1)}}\n`);
    }
  }
  const rest = middleBytes(ts, src, port, transport);
  const seqEnd = at + OPEN_SEQ.byteLength + decimalLength(seq);
  const payloadAt = seqEnd + rest.byteLength;
  const length = payloadAt - at + (end - start) + CLOSE_MSG.byteLength;
  checkRoom(target, at, length);
  target.set(OPEN_SEQ, at);
  writeDecimalBefore(target, seqEnd, seq);
  target.set(rest, seqEnd);
  if (Buffer.isBuffer(payload)) payload.copy(target, payloadAt, start, end);
  else target.set(payload.subarray(start, end), payloadAt);
  target.set(CLOSE_MSG, payloadAt + end - start);
  return length;
}

/** Write a line whose chars are all below U+0100 (one byte each in latin1). */
function writeLatin1(target: Buffer, at: number, line: string): number {
  checkRoom(target, at, line.length);
  return target.write(line, at, "latin1");
}

/** Buffer.write silently cuts what does not fit: refuse instead. */
function checkRoom(target: Buffer, at: number, length: number): void {
  if (length > target.byteLength - at)
    throw new RangeError(
      `data line of ${length} bytes does not fit at ${at} of ${target.byteLength}`,
    );
}

/** Scratch space for the encoders that return a line of their own (grown on demand). */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** The canonical data line as its own Uint8Array. */
function dataLine(
  seq: number,
  ts: string,
  src: string,
  port: number,
  transport: string,
  bytes: Uint8Array,
): Uint8Array {
  const room = maxDataRecordBytes(bytes.byteLength);
  if (scratch.byteLength < room) scratch = Buffer.allocUnsafe(room);
  const length = writeDataLine(
    scratch,
    0,
    seq,
    ts,
    src,
    port,
    transport,
    bytes,
    0,
    bytes.byteLength,
  );
  const line = new Uint8Array(length);
  line.set(scratch.subarray(0, length));
  return line;
}

function gapLine(
  seq: number,
  ts: string,
  reason: string,
  lost: number,
  firstTs: string,
  lastTs: string,
): Uint8Array {
  return textEncoder.encode(
    `{"seq":${seq},"ts":"${ts}","gap":{"reason":"${reason}","lost":${lost},"first_ts":"${firstTs}","last_ts":"${lastTs}"}}\n`,
  );
}

function invalidArgument(message: string): CustodyError {
  return new CustodyError("invalid_argument", message);
}

function checkSeq(seq: number): void {
  if (!isSeq(seq)) throw invalidArgument(`seq must be an integer from 1 to 2^53-1, got ${seq}`);
}

/**
 * The records.jsonl line (with its `\n`) for one received datagram.
 * Throws `invalid_argument` for values the format cannot hold.
 *
 * @example
 * const line = encodeDataRecord({
 *   seq: 1,
 *   receivedAtUs: 1795334400123456n,
 *   src: "192.168.88.1",
 *   port: 51234,
 *   transport: "udp",
 *   bytes: new TextEncoder().encode("<134>dhcp,info assigned 10.0.0.7"),
 * });
 * // {"seq":1,"ts":"2026-11-22T08:00:00.123456Z","src":"192.168.88.1","port":51234,"transport":"udp","msg":"<134>dhcp,info assigned 10.0.0.7"}\n
 */
export function encodeDataRecord(input: DataRecordInput): Uint8Array {
  checkDataFields(input);
  const ts = formatMicrosUtc(input.receivedAtUs);
  const src = normalizeSourceAddress(input.src);
  return dataLine(input.seq, ts, src, input.port, input.transport, input.bytes);
}

/**
 * Like {@link encodeDataRecord}, but writes the line into `target` at `at`
 * (the agent's per-turn write buffer: no allocation per datagram) and returns
 * its length in bytes. `target` must have {@link maxDataRecordBytes} of room
 * at `at` (RangeError otherwise). Byte-identical to encodeDataRecord.
 *
 * @example
 * const length = encodeDataRecordInto(buffer, used, { seq, receivedAtUs, src, port, transport: "udp", bytes });
 * const line = buffer.subarray(used, used + length);
 */
export function encodeDataRecordInto(target: Buffer, at: number, input: DataRecordInput): number {
  checkDataFields(input);
  const ts = receiveTimeText(input.receivedAtUs);
  const src = normalizeSourceAddress(input.src);
  const { bytes } = input;
  const start = input.offset ?? 0;
  const end = input.length === undefined ? bytes.byteLength : start + input.length;
  if (start < 0 || end > bytes.byteLength || start > end)
    throw new RangeError(`payload ${start}..${end} is outside the ${bytes.byteLength} bytes given`);
  return writeDataLine(
    target,
    at,
    input.seq,
    ts,
    src,
    input.port,
    input.transport,
    bytes,
    start,
    end,
  );
}

/** The last receive time formatted: a receive batch shares one. */
let lastTime = { us: -1, text: "" };

function receiveTimeText(us: number | bigint): string {
  if (us === lastTime.us) return lastTime.text;
  const text = formatMicrosUtc(us);
  if (typeof us === "number") lastTime = { us, text };
  return text;
}

/** Refuse what the format cannot hold (time and source are checked as they are formatted). */
function checkDataFields(input: DataRecordInput): void {
  checkSeq(input.seq);
  if (!isPort(input.port))
    throw invalidArgument(`port must be an integer 0..65535, got ${input.port}`);
  if (!knownTransports.has(input.transport)) {
    throw invalidArgument(
      `transport must be one of ${transportSchema.options.join(", ")}, got ${input.transport}`,
    );
  }
}

/**
 * The records.jsonl line (with its `\n`) recording datagrams that were lost.
 * The gap takes its own `seq`, like any record.
 *
 * @example
 * encodeGapRecord({
 *   seq: 42,
 *   writtenAtUs: 1795334410000000,
 *   reason: "disk_full",
 *   lost: 123,
 *   firstLostAtUs: 1795334401000000,
 *   lastLostAtUs: 1795334409999999,
 * });
 */
export function encodeGapRecord(input: GapRecordInput): Uint8Array {
  checkSeq(input.seq);
  if (!knownGapReasons.has(input.reason)) {
    throw invalidArgument(
      `gap reason must be one of ${gapReasonSchema.options.join(", ")}, got ${input.reason}`,
    );
  }
  if (!isLostCount(input.lost))
    throw invalidArgument(`lost must be an integer from 1 to 2^53-1, got ${input.lost}`);
  const firstTs = formatMicrosUtc(input.firstLostAtUs);
  const lastTs = formatMicrosUtc(input.lastLostAtUs);
  if (firstTs > lastTs)
    throw invalidArgument(`firstLostAtUs (${firstTs}) is after lastLostAtUs (${lastTs})`);
  return gapLine(
    input.seq,
    formatMicrosUtc(input.writtenAtUs),
    input.reason,
    input.lost,
    firstTs,
    lastTs,
  );
}

function canonicalLineOf(record: RecordLine): Uint8Array {
  if (isGapRecord(record)) {
    const { gap } = record;
    return gapLine(record.seq, record.ts, gap.reason, gap.lost, gap.first_ts, gap.last_ts);
  }
  return dataLine(
    record.seq,
    record.ts,
    record.src,
    record.port,
    record.transport,
    datagramBytes(record),
  );
}

const NEWLINE = 0x0a;

/** The one schema a value claims to follow, so errors name its fields and not a union's. */
function schemaFor(value: unknown) {
  if (typeof value !== "object" || value === null) return recordLineSchema;
  if ("gap" in value) return gapRecordSchema;
  return "msg_b64" in value ? base64DataRecordSchema : utf8DataRecordSchema;
}

/**
 * Parse and check one records.jsonl line (its trailing `\n` may be included).
 * Throws `invalid_record` when the line is not a record, and
 * `non_canonical_record` when it is one but not byte-identical to what the
 * encoder writes for the same values (reordered keys, other escapes,
 * whitespace, msg_b64 for UTF-8 bytes...): such a line was not written by a
 * conforming agent.
 *
 * @example
 * const record = parseRecordLine(line);
 * if (isGapRecord(record)) report(record.gap.lost);
 * else index(datagramBytes(record));
 */
export function parseRecordLine(line: Uint8Array): RecordLine {
  const body = line.at(-1) === NEWLINE ? line.subarray(0, -1) : line;
  const text = decodeUtf8OrUndefined(body);
  if (text === undefined) throw new CustodyError("invalid_record", "line is not valid UTF-8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CustodyError("invalid_record", `line is not JSON: ${(error as Error).message}`);
  }
  const parsed = schemaFor(value).safeParse(value);
  if (!parsed.success) {
    throw new CustodyError(
      "invalid_record",
      `line is not a record: ${z.prettifyError(parsed.error)}`,
    );
  }
  const canonical = canonicalLineOf(parsed.data);
  const problem = describeNonCanonical(body, canonical.subarray(0, -1));
  if (problem !== undefined) throw new CustodyError("non_canonical_record", `line ${problem}`);
  return parsed.data;
}
