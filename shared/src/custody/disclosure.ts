/**
 * Disclosure packs (`logmaster-disclosure/1`, docs/custody-format.md §17):
 * only the lines a court asked for, each with its index in its chunk's
 * records.jsonl and the RFC 6962 audit path up to the Merkle root the agent
 * signed (format 1.1). The pack's one index file, `disclosure.json`, lists
 * every chunk and the seqs disclosed from it; a format-1 chunk (no tree) is
 * disclosed whole. The hub writes packs (hub/src/disclose/); `logmaster
 * verify` and the pack's own `verify_disclosure.py` check them.
 */
import { z } from "zod";
import { CustodyError } from "./errors.ts";
import { CHUNK_FORMATS, type ManifestV1_1 } from "./manifest.ts";
import { auditPaths, leafHash, MERKLE_HASH_BYTES, verifyAuditPath } from "./merkle.ts";

export const DISCLOSURE_FORMAT = "logmaster-disclosure/1";

/** The file names of a pack: at its root, and in each `<agent>/<chunk>/` folder. */
export const DISCLOSURE_FILES = {
  index: "disclosure.json",
  verifyMd: "VERIFY.md",
  verifier: "verify_disclosure.py",
  summaryPdf: "summary.pdf",
  lines: "lines.jsonl",
  records: "records.jsonl",
} as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits");

/** One line of a chunk's `lines.jsonl`. */
export const disclosedLineSchema = z.strictObject({
  /** The line's place in records.jsonl, from 0: its leaf's index in the tree. */
  index: z.number().int().min(0),
  /** The line exactly as in records.jsonl, without its newline. */
  line: z.string(),
  /** RFC 6962 PATH(index, D[n]) as hex, leaf side first. */
  audit_path: z.array(hex64).max(64),
});
export type DisclosedLine = z.infer<typeof disclosedLineSchema>;

export const disclosedChunkSchema = z.strictObject({
  /** `<agent_id>/<chunk_id>`, relative to the pack. */
  dir: z.string().regex(/^[A-Za-z0-9._-]+\/[0-9T.-]+$/, "must be <agent>/<chunk>"),
  agent_id: z.string(),
  chunk: z.string(),
  format: z.enum(CHUNK_FORMATS),
  manifest_sha256: hex64,
  /** `lines`: lines.jsonl with audit paths (1.1); `whole`: records.jsonl as sealed (format 1). */
  disclosed: z.enum(["lines", "whole"]),
  /** The seqs asked for from this chunk, ascending. */
  seqs: z.array(z.number().int().min(0)),
});
export type DisclosedChunk = z.infer<typeof disclosedChunkSchema>;

/** `disclosure.json`. */
export const disclosureSchema = z.strictObject({
  format: z.literal(DISCLOSURE_FORMAT),
  /** The court's or prosecutor's reference, as the hotel was given it. */
  case: z.string().min(1).max(200),
  hotel_id: z.string(),
  hotel_name: z.string(),
  made_by: z.string(),
  made_at: z.string(),
  /** The audit log row that records this disclosure. */
  audit_id: z.number().int().nullable(),
  /** What was asked: the lookup or search and its parameters, as given. */
  query: z.record(z.string(), z.unknown()),
  /** The hub's answer to it (a lookup's answer; for a search, its count). */
  answer: z.unknown(),
  /** Lines disclosed, all chunks together. */
  lines: z.number().int().min(0),
  chunks: z.array(disclosedChunkSchema),
});
export type Disclosure = z.infer<typeof disclosureSchema>;

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

/** The seq of a records.jsonl line (data and gap records both carry one). */
function seqOfLine(line: Uint8Array): number {
  const text = new TextDecoder().decode(line.subarray(0, 64));
  const match = /^\{"seq":(\d+),/.exec(text);
  if (!match) throw new CustodyError("invalid_record", `a record line must start with {"seq":N,`);
  return Number(match[1]);
}

/**
 * The lines of `records` (a sealed chunk's records.jsonl) whose seq is in
 * `seqs`, each with its index and audit path, and the seqs not found.
 *
 * @example
 * const { lines, missing } = discloseLines(recordsBytes, new Set([41, 42]));
 * writeFileSync("lines.jsonl", serializeDisclosedLines(lines));
 */
export function discloseLines(
  records: Uint8Array,
  seqs: ReadonlySet<number>,
): { lines: DisclosedLine[]; missing: number[]; size: number } {
  const leaves: Uint8Array[] = [];
  const wanted: { index: number; bytes: Uint8Array }[] = [];
  let start = 0;
  while (start < records.byteLength) {
    const end = records.indexOf(0x0a, start);
    if (end === -1) throw new CustodyError("invalid_records_file", "records.jsonl must end in \\n");
    const line = records.subarray(start, end);
    leaves.push(leafHash(line));
    if (seqs.has(seqOfLine(line))) wanted.push({ index: leaves.length - 1, bytes: line });
    start = end + 1;
  }
  const paths = auditPaths(
    wanted.map((line) => line.index),
    leaves,
  );
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const lines = wanted.map((line, i) => ({
    index: line.index,
    line: decoder.decode(line.bytes),
    audit_path: (paths[i] ?? []).map(toHex),
  }));
  const found = new Set(wanted.map((line) => seqOfLine(line.bytes)));
  return {
    lines,
    missing: [...seqs].filter((seq) => !found.has(seq)).sort((a, b) => a - b),
    size: leaves.length,
  };
}

/** `lines.jsonl`: one object a line, in index order. */
export function serializeDisclosedLines(lines: readonly DisclosedLine[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

/**
 * Whether a disclosed line is a line of the chunk whose 1.1 manifest is
 * given: its leaf and audit path lead to the signed `merkle_root`.
 *
 * @example
 * if (!lineIsInChunk(line, manifest)) fail(`line ${line.index} is not in ${chunk}`);
 */
export function lineIsInChunk(line: DisclosedLine, manifest: ManifestV1_1): boolean {
  if (line.audit_path.some((hash) => hash.length !== MERKLE_HASH_BYTES * 2)) return false;
  return verifyAuditPath({
    leafHash: leafHash(new TextEncoder().encode(line.line)),
    index: line.index,
    size: manifest.merkle_size,
    path: line.audit_path.map(fromHex),
    root: fromHex(manifest.merkle_root),
  });
}
