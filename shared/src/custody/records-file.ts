import { isUtf8 } from "node:buffer";
import { sourceAddressSchema } from "./address.ts";
import { CustodyError } from "./errors.ts";
import { EMPTY_SHA256, IncrementalSha256, type ProgressCallback, readFilePieces } from "./hash.ts";
import type { Manifest, ManifestV1_1, MerkleFields } from "./manifest.ts";
import { LinesMerkleTree } from "./merkle.ts";
import { isGapRecord, parseRecordLine, type RecordLine } from "./record.ts";
import { isInWindow, microsUtcSchema } from "./time.ts";

/** The manifest fields that follow from records.jsonl alone. */
export type RecordsSummary = Pick<
  Manifest,
  "first_seq" | "last_seq" | "record_count" | "gap_lost" | "byte_length" | "records_sha256"
>;

/**
 * The summary of an empty records.jsonl: an hour (or part) without records.
 * The manifest schema accepts exactly these values when `record_count` is 0.
 *
 * @example
 * const summary = size === 0 ? { ...EMPTY_RECORDS_SUMMARY } : (await scanRecordsFile(path)).summary;
 */
export const EMPTY_RECORDS_SUMMARY: Readonly<RecordsSummary> = Object.freeze({
  first_seq: null,
  last_seq: null,
  record_count: 0,
  gap_lost: 0,
  byte_length: 0,
  records_sha256: EMPTY_SHA256,
});

/** The Merkle fields of an empty records.jsonl: the empty tree. */
export const EMPTY_MERKLE_FIELDS: Readonly<MerkleFields> = Object.freeze({
  merkle_root: EMPTY_SHA256,
  merkle_size: 0,
});

/** A chunk's receive-time window `[window_start, window_end)`: pass the manifest itself. */
export type RecordsWindow = Pick<Manifest, "window_start" | "window_end">;

export interface RecordsScanOptions {
  /**
   * The chunk's window: records whose `ts` falls outside it are counted (a
   * clock warning, not an error). Pass the manifest: `{ window: manifest }`.
   */
  window?: RecordsWindow;
  /** Sees every record in order, e.g. to index it. */
  onRecord?: (record: RecordLine, lineNumber: number) => void;
  /**
   * false: the caller hashes the same bytes itself, in parallel (the verifier
   * does, on another core: hashing is a third of a scan), and the summary's
   * `records_sha256` is left empty for it to fill. Default true.
   */
  sha256?: boolean;
  /**
   * true: also build the RFC 6962 tree over the lines (a `logmaster-chunk/1.1`
   * manifest names its root), returned as `merkle`. Default false: it costs a
   * SHA-256 per line that format-1 chunks do not need.
   */
  merkle?: boolean;
}

export interface RecordsScanResult {
  summary: RecordsSummary;
  /** Records whose `ts` lies outside `window` (0 when no window was given). */
  recordsOutsideWindow: number;
  /** The tree over the lines, when `merkle: true` was asked for. */
  merkle?: MerkleFields;
}

const NEWLINE = 0x0a;
/**
 * Longer than any line the format allows in practice (a 64 KiB datagram of
 * control characters, each written `\u00xx`, makes ~400 KB): a longer one is
 * refused before it is held in memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Reads records.jsonl as a verifier, in pieces of any size: every line must be
 * a canonical record, seqs must run consecutively, and the file must end with
 * `\n`. Errors name the line number (1-based).
 *
 * @example
 * const scanner = new RecordsScanner({ window: manifest });
 * for await (const piece of upload) scanner.push(piece);
 * const { summary } = scanner.finish();
 */
export class RecordsScanner {
  readonly #options: RecordsScanOptions;
  readonly #sha256: IncrementalSha256 | undefined;
  readonly #merkle: LinesMerkleTree | undefined;
  #byteLength = 0;
  /** The start of a line whose \n has not come yet, in the pieces it came in. */
  #partialLine: Uint8Array[] = [];
  #partialBytes = 0;
  #lineNumber = 0;
  #firstSeq: number | null = null;
  #lastSeq: number | null = null;
  #gapLost = 0;
  #recordsOutsideWindow = 0;

  /** Absent when every record must be parsed anyway (an `onRecord` caller wants the objects). */
  readonly #fastLines: CanonicalDataLineCheck | undefined;

  constructor(options: RecordsScanOptions = {}) {
    this.#options = options;
    if (options.sha256 !== false) this.#sha256 = new IncrementalSha256();
    if (options.merkle === true) this.#merkle = new LinesMerkleTree();
    if (!options.onRecord) this.#fastLines = new CanonicalDataLineCheck(options.window);
  }

  push(piece: Uint8Array): void {
    this.#sha256?.update(piece);
    this.#merkle?.push(piece);
    this.#byteLength += piece.byteLength;
    let lineStart = 0;
    let newlineAt = piece.indexOf(NEWLINE);
    if (newlineAt === -1) {
      this.#keepPartial(piece);
      return;
    }
    if (this.#partialBytes > 0) {
      // The line that straddles earlier pieces and this one, joined once.
      const head = piece.subarray(0, newlineAt + 1);
      const line = joined([...this.#partialLine, head], this.#partialBytes + head.byteLength);
      this.#partialLine = [];
      this.#partialBytes = 0;
      this.#takeLine(line, 0, line.byteLength - 1, isUtf8(line));
      lineStart = newlineAt + 1;
    }
    // Every line from lineStart to the last \n of the piece is whole: validate
    // their UTF-8 in one native call (a \n never splits a UTF-8 sequence).
    const wholeLinesEnd = piece.lastIndexOf(NEWLINE) + 1;
    const wholeLinesUtf8 = isUtf8(piece.subarray(lineStart, wholeLinesEnd));
    while (lineStart < wholeLinesEnd) {
      newlineAt = this.#takeLine(piece, lineStart, -1, wholeLinesUtf8);
      lineStart = newlineAt + 1;
    }
    if (lineStart < piece.byteLength) this.#keepPartial(piece.subarray(lineStart));
  }

  /** Keep (a copy of: the caller may reuse its buffer) the start of an unfinished line. */
  #keepPartial(bytes: Uint8Array): void {
    this.#partialBytes += bytes.byteLength;
    // Memory stays bounded whatever the file: no record is anywhere near this long.
    if (this.#partialBytes > MAX_LINE_BYTES) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${this.#lineNumber + 1} is longer than ${MAX_LINE_BYTES} bytes: not a record`,
      );
    }
    this.#partialLine.push(bytes.slice());
  }

  finish(): RecordsScanResult {
    if (this.#partialBytes > 0) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${this.#lineNumber + 1} does not end with \\n (${this.#partialBytes} bytes after the last \\n)`,
      );
    }
    const merkle = this.#merkle && merkleFieldsOf(this.#merkle);
    return {
      summary: {
        first_seq: this.#firstSeq,
        last_seq: this.#lastSeq,
        record_count: this.#lineNumber,
        gap_lost: this.#gapLost,
        byte_length: this.#byteLength,
        records_sha256: this.#sha256?.digestHex() ?? "",
      },
      recordsOutsideWindow: this.#recordsOutsideWindow,
      ...(merkle ? { merkle } : {}),
    };
  }

  /**
   * Check the line that starts at `start` in `bytes` and ends at the \n at
   * `newlineAt` (-1: the next \n, which exists); returns where that \n is.
   */
  #takeLine(bytes: Uint8Array, start: number, newlineAt: number, utf8Valid: boolean): number {
    const lineNumber = ++this.#lineNumber;
    if (this.#fastLines && utf8Valid) {
      const end = this.#fastLines.check(bytes, start);
      if (end !== -1 && (newlineAt === -1 || end === newlineAt)) {
        this.#account(this.#fastLines.seq, lineNumber, 0, this.#fastLines.outsideWindow);
        return end;
      }
    }
    const end = newlineAt === -1 ? bytes.indexOf(NEWLINE, start) : newlineAt;
    const record = this.#parse(bytes.subarray(start, end), lineNumber);
    const { window } = this.#options;
    const outsideWindow =
      window !== undefined && !isInWindow(record.ts, window.window_start, window.window_end);
    this.#account(record.seq, lineNumber, isGapRecord(record) ? record.gap.lost : 0, outsideWindow);
    this.#options.onRecord?.(record, lineNumber);
    return end;
  }

  #account(seq: number, lineNumber: number, lost: number, outsideWindow: boolean): void {
    if (this.#lastSeq !== null && seq !== this.#lastSeq + 1) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${lineNumber}: seq ${seq} follows seq ${this.#lastSeq}; seqs in a chunk run consecutively`,
      );
    }
    this.#firstSeq ??= seq;
    this.#lastSeq = seq;
    this.#gapLost += lost;
    if (outsideWindow) this.#recordsOutsideWindow++;
  }

  #parse(line: Uint8Array, lineNumber: number): RecordLine {
    if (line.byteLength === 0) {
      throw new CustodyError("invalid_records_file", `records.jsonl line ${lineNumber} is empty`);
    }
    try {
      return parseRecordLine(line);
    } catch (error) {
      if (!(error instanceof CustodyError)) throw error;
      throw new CustodyError(error.code, `records.jsonl line ${lineNumber}: ${error.message}`);
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

// The fixed parts of the canonical data line with `msg` (docs/custody-format.md §4.5).
const SEQ_KEY = ascii('{"seq":');
const TS_KEY = ascii(',"ts":"');
const SRC_KEY = ascii('","src":"');
const PORT_KEY = ascii('","port":');
const TRANSPORT_KEY = ascii(',"transport":"');
const MSG_KEY = ascii('","msg":"');
const [UDP, TCP, TLS] = ["udp", "tcp", "tls"].map(ascii) as [Uint8Array, Uint8Array, Uint8Array];
/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
const TS_BYTES = 27;
/** `YYYY-MM-DDTHH`: a ts whose hour was checked once needs only MM:SS and the fraction checked. */
const TS_HOUR_BYTES = 13;
const MAX_SEQ_DIGITS = 16;
const MAX_SRC_BYTES = 128;
const MAX_KNOWN_SOURCES = 16;

/** 1 for the bytes a canonical JSON string holds as they are: all but `"`, `\` and controls. */
const PLAIN_STRING_BYTE = new Uint8Array(256).fill(1, 0x20);
PLAIN_STRING_BYTE[QUOTE] = 0;
PLAIN_STRING_BYTE[BACKSLASH] = 0;

/** Escapes canonical JSON has after `\` (besides `u`): `"` `\` b t n f r. */
const SHORT_ESCAPES = new Set(ascii('"\\btnfr'));
/** Control characters with a short escape, which therefore never appear as `\u00xx`. */
const SHORT_ESCAPED_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

function isSrcByte(byte: number): boolean {
  // [0-9A-Za-z.:%_-]: what IPv4, IPv6 and a zone name can hold, none of it JSON-escaped.
  return (
    (byte >= ZERO && byte <= 0x3a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2e ||
    byte === 0x25 ||
    byte === 0x5f ||
    byte === 0x2d
  );
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

function hexDigitValue(byte: number): number {
  if (byte >= ZERO && byte <= NINE) return byte - ZERO;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10; // lower case only: canonical
  return -1;
}

/** Whether `bytes` holds `literal` at `at`. */
function hasAt(bytes: Uint8Array, at: number, literal: Uint8Array): boolean {
  for (let i = 0; i < literal.length; i++) if (bytes[at + i] !== literal[i]) return false;
  return true;
}

/** -1, 0 or 1 as the 27 ts bytes at `at` sort before, equal or after `bound`. */
function compareTs(bytes: Uint8Array, at: number, bound: Uint8Array): number {
  for (let i = 0; i < TS_BYTES; i++) {
    const difference = (bytes[at + i] as number) - (bound[i] as number);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * The verifier's hot path. Nearly every line is a data record with `msg`, and
 * parsing each through JSON.parse, zod and a re-encoding (parseRecordLine)
 * costs ~9 µs: 33 s for one hour at 1,000 datagrams/s. This compares such a
 * line with the canonical template (§4.5) byte by byte instead.
 *
 * It only ever accepts. A line it is not sure of (a gap, `msg_b64`, an escape
 * or a character it does not expect, anything odd) goes to parseRecordLine,
 * which decides and words the error; so the scan gets faster, never more
 * lenient. What this accepts, parseRecordLine accepts with the same seq and
 * ts (records-file.test.ts holds the two together on mutated lines). The
 * caller has checked that the line is valid UTF-8, and a \n follows it.
 * Exported for those tests only; custody/index.ts does not export it.
 */
export class CanonicalDataLineCheck {
  /** The seq of the line last accepted. */
  seq = 0;
  /** Whether the line last accepted has its ts outside the window. */
  outsideWindow = false;
  readonly #windowStart: Uint8Array | undefined;
  readonly #windowEnd: Uint8Array | undefined;
  /** `YYYY-MM-DDTHH` of the last ts checked in full: a real calendar hour. */
  readonly #checkedHour = new Uint8Array(TS_HOUR_BYTES);
  #hasCheckedHour = false;
  /** `src` values already checked, most recent first. */
  readonly #checkedSources: Uint8Array[] = [];

  constructor(window: RecordsWindow | undefined) {
    this.#windowStart = window ? ascii(window.window_start) : undefined;
    this.#windowEnd = window ? ascii(window.window_end) : undefined;
  }

  /** The index of the line's \n when the line is canonical, else -1 (undecided). */
  check(bytes: Uint8Array, start: number): number {
    if (!hasAt(bytes, start, SEQ_KEY)) return -1;
    let at = start + SEQ_KEY.length;
    // seq: 1 to 2^53-1 without leading zeros; built digit by digit, exact below 2^53.
    const seqStart = at;
    let seq = 0;
    for (let byte = bytes[at] as number; byte >= ZERO && byte <= NINE; byte = bytes[++at] as number)
      seq = seq * 10 + (byte - ZERO);
    const seqDigits = at - seqStart;
    if (seqDigits === 0 || seqDigits > MAX_SEQ_DIGITS || bytes[seqStart] === ZERO) return -1;
    if (seq > Number.MAX_SAFE_INTEGER) return -1;
    if (!hasAt(bytes, at, TS_KEY)) return -1;
    at += TS_KEY.length;
    const tsAt = at;
    if (!this.#isRealTime(bytes, tsAt)) return -1;
    at += TS_BYTES;
    if (!hasAt(bytes, at, SRC_KEY)) return -1;
    at += SRC_KEY.length;
    const srcAt = at;
    while (isSrcByte(bytes[at] as number)) at++;
    if (at === srcAt || at - srcAt > MAX_SRC_BYTES || !this.#isSource(bytes, srcAt, at)) return -1;
    if (!hasAt(bytes, at, PORT_KEY)) return -1;
    at += PORT_KEY.length;
    // port: 0..65535, "0" or without leading zeros.
    const portStart = at;
    let port = 0;
    for (let byte = bytes[at] as number; byte >= ZERO && byte <= NINE; byte = bytes[++at] as number)
      port = port * 10 + (byte - ZERO);
    const portDigits = at - portStart;
    if (portDigits === 0 || portDigits > 5 || port > 65_535) return -1;
    if (portDigits > 1 && bytes[portStart] === ZERO) return -1;
    if (!hasAt(bytes, at, TRANSPORT_KEY)) return -1;
    at += TRANSPORT_KEY.length;
    if (!hasAt(bytes, at, UDP) && !hasAt(bytes, at, TCP) && !hasAt(bytes, at, TLS)) return -1;
    at += 3;
    if (!hasAt(bytes, at, MSG_KEY)) return -1;
    at = this.#afterCanonicalString(bytes, at + MSG_KEY.length);
    if (at === -1 || bytes[at] !== 0x7d || bytes[at + 1] !== NEWLINE) return -1;
    this.seq = seq;
    this.outsideWindow =
      this.#windowStart !== undefined &&
      this.#windowEnd !== undefined &&
      (compareTs(bytes, tsAt, this.#windowStart) < 0 ||
        compareTs(bytes, tsAt, this.#windowEnd) >= 0);
    return at + 1;
  }

  /**
   * The body of a JSON string as JSON.stringify writes it (§2.1), from `at`
   * (after the opening quote): returns the index after the closing quote, or
   * -1. UTF-8 above 0x7F is already known valid, so it passes as it is.
   */
  #afterCanonicalString(bytes: Uint8Array, at: number): number {
    for (;;) {
      while (PLAIN_STRING_BYTE[bytes[at] as number] === 1) at++;
      const byte = bytes[at] as number;
      if (byte === QUOTE) return at + 1;
      if (byte !== BACKSLASH) return -1; // raw control characters are always escaped
      const escaped = bytes[at + 1] as number;
      if (SHORT_ESCAPES.has(escaped)) {
        at += 2;
        continue;
      }
      // \u00xx, lower-case hex, only for controls without a short escape.
      if (escaped !== 0x75 || bytes[at + 2] !== ZERO || bytes[at + 3] !== ZERO) return -1;
      const high = hexDigitValue(bytes[at + 4] as number);
      const low = hexDigitValue(bytes[at + 5] as number);
      if (high < 0 || high > 1 || low < 0) return -1;
      if (SHORT_ESCAPED_CONTROLS.has(high * 16 + low)) return -1;
      at += 6;
    }
  }

  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` at `at`, a real calendar second (as microsUtcSchema). */
  #isRealTime(bytes: Uint8Array, at: number): boolean {
    if (bytes[at + 13] !== 0x3a || bytes[at + 16] !== 0x3a || bytes[at + 19] !== 0x2e) return false;
    if (bytes[at + 26] !== 0x5a) return false;
    for (let i = 20; i < 26; i++) if (!isDigit(bytes[at + i] as number)) return false;
    // MM and SS: 00..59 (no leap second).
    const minuteTens = bytes[at + 14] as number;
    const secondTens = bytes[at + 17] as number;
    if (minuteTens < ZERO || minuteTens > 0x35 || !isDigit(bytes[at + 15] as number)) return false;
    if (secondTens < ZERO || secondTens > 0x35 || !isDigit(bytes[at + 18] as number)) return false;
    if (this.#hasCheckedHour && hasAt(bytes, at, this.#checkedHour)) return true;
    // A new hour (once per hour of records): the calendar check of the schema itself.
    const text = new TextDecoder().decode(bytes.subarray(at, at + TS_BYTES));
    if (!microsUtcSchema.safeParse(text).success) return false;
    this.#checkedHour.set(bytes.subarray(at, at + TS_HOUR_BYTES));
    this.#hasCheckedHour = true;
    return true;
  }

  #isSource(bytes: Uint8Array, from: number, to: number): boolean {
    // A site has a handful of senders: compare the bytes with the ones already
    // checked before making a string of them.
    const length = to - from;
    for (const known of this.#checkedSources)
      if (known.length === length && hasAt(bytes, from, known)) return true;
    if (!sourceAddressSchema.safeParse(String.fromCharCode(...bytes.subarray(from, to))).success)
      return false;
    // Bounded: a flood of distinct senders must not grow the list without end.
    if (this.#checkedSources.length >= MAX_KNOWN_SOURCES) this.#checkedSources.pop();
    this.#checkedSources.unshift(bytes.slice(from, to));
    return true;
  }
}

/** The pieces of a line as one array (a plain Uint8Array, like the pieces: one shape for the hot path). */
function joined(pieces: readonly Uint8Array[], byteLength: number): Uint8Array {
  const line = new Uint8Array(byteLength);
  let at = 0;
  for (const piece of pieces) {
    line.set(piece, at);
    at += piece.byteLength;
  }
  return line;
}

/**
 * Check a whole records.jsonl held in memory and summarise it.
 *
 * @example
 * const { summary } = scanRecords(await Bun.file("chunk/records.jsonl").bytes());
 */
export function scanRecords(
  bytes: Uint8Array,
  options: RecordsScanOptions = {},
): RecordsScanResult {
  const scanner = new RecordsScanner(options);
  scanner.push(bytes);
  return scanner.finish();
}

/**
 * {@link scanRecords} for a file of any size, streamed, with progress.
 *
 * @example
 * const { summary } = await scanRecordsFile("chunk/records.jsonl", {}, (done, total) => bar.update(done / total));
 */
export async function scanRecordsFile(
  path: string,
  options: RecordsScanOptions = {},
  onProgress?: ProgressCallback,
): Promise<RecordsScanResult> {
  const scanner = new RecordsScanner(options);
  for await (const piece of readFilePieces(path, onProgress)) scanner.push(piece);
  return scanner.finish();
}

function merkleFieldsOf(lines: LinesMerkleTree): MerkleFields {
  const { root, size } = lines.finish();
  return { merkle_root: Buffer.from(root).toString("hex"), merkle_size: size };
}

/** What one read of records.jsonl gives without checking its lines. */
export interface RecordsDigest {
  sha256Hex: string;
  byteLength: number;
  /** The tree over the lines, when `merkle: true` was asked for. */
  merkle?: MerkleFields;
}

/**
 * SHA-256, length and (with `merkle: true`) the Merkle tree of a
 * records.jsonl, in one streamed read and without checking its lines: what
 * the agent seals (its own file) and what a verifier hashes on a second core
 * while {@link RecordsScanner} checks the lines. Throws `invalid_records_file`
 * for a Merkle tree over a file that does not end with `\n`.
 *
 * @example
 * const { sha256Hex, byteLength, merkle } = await digestRecordsFile("chunk/records.jsonl", { merkle: true });
 */
export async function digestRecordsFile(
  path: string,
  options: { merkle?: boolean } = {},
  onProgress?: ProgressCallback,
): Promise<RecordsDigest> {
  const running = new IncrementalSha256();
  const lines = options.merkle === true ? new LinesMerkleTree() : undefined;
  for await (const piece of readFilePieces(path, onProgress)) {
    running.update(piece);
    lines?.push(piece);
  }
  const digest = { sha256Hex: running.digestHex(), byteLength: running.byteLength };
  return lines ? { ...digest, merkle: merkleFieldsOf(lines) } : digest;
}

export interface FieldMismatch {
  field: keyof RecordsSummary | keyof MerkleFields;
  /** The value in manifest.json. */
  manifest: string | number | null;
  /** The value records.jsonl actually has. */
  records: string | number | null;
}

/**
 * The manifest fields that records.jsonl contradicts (empty when they agree).
 *
 * @example
 * const mismatches = compareWithManifest(summary, manifest);
 * // [{ field: "records_sha256", manifest: "ab12…", records: "9f00…" }]
 */
export function compareWithManifest(summary: RecordsSummary, manifest: Manifest): FieldMismatch[] {
  const fields = Object.keys(summary) as (keyof RecordsSummary)[];
  return fields
    .filter((field) => summary[field] !== manifest[field])
    .map((field) => ({ field, manifest: manifest[field], records: summary[field] }));
}

/**
 * The Merkle fields of a `logmaster-chunk/1.1` manifest that the tree over
 * records.jsonl's lines contradicts (empty when they agree).
 *
 * @example
 * const { merkle } = scanRecords(bytes, { merkle: true });
 * compareMerkleWithManifest(merkle, manifest); // [{ field: "merkle_root", manifest: "ab12…", records: "9f00…" }]
 */
export function compareMerkleWithManifest(
  merkle: MerkleFields,
  manifest: ManifestV1_1,
): FieldMismatch[] {
  const fields = ["merkle_root", "merkle_size"] as const;
  return fields
    .filter((field) => merkle[field] !== manifest[field])
    .map((field) => ({ field, manifest: manifest[field], records: merkle[field] }));
}
