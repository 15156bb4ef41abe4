/**
 * The custody format (`logmaster-chunk/1`, and `/1.1` with a Merkle root over
 * the records, which agents write now): how an agent writes the datagrams it
 * received in one receive-time window of a UTC hour (records.jsonl; normally
 * the whole hour, part 0; an early seal splits an hour into parts 0, 1, ...),
 * describes them (manifest.json), signs it (manifest.sig) and chains it to the
 * previous chunk; and how the hub and the
 * `logmaster verify` CLI check all of that. docs/custody-format.md is the
 * specification for auditors; tests/vectors/v1 and v1.1 are its test vectors.
 *
 * Writer (agent):
 * @example
 * const { sha256Hex, byteLength, merkle } = await digestRecordsFile("records.jsonl");
 * const { bytes } = buildManifest({ ...ids, hour_start, part, window_start, window_end, first_seq, last_seq, record_count, gap_lost,
 *   byte_length: byteLength, records_sha256: sha256Hex, ...merkle, prev_manifest_sha256, clock, created_at });
 * const signature = signManifest(bytes, agentKeyPem);
 *
 * Verifier:
 * @example
 * const parsed = parseManifest(manifestBytes);
 * const ok = verifyManifestSignature(manifestBytes, signature, agentCertPem);
 * const { summary, merkle } = await scanRecordsFile("records.jsonl", { window: parsed.manifest, merkle: hasMerkleRoot(parsed.manifest) });
 * const mismatches = compareWithManifest(summary, parsed.manifest); // and compareMerkleWithManifest(merkle, ...) for 1.1
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
export {
  DISCLOSURE_FILES,
  DISCLOSURE_FORMAT,
  type DisclosedChunk,
  type DisclosedLine,
  type Disclosure,
  disclosedChunkSchema,
  disclosedLineSchema,
  discloseLines,
  disclosureSchema,
  lineIsInChunk,
  serializeDisclosedLines,
} from "./disclosure.ts";
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
  CHUNK_FORMAT_1,
  CHUNK_FORMAT_1_1,
  CHUNK_FORMATS,
  type ChunkFormat,
  clockSchema,
  hasMerkleRoot,
  identifierSchema,
  type Manifest,
  type ManifestFields,
  type ManifestV1,
  type ManifestV1_1,
  type ManifestWithBytes,
  type MerkleFields,
  manifestSchema,
  parseManifest,
  serializeManifest,
} from "./manifest.ts";
export {
  type AuditPathProof,
  auditPath,
  auditPaths,
  EMPTY_MERKLE_ROOT,
  LinesMerkleTree,
  leafHash,
  MERKLE_HASH_BYTES,
  MerkleTree,
  merkleRoot,
  nodeHash,
  rootFromAuditPath,
  verifyAuditPath,
} from "./merkle.ts";
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
  compareMerkleWithManifest,
  compareWithManifest,
  digestRecordsFile,
  EMPTY_MERKLE_FIELDS,
  EMPTY_RECORDS_SUMMARY,
  type FieldMismatch,
  type RecordsDigest,
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
