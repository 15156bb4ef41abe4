/**
 * Fixtures for the custody tests (not part of the public API): manifests
 * that are valid unless a test says otherwise.
 */
import { sha256Hex } from "./hash.ts";
import { buildManifest, type ManifestFields, type ManifestWithBytes } from "./manifest.ts";
import { EMPTY_RECORDS_SUMMARY } from "./records-file.ts";
import { hourAfter, hourAsMicrosUtc } from "./time.ts";

export const TEST_CERT_SHA256 = sha256Hex("test agent certificate");

/**
 * An agent's first chunk, 2026-11-22 08:00, the whole hour (part 0), empty
 * unless overridden. The window follows an overridden `hour_start` unless the
 * window is overridden too.
 */
export function firstManifestFields(overrides: Partial<ManifestFields> = {}): ManifestFields {
  const hourStart = overrides.hour_start ?? "2026-11-22T08:00:00Z";
  return {
    chain_id: "test-chain",
    hotel_id: "test-hotel-istanbul",
    agent_id: "test-agent-01",
    agent_cert_sha256: TEST_CERT_SHA256,
    hour_start: hourStart,
    part: 0,
    window_start: hourAsMicrosUtc(hourStart),
    window_end: hourAsMicrosUtc(hourAfter(hourStart)),
    ...EMPTY_RECORDS_SUMMARY,
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

/**
 * The chunk after `previous`, chained to it, empty unless overridden: the next
 * part of the same hour when `previous` was closed early (window_end before
 * hour_end), else part 0 of the next hour. Its window runs to the hour's end
 * unless `window_end` is overridden (an early seal).
 */
export function nextManifest(
  previous: ManifestWithBytes,
  overrides: Partial<ManifestFields> = {},
): ManifestWithBytes {
  const prev = previous.manifest;
  const closedEarly = prev.window_end < hourAsMicrosUtc(prev.hour_end);
  const hourStart = closedEarly ? prev.hour_start : prev.hour_end;
  return buildManifest(
    firstManifestFields({
      hour_start: hourStart,
      part: closedEarly ? prev.part + 1 : 0,
      window_start: closedEarly ? prev.window_end : hourAsMicrosUtc(hourStart),
      window_end: hourAsMicrosUtc(hourAfter(hourStart)),
      prev_manifest_sha256: sha256Hex(previous.bytes),
      created_at: `${hourAfter(hourStart).slice(0, 19)}.500000Z`,
      ...overrides,
    }),
  );
}
