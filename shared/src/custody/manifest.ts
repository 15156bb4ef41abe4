import { z } from "zod";
import { describeNonCanonical } from "./bytes.ts";
import { CustodyError } from "./errors.ts";
import { EMPTY_SHA256, sha256HexSchema } from "./hash.ts";
import { seqSchema } from "./record.ts";
import { hourAfter, hourAsMicrosUtc, hourUtcSchema, microsUtcSchema } from "./time.ts";

/** The first format: records.jsonl bound to the manifest by its SHA-256 alone. */
export const CHUNK_FORMAT_1 = "logmaster-chunk/1";
/** Format 1 plus an RFC 6962 Merkle root over the lines (`merkle_root`, `merkle_size`). */
export const CHUNK_FORMAT_1_1 = "logmaster-chunk/1.1";
/** The `format` agents write. */
export const CHUNK_FORMAT = CHUNK_FORMAT_1_1;
/** Every `format` this code verifies: evidence lives for years, so no version is ever dropped. */
export const CHUNK_FORMATS = [CHUNK_FORMAT_1, CHUNK_FORMAT_1_1] as const;
export type ChunkFormat = (typeof CHUNK_FORMATS)[number];

/**
 * Chain, hotel and agent ids: they end up in file paths, certificate names
 * and URLs, so no spaces, slashes or other characters that need quoting.
 */
export const identifierSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    "must be 1-128 of [A-Za-z0-9._:-], starting with a letter or digit",
  );

const countSchema = z
  .number()
  .refine((n) => Number.isSafeInteger(n) && n >= 0, "must be an integer from 0 to 2^53-1");

export const clockSchema = z.strictObject({
  /** Whether the agent's clock was NTP-synchronised at seal time; null when the agent could not tell. */
  ntp_synchronized: z.boolean().nullable(),
  /** What keeps the clock (e.g. "chrony", "systemd-timesyncd", "unknown"). */
  source: z.string().min(1).max(256),
});

// The fields of every format, in canonical order: serializeManifest writes the
// keys in the order of the shapes below.
const fieldsBeforeMerkle = {
  chain_id: identifierSchema,
  hotel_id: identifierSchema,
  agent_id: identifierSchema,
  agent_cert_sha256: sha256HexSchema,
  hour_start: hourUtcSchema,
  hour_end: hourUtcSchema,
  /** 0 for the hour's first chunk; each early seal opens the next part. */
  part: countSchema,
  /** The receive-time window `[window_start, window_end)` inside the hour. */
  window_start: microsUtcSchema,
  window_end: microsUtcSchema,
  first_seq: seqSchema.nullable(),
  last_seq: seqSchema.nullable(),
  record_count: countSchema,
  gap_lost: countSchema,
  byte_length: countSchema,
  records_sha256: sha256HexSchema,
};
/** Format 1.1: the RFC 6962 tree over the lines of records.jsonl (merkle.ts). */
const merkleFields = {
  /** MTH of the lines' leaf hashes; SHA-256 of no bytes for an empty chunk. */
  merkle_root: sha256HexSchema,
  /** Leaves of the tree: one per line, so always `record_count`. */
  merkle_size: countSchema,
};
const fieldsAfterMerkle = {
  prev_manifest_sha256: sha256HexSchema.nullable(),
  clock: clockSchema,
  created_at: microsUtcSchema,
};

const manifestV1FieldsSchema = z.strictObject({
  format: z.literal(CHUNK_FORMAT_1),
  ...fieldsBeforeMerkle,
  ...fieldsAfterMerkle,
});
const manifestV1_1FieldsSchema = z.strictObject({
  format: z.literal(CHUNK_FORMAT_1_1),
  ...fieldsBeforeMerkle,
  ...merkleFields,
  ...fieldsAfterMerkle,
});

/** `hour_end` for a `hour_start`, or undefined when that is not a valid hour. */
function hourEndFor(hourStart: unknown): string | undefined {
  return hourUtcSchema.safeParse(hourStart).success ? hourAfter(hourStart as string) : undefined;
}

/** The manifest (either format): field types, then the rules that tie fields together. */
export const manifestSchema = z
  .discriminatedUnion("format", [manifestV1FieldsSchema, manifestV1_1FieldsSchema])
  .superRefine((m, context) => {
    const fail = (path: string, message: string) =>
      context.addIssue({ code: "custom", path: [path], message });
    const hourEnd = hourEndFor(m.hour_start);
    if (m.hour_end !== hourEnd) fail("hour_end", `must be one hour after hour_start (${hourEnd})`);
    windowProblems(m, hourEnd, fail);
    if (m.format === CHUNK_FORMAT_1_1) merkleProblems(m, fail);
    if (m.record_count === 0) {
      if (m.first_seq !== null) fail("first_seq", "must be null when record_count is 0");
      if (m.last_seq !== null) fail("last_seq", "must be null when record_count is 0");
      if (m.gap_lost !== 0) fail("gap_lost", "must be 0 when record_count is 0");
      if (m.byte_length !== 0) fail("byte_length", "must be 0 when record_count is 0");
      if (m.records_sha256 !== EMPTY_SHA256)
        fail("records_sha256", "must be the SHA-256 of no bytes when record_count is 0");
      return;
    }
    if (m.first_seq === null) return fail("first_seq", "must be a seq when record_count > 0");
    if (m.last_seq === null) return fail("last_seq", "must be a seq when record_count > 0");
    if (m.last_seq - m.first_seq + 1 !== m.record_count) {
      fail(
        "last_seq",
        `must be first_seq + record_count - 1 (${m.first_seq + m.record_count - 1})`,
      );
    }
    if (m.byte_length === 0) fail("byte_length", "must be > 0 when record_count > 0");
  });

/** The tree has one leaf per line; the empty tree's root is the SHA-256 of no bytes. */
function merkleProblems(
  m: { record_count: number; merkle_root: string; merkle_size: number },
  fail: (path: string, message: string) => void,
): void {
  if (m.merkle_size !== m.record_count) {
    fail("merkle_size", `must be record_count (${m.record_count}): one leaf per line`);
  }
  if (m.record_count === 0 && m.merkle_root !== EMPTY_SHA256) {
    fail("merkle_root", "must be the SHA-256 of no bytes (the empty tree) when record_count is 0");
  }
}

/**
 * The window rules: hour_start <= window_start < window_end <= hour_end; part 0
 * starts at hour_start; a later part starts after it (every part before it has
 * a non-empty window).
 */
function windowProblems(
  m: { hour_start: string; part: number; window_start: string; window_end: string },
  hourEnd: string | undefined,
  fail: (path: string, message: string) => void,
): void {
  if (hourEnd === undefined) return; // hour_start itself is already reported
  const hourStart = hourAsMicrosUtc(m.hour_start);
  const hourEndUs = hourAsMicrosUtc(hourEnd);
  if (m.window_start < hourStart)
    fail("window_start", `must not be before hour_start (${hourStart})`);
  if (m.window_end > hourEndUs) fail("window_end", `must not be after hour_end (${hourEndUs})`);
  if (m.window_end <= m.window_start) fail("window_end", "must be after window_start");
  if (m.part === 0 && m.window_start !== hourStart) {
    fail("window_start", `must be hour_start (${hourStart}) in part 0`);
  }
  if (m.part > 0 && m.window_start === hourStart) {
    fail("window_start", "must be after hour_start in a part > 0 (the parts before it end there)");
  }
}

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestV1 = Extract<Manifest, { format: typeof CHUNK_FORMAT_1 }>;
export type ManifestV1_1 = Extract<Manifest, { format: typeof CHUNK_FORMAT_1_1 }>;
/** The fields format 1.1 adds. */
export type MerkleFields = Pick<ManifestV1_1, "merkle_root" | "merkle_size">;
type WriterFields<M> = M extends unknown ? Omit<M, "format" | "hour_end"> : never;
/**
 * What the writer supplies; `hour_end` follows from `hour_start`, and `format`
 * from the fields: with `merkle_root` and `merkle_size` the manifest is
 * `logmaster-chunk/1.1` (what agents write), without them `logmaster-chunk/1`.
 */
export type ManifestFields = WriterFields<Manifest>;
/** A manifest with the exact bytes it was read from or written as (what is signed and chained). */
export interface ManifestWithBytes {
  manifest: Manifest;
  bytes: Uint8Array;
}

/**
 * Whether a manifest carries a Merkle root (format 1.1); format-1 chunks have
 * only records_sha256 over the whole file.
 *
 * @example
 * if (hasMerkleRoot(manifest)) checkRoot(manifest.merkle_root, manifest.merkle_size);
 */
export function hasMerkleRoot(manifest: Manifest): manifest is ManifestV1_1 {
  return manifest.format === CHUNK_FORMAT_1_1;
}

// JSON.stringify's replacer array fixes key order at every level (keys a
// format lacks are skipped); the field names of the top level and of `clock`
// do not overlap.
const CANONICAL_KEY_ORDER = [
  ...Object.keys(manifestV1_1FieldsSchema.shape),
  ...Object.keys(clockSchema.shape),
];
const textEncoder = new TextEncoder();

/**
 * The canonical bytes of a manifest: 2-space indent, canonical key order, trailing `\n`.
 *
 * @example
 * serializeManifest(parseManifest(bytes).manifest) // equal to bytes: parseManifest insists
 */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return textEncoder.encode(`${JSON.stringify(manifest, CANONICAL_KEY_ORDER, 2)}\n`);
}

/**
 * Validate the fields of a chunk's manifest and return it with its canonical
 * bytes (the bytes to write, sign and chain): `logmaster-chunk/1.1` when the
 * fields have `merkle_root` and `merkle_size`, else `logmaster-chunk/1`.
 * Throws `invalid_argument` naming every field that breaks a rule.
 *
 * @example
 * const { manifest, bytes } = buildManifest({
 *   chain_id: "demo-chain", hotel_id: "ist-01", agent_id: "ist-01-a1",
 *   agent_cert_sha256: certificateSha256(agentCertPem),
 *   hour_start: "2026-11-22T08:00:00Z",
 *   part: 0, // a whole hour: window_start = hour_start, window_end = hour_end
 *   window_start: "2026-11-22T08:00:00.000000Z",
 *   window_end: "2026-11-22T09:00:00.000000Z",
 *   ...summary, // first_seq, last_seq, record_count, gap_lost, byte_length, records_sha256
 *   merkle_root, merkle_size, // format 1.1: the tree over the lines (LinesMerkleTree)
 *   prev_manifest_sha256: sha256Hex(previousManifestBytes),
 *   clock: { ntp_synchronized: true, source: "chrony" },
 *   created_at: formatMicrosUtc(nowUs),
 * });
 */
export function buildManifest(fields: ManifestFields): ManifestWithBytes {
  const format =
    "merkle_root" in fields || "merkle_size" in fields ? CHUNK_FORMAT_1_1 : CHUNK_FORMAT_1;
  const parsed = manifestSchema.safeParse({
    format,
    ...fields,
    hour_end: hourEndFor(fields.hour_start),
  });
  if (!parsed.success) {
    throw new CustodyError(
      "invalid_argument",
      `manifest fields are invalid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return { manifest: parsed.data, bytes: serializeManifest(parsed.data) };
}

// ignoreBOM: a BOM must reach JSON.parse and fail there, not vanish silently.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Read manifest.json bytes as a verifier: UTF-8, JSON, a known `format` (1 or 1.1),
 * every field rule, and byte-identical to the canonical serialisation of the
 * parsed value (so two manifests with equal fields always hash the same).
 * Throws `unsupported_format`, `invalid_manifest` or `non_canonical_manifest`.
 *
 * @example
 * const { manifest } = parseManifest(await Bun.file("chunk/manifest.json").bytes());
 */
export function parseManifest(bytes: Uint8Array): ManifestWithBytes {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    throw new CustodyError(
      "invalid_manifest",
      `manifest.json is not UTF-8 JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CustodyError("invalid_manifest", "manifest.json is not a JSON object");
  }
  const format = (value as { format?: unknown }).format;
  if (!(CHUNK_FORMATS as readonly unknown[]).includes(format)) {
    throw new CustodyError(
      "unsupported_format",
      `manifest.json has format ${JSON.stringify(format)}; this verifier implements ${CHUNK_FORMATS.map((f) => `"${f}"`).join(" and ")}`,
    );
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new CustodyError(
      "invalid_manifest",
      `manifest.json is invalid: ${z.prettifyError(parsed.error)}`,
    );
  }
  const problem = describeNonCanonical(bytes, serializeManifest(parsed.data));
  if (problem !== undefined)
    throw new CustodyError("non_canonical_manifest", `manifest.json ${problem}`);
  return { manifest: parsed.data, bytes };
}
