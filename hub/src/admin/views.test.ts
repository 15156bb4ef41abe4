/**
 * The views' mappers from database rows: what an agent reported (read
 * tolerantly: it is the agent's word) and a chunk's manifest facts.
 */
import { describe, expect, test } from "bun:test";
import { buildManifest, sha256Hex } from "../../../shared/src/custody/index.ts";
import { firstManifestFields, withRecords } from "../../../shared/src/custody/testing.ts";
import type { Agent, ChunkRow } from "../store/index.ts";
import { agentReportSchema, agentView, agentViewSchema, chunkView } from "./views.ts";

const NOTHING = { unsent_bytes: null, disk_used_bytes: null, disk_max_bytes: null, refusing: null };

describe("an agent's report (x-lm-agent-stats)", () => {
  test("the known fields are read; the others are left", () => {
    expect(
      agentReportSchema.parse({
        received: 12,
        wal_bytes: 4096,
        unsent_bytes: 512,
        disk_used_bytes: 4096,
        disk_max_bytes: 2 ** 40,
        refusing: false,
      }),
    ).toEqual({
      unsent_bytes: 512,
      disk_used_bytes: 4096,
      disk_max_bytes: 2 ** 40,
      refusing: false,
    });
  });

  test("garbage reads as nulls, field by field, and never throws", () => {
    for (const report of [undefined, null, "full", 42, [], [1, 2], {}, { unsent_bytes: null }])
      expect(agentReportSchema.parse(report)).toEqual(NOTHING);
    expect(
      agentReportSchema.parse({
        unsent_bytes: -1,
        disk_used_bytes: 1.5,
        disk_max_bytes: "1073741824",
        refusing: "yes",
      }),
    ).toEqual(NOTHING);
    expect(agentReportSchema.parse({ unsent_bytes: 2 ** 60, disk_used_bytes: 7 })).toEqual({
      ...NOTHING,
      disk_used_bytes: 7,
    });
    expect(agentReportSchema.parse({ unsent_bytes: Number.NaN, refusing: true })).toEqual({
      ...NOTHING,
      refusing: true,
    });
  });
});

const agentRow: Agent = {
  id: "lara-agent001",
  hotelId: "antalya-lara",
  hostname: "lara-gw",
  certSerial: "01",
  certSha256: "ab",
  certPem: "-",
  notAfter: new Date("2027-01-01T00:00:00Z"),
  previousCertSha256: null,
  previousCertUntil: null,
  enrolledAt: new Date("2026-01-01T00:00:00Z"),
  revokedAt: null,
  lastSeenAt: new Date("2026-12-03T09:00:01Z"),
  lastAgentTime: new Date("2026-12-03T08:59:57.500Z"),
  lastClockSkewMs: 2_500,
  lastStats: { received: 3, unsent_bytes: 0, disk_used_bytes: 1024, disk_max_bytes: 4096 },
};

describe("the agent view", () => {
  test("carries the report, and when it came by the hub's clock (the agent's plus the skew)", () => {
    const view = agentView(agentRow);
    expect(agentViewSchema.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      reported_at: "2026-12-03T09:00:00.000Z",
      unsent_bytes: 0,
      disk_used_bytes: 1024,
      disk_max_bytes: 4096,
      wal_refusing: null,
    });
  });

  test("an agent that never reported, or reported nonsense, shows nulls", () => {
    const never = agentView({
      ...agentRow,
      lastAgentTime: null,
      lastClockSkewMs: null,
      lastStats: null,
    });
    expect(never).toMatchObject({ reported_at: null, unsent_bytes: null, wal_refusing: null });
    expect(agentView({ ...agentRow, lastStats: "nonsense" })).toMatchObject({
      unsent_bytes: null,
      disk_used_bytes: null,
      disk_max_bytes: null,
      wal_refusing: null,
    });
  });
});

function chunkRow(manifest: Uint8Array | null, extra: Partial<ChunkRow> = {}): ChunkRow {
  return {
    id: 1,
    agentId: "test-agent-01",
    hotelId: "test-hotel-istanbul",
    hourStart: new Date("2026-11-22T09:00:00Z"),
    part: 0,
    windowStart: null,
    windowEnd: null,
    length: 2000,
    status: "open",
    reason: null,
    manifest,
    signature: null,
    recordsSha256: null,
    firstSeq: null,
    lastSeq: null,
    recordCount: null,
    agentCertPem: null,
    archivePath: null,
    createdAt: new Date("2026-11-22T09:00:00Z"),
    sealedAt: null,
    manifestSha256: manifest ? sha256Hex(manifest) : null,
    gapLost: null,
    timestampStatus: null,
    timestampError: null,
    timestampAttempts: 0,
    timestampDueAt: null,
    timestampGenTime: null,
    timestampSerial: null,
    timestampPolicy: null,
    timestampTsaName: null,
    indexedLength: 0,
    devicesCountedLength: 0,
    ...extra,
  };
}

describe("the chunk view", () => {
  test("a sealed chunk: its manifest hash, its link to the previous one, seqs, losses, token", () => {
    const previous = buildManifest(firstManifestFields());
    const { bytes } = buildManifest(
      firstManifestFields({
        hour_start: "2026-11-22T09:00:00Z",
        ...withRecords(11, 10),
        gap_lost: 3,
        prev_manifest_sha256: sha256Hex(previous.bytes),
      }),
    );
    const view = chunkView(
      chunkRow(bytes, {
        status: "verified",
        firstSeq: 11,
        lastSeq: 20,
        gapLost: 3,
        timestampStatus: "timestamped",
        timestampSerial: "5f3a01",
        timestampTsaName: "CN=LogMaster development TSA",
        timestampPolicy: "1.3.6.1.4.1.99999.1",
      }),
    );
    expect(view).toMatchObject({
      manifest_sha256: sha256Hex(bytes),
      prev_manifest_sha256: sha256Hex(previous.bytes),
      first_seq: 11,
      last_seq: 20,
      gap_lost: 3,
      timestamp_serial: "5f3a01",
      timestamp_tsa_name: "CN=LogMaster development TSA",
      timestamp_policy: "1.3.6.1.4.1.99999.1",
    });
  });

  test("the agent's first chunk links to nothing; an open chunk has no manifest yet", () => {
    const { bytes } = buildManifest(firstManifestFields());
    expect(chunkView(chunkRow(bytes, { status: "verified" })).prev_manifest_sha256).toBeNull();
    expect(chunkView(chunkRow(null))).toMatchObject({
      manifest_sha256: null,
      prev_manifest_sha256: null,
    });
  });
});
