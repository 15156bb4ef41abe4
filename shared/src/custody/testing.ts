/**
 * Fixtures for the custody tests (not part of the public API): manifests
 * that are valid unless a test says otherwise.
 */
import { EMPTY_SHA256, sha256Hex } from "./hash.ts";
import { buildManifest, type ManifestFields, type ManifestWithBytes } from "./manifest.ts";
import { hourAfter } from "./time.ts";

export const TEST_CERT_SHA256 = sha256Hex("test agent certificate");

/** An agent's first chunk, 2026-11-22 08:00, empty unless overridden. */
export function firstManifestFields(overrides: Partial<ManifestFields> = {}): ManifestFields {
  return {
    chain_id: "test-chain",
    hotel_id: "test-hotel-istanbul",
    agent_id: "test-agent-01",
    agent_cert_sha256: TEST_CERT_SHA256,
    hour_start: "2026-11-22T08:00:00Z",
    first_seq: null,
    last_seq: null,
    record_count: 0,
    gap_lost: 0,
    byte_length: 0,
    records_sha256: EMPTY_SHA256,
    prev_manifest_sha256: null,
    clock: { ntp_synchronized: true, source: "chrony" },
    created_at: "2026-11-22T09:00:00.500000Z",
    ...overrides,
  };
}

/** Fields of `recordCount` records starting at `firstSeq` (the records themselves are not needed). */
export function withRecords(firstSeq: number, recordCount: number): Partial<ManifestFields> {
  return {
    first_seq: firstSeq,
    last_seq: firstSeq + recordCount - 1,
    record_count: recordCount,
    byte_length: 200 * recordCount,
    records_sha256: sha256Hex(`records ${firstSeq}+${recordCount}`),
  };
}

/** The chunk of the hour after `previous`, chained to it; empty unless overridden. */
export function nextManifest(
  previous: ManifestWithBytes,
  overrides: Partial<ManifestFields> = {},
): ManifestWithBytes {
  const hourStart = hourAfter(previous.manifest.hour_start);
  return buildManifest(
    firstManifestFields({
      hour_start: hourStart,
      prev_manifest_sha256: sha256Hex(previous.bytes),
      created_at: `${hourAfter(hourStart).slice(0, 19)}.500000Z`,
      ...overrides,
    }),
  );
}
