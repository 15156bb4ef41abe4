import { CustodyError } from "./errors.ts";
import { IncrementalSha256, type ProgressCallback, readFilePieces } from "./hash.ts";
import type { Manifest } from "./manifest.ts";
import { isGapRecord, parseRecordLine, type RecordLine } from "./record.ts";
import { isInWindow } from "./time.ts";

/** The manifest fields that follow from records.jsonl alone. */
export type RecordsSummary = Pick<
  Manifest,
  "first_seq" | "last_seq" | "record_count" | "gap_lost" | "byte_length" | "records_sha256"
>;

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
}

export interface RecordsScanResult {
  summary: RecordsSummary;
  /** Records whose `ts` lies outside `window` (0 when no window was given). */
  recordsOutsideWindow: number;
}

const NEWLINE = 0x0a;

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
  readonly #sha256 = new IncrementalSha256();
  #partialLine: Uint8Array = new Uint8Array(0);
  #lineNumber = 0;
  #firstSeq: number | null = null;
  #lastSeq: number | null = null;
  #gapLost = 0;
  #recordsOutsideWindow = 0;

  constructor(options: RecordsScanOptions = {}) {
    this.#options = options;
  }

  push(piece: Uint8Array): void {
    this.#sha256.update(piece);
    let lineStart = 0;
    let newlineAt = piece.indexOf(NEWLINE);
    while (newlineAt !== -1) {
      const tail = piece.subarray(lineStart, newlineAt);
      this.#takeLine(this.#partialLine.byteLength === 0 ? tail : concat(this.#partialLine, tail));
      this.#partialLine = new Uint8Array(0);
      lineStart = newlineAt + 1;
      newlineAt = piece.indexOf(NEWLINE, lineStart);
    }
    if (lineStart < piece.byteLength)
      this.#partialLine = concat(this.#partialLine, piece.subarray(lineStart));
  }

  finish(): RecordsScanResult {
    if (this.#partialLine.byteLength > 0) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${this.#lineNumber + 1} does not end with \\n (${this.#partialLine.byteLength} bytes after the last \\n)`,
      );
    }
    return {
      summary: {
        first_seq: this.#firstSeq,
        last_seq: this.#lastSeq,
        record_count: this.#lineNumber,
        gap_lost: this.#gapLost,
        byte_length: this.#sha256.byteLength,
        records_sha256: this.#sha256.digestHex(),
      },
      recordsOutsideWindow: this.#recordsOutsideWindow,
    };
  }

  #takeLine(line: Uint8Array): void {
    const lineNumber = ++this.#lineNumber;
    const record = this.#parse(line, lineNumber);
    if (this.#lastSeq !== null && record.seq !== this.#lastSeq + 1) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${lineNumber}: seq ${record.seq} follows seq ${this.#lastSeq}; seqs in a chunk run consecutively`,
      );
    }
    this.#firstSeq ??= record.seq;
    this.#lastSeq = record.seq;
    if (isGapRecord(record)) this.#gapLost += record.gap.lost;
    const { window } = this.#options;
    if (window && !isInWindow(record.ts, window.window_start, window.window_end)) {
      this.#recordsOutsideWindow++;
    }
    this.#options.onRecord?.(record, lineNumber);
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
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

export interface FieldMismatch {
  field: keyof RecordsSummary;
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
