import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../../../shared/src/testing/run-process.ts";
import { tsaSettingsSchema } from "../config/index.ts";
import { HubEvents } from "../events/index.ts";
import { createChainCa, loadOrCreateHubSigner } from "../identity/index.ts";
import { addAgentRow, addHotelRow, addSealedChunk, openScratchStore } from "../store/fixtures.ts";
import { type Db, listAudit } from "../store/index.ts";
import { openHubTsa } from "../timestamp/tsa.ts";
import {
  buildDayManifest,
  type DayManifest,
  DayManifestError,
  parseDayManifest,
  rollUpDay,
  serializeDayManifest,
  verifyDayManifestSignature,
} from "./index.ts";

const SAMPLE: DayManifest = {
  format: "logmaster-day/1",
  chain_id: "default",
  hotel_id: "otel-sile",
  day: "2026-11-22",
  agents: [
    {
      agent_id: "otel-sile-abcdefgh",
      chunks: [{ chunk: "2026-11-22T08", manifest_sha256: "a".repeat(64), status: "verified" }],
      missing: ["2026-11-22T09"],
      failed: [],
    },
  ],
  created_at: "2026-11-23T00:05:00.123000Z",
};

describe("day manifest format", () => {
  test("canonical bytes: 2-space indent, fixed key order, trailing newline; parse round-trips", () => {
    const bytes = serializeDayManifest(SAMPLE);
    const text = new TextDecoder().decode(bytes);
    expect(text).toStartWith('{\n  "format": "logmaster-day/1",\n  "chain_id": "default",\n');
    expect(text).toContain(
      '      "chunks": [\n        {\n          "chunk": "2026-11-22T08",\n          "manifest_sha256": ',
    );
    expect(text).toEndWith('  "created_at": "2026-11-23T00:05:00.123000Z"\n}\n');
    // Key order does not depend on how the object was built.
    const { created_at, agents, ...rest } = SAMPLE;
    const shuffled: DayManifest = { created_at, agents, ...rest };
    expect(Object.keys(shuffled)[0]).toBe("created_at");
    expect(serializeDayManifest(shuffled)).toEqual(bytes);
    expect(parseDayManifest(bytes)).toEqual(SAMPLE);
  });

  test("refuses non-canonical bytes, extra keys and unknown formats", () => {
    const compact = new TextEncoder().encode(JSON.stringify(SAMPLE));
    expect(() => parseDayManifest(compact)).toThrow(DayManifestError);
    expect(() => parseDayManifest(compact)).toThrow(/canonical/);
    const extra = new TextEncoder().encode(`${JSON.stringify({ ...SAMPLE, x: 1 }, null, 2)}\n`);
    expect(() => parseDayManifest(extra)).toThrow(/logmaster-day\/1/);
    const v2 = new TextEncoder().encode(
      `${JSON.stringify({ ...SAMPLE, format: "logmaster-day/2" }, null, 2)}\n`,
    );
    expect(() => parseDayManifest(v2)).toThrow(DayManifestError);
  });
});

describe("roll-up of a constructed day", () => {
  let store: { db: Db; close(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), "logmaster-rollup-"));
  beforeAll(async () => {
    store = await openScratchStore();
    const { db } = store;
    await addHotelRow(db, "h1");
    // Enrolled at 20:30: hours before 20:00 are not expected of it.
    await addAgentRow(db, {
      id: "h1-aaaaaaaa",
      hotelId: "h1",
      enrolledAt: new Date("2026-11-21T20:30:00Z"),
    });
    await addAgentRow(db, {
      id: "h1-bbbbbbbb",
      hotelId: "h1",
      enrolledAt: new Date("2026-11-22T21:10:00Z"),
    });
    const a = { hotelId: "h1", agentId: "h1-aaaaaaaa" };
    for (let h = 0; h < 24; h++) {
      const hour = `2026-11-22T${String(h).padStart(2, "0")}`;
      if (h === 5) continue; // a missing hour
      if (h === 7) {
        // early-sealed: part 0 and part 2, part 1 missing
        await addSealedChunk(db, { ...a, hour, part: 0, windowEnd: `${hour}:10:00.000000Z` });
        await addSealedChunk(db, { ...a, hour, part: 2 });
        continue;
      }
      if (h === 9) {
        // early-sealed, its last part never came
        await addSealedChunk(db, { ...a, hour, part: 0, windowEnd: `${hour}:10:00.000000Z` });
        continue;
      }
      await addSealedChunk(db, { ...a, hour, status: h === 12 ? "failed" : "verified" });
    }
    // agent b: only 22:00 (21:00 and 23:00 missing)
    await addSealedChunk(db, { hotelId: "h1", agentId: "h1-bbbbbbbb", hour: "2026-11-22T22" });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("missing hours and parts, failed chunks, per agent, in chain order", async () => {
    const manifest = await buildDayManifest(store.db, {
      chainId: "default",
      hotelId: "h1",
      day: "2026-11-22",
      now: new Date("2026-11-23T00:10:00Z"),
    });
    const [a, b] = manifest.agents;
    expect(a?.agent_id).toBe("h1-aaaaaaaa");
    expect(a?.missing).toEqual(["2026-11-22T05", "2026-11-22T07.1", "2026-11-22T09.1"]);
    expect(a?.failed).toEqual(["2026-11-22T12"]);
    expect(a?.chunks.slice(6, 9).map((c) => c.chunk)).toEqual([
      "2026-11-22T07",
      "2026-11-22T07.2",
      "2026-11-22T08",
    ]);
    expect(a?.chunks.find((c) => c.chunk === "2026-11-22T12")?.status).toBe("failed");
    expect(b?.missing).toEqual(["2026-11-22T21", "2026-11-22T23"]);
    expect(manifest.created_at).toBe("2026-11-23T00:10:00.000000Z");
  });

  test("rollUpDay signs (openssl dgst verifies), time-stamps (openssl ts verifies), audit-logs", async () => {
    const ca = createChainCa({ chainId: "default", keyBits: 2048 });
    const signer = loadOrCreateHubSigner(join(dir, "ca"), ca, "default", 2048);
    const tsa = await openHubTsa(tsaSettingsSchema.parse({}), dir, 2048);
    const context = {
      db: store.db,
      dataDir: dir,
      chainId: "default",
      signer,
      tsa: tsa.client,
      events: new HubEvents(() => {}),
    };
    await expect(
      rollUpDay(context, {
        hotel: "h1",
        day: "2026-11-22",
        actor: "cli:t",
        now: new Date("2026-11-22T23:00:00Z"),
      }),
    ).rejects.toThrow(/has not ended/);
    const view = await rollUpDay(context, {
      hotel: "h1",
      day: "2026-11-22",
      actor: "cli:t",
      now: new Date("2026-11-23T00:10:00Z"),
    });
    expect(view).toMatchObject({ agents: 2, missing: 5, failed: 1, timestamped: true });
    const bytes = readFileSync(join(view.archive_path, "day-manifest.json"));
    const signature = readFileSync(join(view.archive_path, "day-manifest.sig"));
    expect(verifyDayManifestSignature(bytes, signature, signer.certificatePem)).toBe(true);
    writeFileSync(join(view.archive_path, "chain-ca.pem"), ca.certificatePem);
    const run = async (script: string) => {
      const { stdout, stderr } = await runProcess(["bash", "-e", "-c", script], {
        cwd: view.archive_path,
      });
      return stdout + stderr;
    };
    const output = await run(`openssl verify -CAfile chain-ca.pem hub.pem
openssl x509 -in hub.pem -pubkey -noout > hub-pub.pem
openssl dgst -sha256 -verify hub-pub.pem -signature day-manifest.sig day-manifest.json
openssl ts -verify -data day-manifest.json -in day-manifest.tsr -CAfile day-tsa-ca.pem -untrusted day-tsa-chain.pem`);
    expect(output).toContain("hub.pem: OK");
    expect(output).toContain("Verified OK");
    expect(output).toContain("Verification: OK");
    const [audit] = await listAudit(store.db, 1);
    expect(audit).toMatchObject({ actor: "cli:t", action: "rollup", hotelId: "h1" });
    expect(audit?.chunks).toContain("h1-bbbbbbbb/2026-11-22T22");
  });
});
