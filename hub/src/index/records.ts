/**
 * Reading records.jsonl for the index: fast, and forgiving of nothing it
 * needs. The seal verifies every line byte for byte against the signed
 * manifest; the index only needs the values, so it takes `JSON.parse` and
 * a few type checks instead of the verifier's zod-and-re-encode (10x slower).
 */

export interface IndexedDataRecord {
  kind: "data";
  seq: number;
  /** Custody record time, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  ts: string;
  src: string;
  /** The datagram as text (`msg`, or `msg_b64` decoded leniently). */
  text: string;
  /** The datagram's bytes, when it was not UTF-8 (`msg_b64`). */
  bytes?: Uint8Array;
}

export interface IndexedGapRecord {
  kind: "gap";
  seq: number;
  ts: string;
  reason: string;
  lost: number;
  firstTs: string;
  lastTs: string;
}

export type IndexedRecord = IndexedDataRecord | IndexedGapRecord;

const NEWLINE = 0x0a;
const decoder = new TextDecoder();
const lenient = new TextDecoder("utf-8", { fatal: false });

/** The length of the whole lines at the start of `bytes` (up to and with the last `\n`). */
export function wholeLinesLength(bytes: Uint8Array): number {
  return bytes.lastIndexOf(NEWLINE) + 1;
}

/**
 * The records of whole lines, each with the byte offset just past its line;
 * a line that is not a record is passed to `onInvalid` with its text and
 * skipped (the seal will fail the chunk).
 *
 * @example
 * for (const record of readRecords(bytes, (line, why) => count(why))) index(record);
 */
export function* readRecords(
  bytes: Uint8Array,
  onInvalid: (line: string, reason: string) => void,
): Generator<IndexedRecord & { endByte: number }> {
  let start = 0;
  while (start < bytes.byteLength) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.byteLength;
    const lineStart = start;
    start = end + 1;
    if (end === lineStart) continue;
    const line = decoder.decode(bytes.subarray(lineStart, end));
    const record = readRecord(line);
    if (typeof record === "string") onInvalid(line, record);
    else yield Object.assign(record, { endByte: start });
  }
}

function readRecord(line: string): IndexedRecord | string {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null) return "not an object";
  const { seq, ts } = value;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return "no seq";
  if (typeof ts !== "string") return "no ts";
  const gap = value.gap as Record<string, unknown> | undefined;
  if (gap && typeof gap === "object") {
    return {
      kind: "gap",
      seq,
      ts,
      reason: String(gap.reason),
      lost: Number(gap.lost),
      firstTs: String(gap.first_ts),
      lastTs: String(gap.last_ts),
    };
  }
  if (typeof value.src !== "string") return "no src";
  if (typeof value.msg === "string")
    return { kind: "data", seq, ts, src: value.src, text: value.msg };
  if (typeof value.msg_b64 === "string") {
    const bytes = new Uint8Array(Buffer.from(value.msg_b64, "base64"));
    return { kind: "data", seq, ts, src: value.src, text: lenient.decode(bytes), bytes };
  }
  return "no msg";
}
