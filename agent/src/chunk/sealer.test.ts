import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  parseManifest,
  sha256Hex,
  verifyHashChain,
  verifyManifestSignature,
} from "../../../shared/src/custody/index.ts";
import { loadIdentity } from "../enroll/identity.ts";
import { AgentTelemetry } from "../events/index.ts";
import { createTestPki, writeTestIdentity } from "../testing/pki.ts";
import { Wal } from "../wal/wal.ts";
import { Sealer } from "./sealer.ts";

const HOUR_US = 3_600_000_000;
const BASE_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("hour rollover seals each ended hour, empty hours included, in one signed hash chain", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "lm-seal-"));
  dirs.push(dataDir);
  const pki = createTestPki();
  await writeTestIdentity(dataDir, pki);
  const identity = await loadIdentity(dataDir);
  let nowUs = BASE_US + 10;
  const telemetry = new AgentTelemetry(() => {});
  const wal = await Wal.open({
    dataDir,
    fsyncIntervalMs: 10,
    maxDiskBytes: 1 << 30,
    warnRatio: 0.8,
    telemetry,
    nowUs: () => nowUs,
  });
  const sealer = await Sealer.open({
    dataDir,
    wal,
    telemetry,
    nowUs: () => nowUs,
    identity: () => identity,
    clockInfo: () => ({ ntp_synchronized: null, source: "unknown" }),
  });
  const bytes = new TextEncoder().encode("<134>dhcp,info assigned");
  wal.append({ receivedAtUs: BASE_US + 20, src: "192.0.2.1", port: 514, transport: "udp", bytes });
  wal.append({ receivedAtUs: BASE_US + 30, src: "192.0.2.1", port: 514, transport: "udp", bytes });
  wal.flush();
  expect(await sealer.sealDueHours()).toEqual([]); // the hour has not ended
  nowUs = BASE_US + 3 * HOUR_US + 5; // 11:00 — 08 has records, 09 and 10 are empty
  wal.append({ receivedAtUs: nowUs, src: "192.0.2.1", port: 514, transport: "udp", bytes });
  expect(await sealer.sealDueHours()).toEqual(["2026-11-22T08", "2026-11-22T09", "2026-11-22T10"]);
  await wal.close();

  const chunk = (hour: string, name: string) =>
    new Uint8Array(readFileSync(join(dataDir, "chunks", hour, name)));
  const manifests = ["2026-11-22T08", "2026-11-22T09", "2026-11-22T10"].map((hour) => ({
    hour,
    parsed: parseManifest(chunk(hour, "manifest.json")),
  }));
  const first = manifests[0]?.parsed.manifest;
  expect(first).toMatchObject({
    record_count: 2,
    first_seq: 1,
    last_seq: 2,
    prev_manifest_sha256: null,
  });
  expect(first?.records_sha256).toBe(sha256Hex(chunk("2026-11-22T08", "records.jsonl")));
  expect(manifests[1]?.parsed.manifest).toMatchObject({
    record_count: 0,
    first_seq: null,
    byte_length: 0,
  });
  for (const { hour, parsed } of manifests) {
    expect(
      verifyManifestSignature(parsed.bytes, chunk(hour, "manifest.sig"), identity?.certPem ?? ""),
    ).toBe(true);
  }
  expect(verifyHashChain(manifests.map((m) => m.parsed)).ok).toBe(true);
  // the 11:00 record continued the seq
  const open = readFileSync(join(dataDir, "chunks", "2026-11-22T11", "records.jsonl"), "utf8");
  expect(JSON.parse(open).seq).toBe(3);
});
