/**
 * The custody format `logmaster-chunk/1`: how an agent writes the datagrams it
 * received in one receive-time window of a UTC hour (records.jsonl; normally
 * the whole hour, part 0; an early seal splits an hour into parts 0, 1, ...),
 * describes them (manifest.json), signs it (manifest.sig) and chains it to the
 * previous chunk; and how the hub and the
 * `logmaster verify` CLI check all of that. docs/custody-format.md is the
 * specification for auditors; tests/vectors/v1 are its test vectors.
 *
 * Writer (agent):
 * @example
 * const running = new IncrementalSha256();
 * running.update(encodeDataRecord({ seq, receivedAtUs, src, port, transport: "udp", bytes }));
 * const { bytes } = buildManifest({ ...ids, hour_start, part, window_start, window_end, first_seq, last_seq, record_count, gap_lost,
 *   byte_length: running.byteLength, records_sha256: running.digestHex(), prev_manifest_sha256, clock, created_at });
 * const signature = signManifest(bytes, agentKeyPem);
 *
 * Verifier:
 * @example
 * const parsed = parseManifest(manifestBytes);
 * const ok = verifyManifestSignature(manifestBytes, signature, agentCertPem);
 * const { summary } = await scanRecordsFile("records.jsonl", { window: parsed.manifest });
 * const mismatches = compareWithManifest(summary, parsed.manifest);
 * const verdict = verifyHashChain([previousParsed, parsed]);
 */

export { normalizeSourceAddress, sourceAddressSchema } from "./address.ts";
export {
  type ChainBreak,
  type ChainBreakKind,
  type ChainLink,
  type ChainVerdict,
  verifyHashChain,
} from "./chain.ts";
export {
  CHUNK_ID_PATTERN,
  type ChunkAddress,
  chunkId,
  chunkIdOf,
  compareChunkIds,
  parseChunkId,
} from "./chunk-id.ts";
export { CustodyError, type CustodyErrorCode } from "./errors.ts";
export {
  EMPTY_SHA256,
  IncrementalSha256,
  type ProgressCallback,
  sha256Hex,
  sha256HexSchema,
  sha256OfFile,
} from "./hash.ts";
export {
  buildManifest,
  CHUNK_FORMAT,
  clockSchema,
  identifierSchema,
  type Manifest,
  type ManifestFields,
  type ManifestWithBytes,
  manifestSchema,
  parseManifest,
  serializeManifest,
} from "./manifest.ts";
export {
  type Base64DataRecord,
  type DataRecord,
  type DataRecordInput,
  datagramBytes,
  encodeDataRecord,
  encodeGapRecord,
  type GapReason,
  type GapRecord,
  type GapRecordInput,
  gapReasonSchema,
  isGapRecord,
  parseRecordLine,
  type RecordLine,
  recordLineSchema,
  type Transport,
  transportSchema,
  type Utf8DataRecord,
} from "./record.ts";
export {
  compareWithManifest,
  EMPTY_RECORDS_SUMMARY,
  type FieldMismatch,
  RecordsScanner,
  type RecordsScanOptions,
  type RecordsScanResult,
  type RecordsSummary,
  type RecordsWindow,
  scanRecords,
  scanRecordsFile,
} from "./records-file.ts";
export {
  AGENT_RSA_MODULUS_BITS,
  certificateSha256,
  MIN_RSA_MODULUS_BITS,
  readRsaPrivateKey,
  readRsaPublicKey,
  signManifest,
  verifyManifestSignature,
} from "./signature.ts";
export {
  chunkHourOf,
  chunkHourOfUs,
  formatMicrosUtc,
  hourAfter,
  hourAsMicrosUtc,
  hourUtcSchema,
  isInWindow,
  microsUtcSchema,
  parseMicrosUtc,
} from "./time.ts";
