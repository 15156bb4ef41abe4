import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stampManifest } from "../../../tests/support/bundles.ts";
import {
  DAY_ROLLUP_FILES,
  type DayManifest,
  serializeDayManifest,
} from "../custody/day-manifest.ts";
import { buildManifest, sha256Hex } from "../custody/index.ts";
import { firstManifestFields } from "../custody/testing.ts";
import { DEVELOPMENT_TSA_WARNING } from "../timestamp/development-tsa.ts";
import { verifyDayRollup } from "./day.ts";

const dir = mkdtempSync(join(tmpdir(), "logmaster-day-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hour8 = buildManifest(firstManifestFields());
const otherDay = buildManifest(firstManifestFields({ hour_start: "2026-11-23T08:00:00Z" }));
const members = [{ dir: "export/a/2026-11-22T08", parsed: hour8 }];

function rollUp(overrides: Partial<DayManifest["agents"][number]> = {}): DayManifest {
  return {
    format: "logmaster-day/1",
    chain_id: "test-chain",
    hotel_id: "test-hotel-istanbul",
    day: "2026-11-22",
    agents: [
      {
        agent_id: "test-agent-01",
        chunks: [
          { chunk: "2026-11-22T08", manifest_sha256: sha256Hex(hour8.bytes), status: "verified" },
        ],
        missing: [],
        failed: [],
        ...overrides,
      },
    ],
    created_at: "2026-11-23T00:05:00.000000Z",
  };
}

async function coverage(manifest: DayManifest, with_ = members) {
  writeFileSync(join(dir, "day-manifest.json"), serializeDayManifest(manifest));
  const report = await verifyDayRollup(dir, with_, { allowUnstamped: true });
  return report.checks.find((check) => check.name === "day_coverage");
}

describe("day_coverage", () => {
  test("what the hub did not hold or rejected is a warning naming it", async () => {
    const check = await coverage(
      rollUp({ missing: ["2026-11-22T05", "2026-11-22T07.1"], failed: ["2026-11-22T12"] }),
    );
    expect(check?.status).toBe("WARN");
    expect(check?.detail).toContain(
      "agent test-agent-01: the hub held no sealed chunk for 2026-11-22T05, 2026-11-22T07.1",
    );
    expect(check?.detail).toContain("failed verification at the hub: 2026-11-22T12");
  });

  test("a chunk the roll-up does not list, or lists with another hash, fails", async () => {
    const unlisted = await coverage(rollUp({ chunks: [] }));
    expect(unlisted).toMatchObject({ status: "FAIL" });
    expect(unlisted?.detail).toContain("chunk test-agent-01/2026-11-22T08 is not in the roll-up");
    const otherHash = await coverage(
      rollUp({
        chunks: [{ chunk: "2026-11-22T08", manifest_sha256: "0".repeat(64), status: "verified" }],
      }),
    );
    expect(otherHash?.detail).toContain(`hashes to ${sha256Hex(hour8.bytes)}, the roll-up lists`);
  });

  test("bundles of another day beside it are named, not judged", async () => {
    const check = await coverage(rollUp(), [
      ...members,
      { dir: "export/a/2026-11-23T08", parsed: otherDay },
    ]);
    expect(check?.status).toBe("WARN");
    expect(check?.detail).toContain("1 bundle(s) of another hotel or day beside it");
  });

  test("without a readable day-manifest.json the other checks are skipped, not crashed", async () => {
    writeFileSync(join(dir, "day-manifest.json"), "{}");
    const report = await verifyDayRollup(dir, members);
    expect(report.checks.map((check) => [check.name, check.status])).toEqual([
      ["day_manifest", "FAIL"],
      ["day_signature", "SKIP"],
      ["day_timestamp", "FAIL"],
      ["day_coverage", "SKIP"],
    ]);
  });
});

describe("day_timestamp", () => {
  test("the development TSA's time-stamp verifies, but is a WARN: no legal value", async () => {
    const bytes = serializeDayManifest(rollUp());
    const stamp = await stampManifest(bytes);
    const stampedDir = mkdtempSync(join(tmpdir(), "logmaster-day-stamped-"));
    try {
      writeFileSync(join(stampedDir, DAY_ROLLUP_FILES.manifest), bytes);
      writeFileSync(join(stampedDir, DAY_ROLLUP_FILES.tsr), stamp.tsr);
      writeFileSync(join(stampedDir, DAY_ROLLUP_FILES.tsaChain), stamp.tsaChainPem);
      writeFileSync(join(stampedDir, DAY_ROLLUP_FILES.tsaCa), stamp.tsaCaPem);
      const report = await verifyDayRollup(stampedDir, members);
      const check = report.checks.find((c) => c.name === "day_timestamp");
      expect(check).toMatchObject({ status: "WARN", code: "development_tsa" });
      expect(check?.detail).toStartWith(`${DEVELOPMENT_TSA_WARNING}; genTime `);
      expect(check?.detail).toContain("chains to day-tsa-ca.pem");
      expect(report.signingTime).toMatchObject({ at: stamp.genTime, source: "timestamp" });
    } finally {
      rmSync(stampedDir, { recursive: true, force: true });
    }
  });
});
