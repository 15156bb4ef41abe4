import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildManifest,
  encodeDataRecord,
  type ManifestV1_1,
  parseManifest,
  scanRecords,
  sha256Hex,
} from "../custody/index.ts";
import { firstManifestFields } from "../custody/testing.ts";
import { checkRecords, readManifest } from "./chunk.ts";

const CHUNK_1 = join(import.meta.dir, "../../../tests/vectors/v1/chunk-1");
const manifestBytes = new Uint8Array(readFileSync(join(CHUNK_1, "manifest.json")));
const recordsBytes = new Uint8Array(readFileSync(join(CHUNK_1, "records.jsonl")));
const dir = mkdtempSync(join(tmpdir(), "verify-chunk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordsFile(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("readManifest", () => {
  test("a conforming manifest: both checks pass", () => {
    const { manifest, canonical, parsed } = readManifest(manifestBytes);
    expect([manifest.status, canonical.status]).toEqual(["PASS", "PASS"]);
    expect(manifest.detail).toContain("chunk 2026-11-22T08 of agent test-hotel-istanbul-testvect");
    expect(parsed?.bytes).toBe(manifestBytes);
  });

  test("valid fields in other bytes: not canonical, but its fields still serve the other checks", () => {
    const spaced = new TextEncoder().encode(
      new TextDecoder().decode(manifestBytes).replace('": ', '":  '),
    );
    const { manifest, canonical, parsed } = readManifest(spaced);
    expect(manifest.status).toBe("PASS");
    expect(canonical).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/differs from the canonical form at byte 14/),
    });
    expect(parsed?.manifest.agent_id).toBe("test-hotel-istanbul-testvect");
    expect(parsed?.bytes).toBe(spaced);
  });

  test("another format version: says to use a verifier for it", () => {
    const v2 = new TextEncoder().encode(
      new TextDecoder().decode(manifestBytes).replace("chunk/1", "chunk/2"),
    );
    const { manifest, canonical, parsed } = readManifest(v2);
    expect(manifest).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/"logmaster-chunk\/2".*use a verifier for that format version/),
    });
    expect(canonical.status).toBe("SKIP");
    expect(parsed).toBeUndefined();
  });

  test("missing or not a manifest", () => {
    expect(readManifest(undefined).manifest).toMatchObject({
      status: "FAIL",
      detail: "manifest.json is missing",
    });
    expect(readManifest(new TextEncoder().encode("{}")).manifest.status).toBe("FAIL");
  });
});

describe("checkRecords", () => {
  const { manifest } = readManifest(manifestBytes).parsed ?? {};

  test("records as the manifest describes them", async () => {
    const checks = await checkRecords(recordsFile("good.jsonl", recordsBytes), manifest);
    expect([checks.records.status, checks.match.status, checks.window.status]).toEqual([
      "PASS",
      "PASS",
      "PASS",
    ]);
    expect(checks.records.detail).toBe("8 lines, each a canonical record, seq 1..8 consecutive");
  });

  test("a format-1 chunk: the Merkle check does not apply, which is no failure", async () => {
    const checks = await checkRecords(recordsFile("good.jsonl", recordsBytes), manifest);
    expect(checks.merkle).toEqual({
      name: "records_merkle",
      status: "SKIP",
      detail:
        "does not apply: format logmaster-chunk/1 has no Merkle root (records_sha256 covers the whole file)",
    });
  });

  describe("format 1.1", () => {
    const CHUNK_3 = join(import.meta.dir, "../../../tests/vectors/v1.1/chunk-3");
    const v11Records = new Uint8Array(readFileSync(join(CHUNK_3, "records.jsonl")));
    const v11 = parseManifest(new Uint8Array(readFileSync(join(CHUNK_3, "manifest.json"))))
      .manifest as ManifestV1_1;

    test("the tree over the lines is the one the manifest signs", async () => {
      const checks = await checkRecords(recordsFile("v11.jsonl", v11Records), v11);
      expect(checks.merkle).toMatchObject({
        status: "PASS",
        detail: `merkle_root ${v11.merkle_root} over 7 lines (RFC 6962): as the manifest says, so each line can be proven on its own`,
      });
      expect([checks.records.status, checks.match.status]).toEqual(["PASS", "PASS"]);
    });

    test("a manifest whose root is not the lines' tree fails the check, and only it", async () => {
      const otherRoot = { ...v11, merkle_root: sha256Hex("another tree") };
      const checks = await checkRecords(recordsFile("v11.jsonl", v11Records), otherRoot);
      expect(checks.merkle).toMatchObject({
        status: "FAIL",
        detail: `merkle_root: the manifest says ${otherRoot.merkle_root}, records.jsonl has ${v11.merkle_root}: the tree over the lines is not the one the manifest signs`,
      });
      expect([checks.records.status, checks.match.status]).toEqual(["PASS", "PASS"]);
    });

    test("two lines swapped: hash and tree both differ; a bad line stops the scan before the tree", async () => {
      const text = new TextDecoder().decode(v11Records).split("\n");
      [text[0], text[1]] = [text[1] as string, text[0] as string];
      const swapped = await checkRecords(
        recordsFile("swapped.jsonl", new TextEncoder().encode(text.join("\n"))),
        v11,
      );
      expect(swapped.records.status).toBe("FAIL"); // seq 22 before 21
      expect(swapped.merkle).toMatchObject({
        status: "SKIP",
        detail: "the records scan stopped at the failure above",
      });
    });
  });

  test("an altered line: the line is named, and the hash no longer matches", async () => {
    const altered = new Uint8Array(recordsBytes);
    altered[recordsBytes.indexOf(0x0a) + 10] = 0x20; // inside line 2
    const checks = await checkRecords(recordsFile("altered.jsonl", altered), manifest);
    expect(checks.records).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/^records\.jsonl line 2: /),
    });
    expect(checks.match).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/^records_sha256: /),
    });
    expect(checks.window.status).toBe("SKIP");
  });

  test("a bad line the agent signed as it is: the records fail, the hash matches", async () => {
    const line =
      '{"seq":1, "ts":"2026-11-22T08:00:00.000000Z","src":"10.0.0.1","port":514,"transport":"udp","msg":"x"}\n';
    const bytes = new TextEncoder().encode(line);
    const signedLikeThat = buildManifest(
      firstManifestFields({
        first_seq: 1,
        last_seq: 1,
        record_count: 1,
        byte_length: bytes.byteLength,
        records_sha256: sha256Hex(bytes),
      }),
    ).manifest;
    const checks = await checkRecords(recordsFile("signed-bad.jsonl", bytes), signedLikeThat);
    expect(checks.records.status).toBe("FAIL");
    expect(checks.match).toMatchObject({
      status: "PASS",
      detail: expect.stringContaining("the file is what the agent signed"),
    });
  });

  test("a ts outside the window is a clock warning", async () => {
    const late = encodeDataRecord({
      seq: 1,
      receivedAtUs: 1_795_338_000_000_000,
      src: "10.0.0.1",
      port: 514,
      transport: "udp",
      bytes: new Uint8Array([0x41]),
    });
    const stepped = buildManifest(
      firstManifestFields({
        first_seq: 1,
        last_seq: 1,
        record_count: 1,
        byte_length: late.byteLength,
        records_sha256: sha256Hex(late),
      }),
    ).manifest;
    const checks = await checkRecords(recordsFile("late.jsonl", late), stepped);
    expect(checks.window).toMatchObject({
      status: "WARN",
      detail: expect.stringMatching(/^1 of 1 records have a ts outside/),
    });
  });

  test("no manifest fields: the lines are still checked, the comparisons are skipped", async () => {
    const checks = await checkRecords(recordsFile("alone.jsonl", recordsBytes), undefined);
    expect([checks.records.status, checks.match.status, checks.window.status]).toEqual([
      "PASS",
      "SKIP",
      "SKIP",
    ]);
  });

  test("no records.jsonl", async () => {
    const checks = await checkRecords(join(dir, "absent.jsonl"), manifest);
    expect(checks.records).toMatchObject({ status: "FAIL", detail: "records.jsonl is missing" });
  });
});

describe("checkRecords on a large file (hashed on a worker thread)", () => {
  const line = (seq: number) =>
    encodeDataRecord({
      seq,
      receivedAtUs: 1_795_334_400_000_000 + seq,
      src: "192.168.88.1",
      port: 514,
      transport: "udp",
      bytes: new TextEncoder().encode(
        `<134>firewall,info forward: in:vlan20 out:ether1 ${"x".repeat(200)}`,
      ),
    });
  const count = Math.ceil((64 * 1024 * 1024) / line(1).byteLength) + 10;
  const big = Buffer.concat(Array.from({ length: count }, (_, i) => line(i + 1)));
  const large = buildManifest(
    firstManifestFields({
      first_seq: 1,
      last_seq: count,
      record_count: count,
      byte_length: big.byteLength,
      records_sha256: sha256Hex(big),
      ...scanRecords(big, { merkle: true }).merkle,
    }),
  ).manifest;

  test("same verdicts as in one thread (the worker builds the Merkle tree too)", async () => {
    const good = await checkRecords(recordsFile("big.jsonl", big), large);
    expect([good.records.status, good.match.status, good.merkle.status]).toEqual([
      "PASS",
      "PASS",
      "PASS",
    ]);
    expect(good.match.detail).toContain(`SHA-256 ${large.records_sha256}`);
    const altered = Buffer.from(big);
    altered[altered.byteLength - 4] = 0x79; // an x of the last msg: still canonical, other bytes
    const bad = await checkRecords(recordsFile("big-altered.jsonl", altered), large);
    expect([bad.records.status, bad.match.status, bad.merkle.status]).toEqual([
      "PASS",
      "FAIL",
      "FAIL",
    ]);
  }, 30_000);
});
