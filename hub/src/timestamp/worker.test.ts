import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { type TimestampClient, TimestampError } from "../../../shared/src/timestamp/index.ts";
import { tsaSettingsSchema, workerSettingsSchema } from "../config/index.ts";
import { HubEvents } from "../events/index.ts";
import { addAgentRow, addHotelRow, addSealedChunk, openScratchStore } from "../store/fixtures.ts";
import { claimDueChunks, type Db, tables } from "../store/index.ts";
import { openHubTsa } from "./tsa.ts";
import { startTimestampWorker, transientRetryDelayMs } from "./worker.ts";

describe("transient retry delay", () => {
  const settings = { retryBaseMs: 1_000, retryMaxMs: 60_000 };
  test("doubles per attempt up to the cap, jittered into [50 %, 100 %]", () => {
    expect([1, 2, 3, 4].map((n) => transientRetryDelayMs(n, settings, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(transientRetryDelayMs(30, settings, () => 1)).toBe(60_000);
    expect(transientRetryDelayMs(3, settings, () => 0)).toBe(2_000);
    for (let i = 0; i < 50; i++) {
      const delay = transientRetryDelayMs(5, settings);
      expect(delay).toBeGreaterThanOrEqual(8_000);
      expect(delay).toBeLessThanOrEqual(16_000);
    }
  });
});

describe("time-stamp worker on postgres", () => {
  let store: { db: Db; close(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), "logmaster-worker-"));
  beforeAll(async () => {
    store = await openScratchStore();
    await addHotelRow(store.db, "h1");
    await addAgentRow(store.db, {
      id: "h1-aaaaaaaa",
      hotelId: "h1",
      enrolledAt: new Date("2026-11-01T00:00:00Z"),
    });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("claims with SKIP LOCKED: concurrent claimers never take the same chunk", async () => {
    for (let hour = 0; hour < 6; hour++) {
      await addSealedChunk(store.db, {
        hotelId: "h1",
        agentId: "h1-aaaaaaaa",
        hour: `2026-11-02T0${hour}`,
        timestampStatus: "awaiting",
      });
    }
    const claims = await Promise.all(
      [1, 2, 3].map(() => claimDueChunks(store.db, { limit: 3, leaseMs: 60_000 })),
    );
    const ids = claims.flat().map((row) => row.id);
    expect(ids.length).toBe(6);
    expect(new Set(ids).size).toBe(6);
    // Leased: nobody claims them again until the lease ends.
    expect(await claimDueChunks(store.db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
    const later = new Date(Date.now() + 61_000);
    expect((await claimDueChunks(store.db, { limit: 10, leaseMs: 1, now: later })).length).toBe(6);
    expect(claims.flat().every((row) => row.timestampAttempts === 1)).toBe(true);
    await store.db.delete(tables.chunks);
  });

  async function runWorker(tsa: TimestampClient) {
    const events = new HubEvents(() => {});
    const worker = startTimestampWorker({
      db: store.db,
      tsa,
      events,
      settings: workerSettingsSchema.parse({
        pollMs: 60_000,
        retryBaseMs: 1_000,
        failedRetryMs: 600_000,
      }),
      leaseMs: 30_000,
      random: () => 1,
    });
    await worker.stop(); // before its first timer fires: the test runs the one pass itself
    await worker.runOnce();
    return events;
  }

  test("granted: files archived, row timestamped; transient: awaiting + backoff; permanent: failed", async () => {
    const archive = join(dir, "chunk");
    mkdirSync(archive);
    const row = await addSealedChunk(store.db, {
      hotelId: "h1",
      agentId: "h1-aaaaaaaa",
      hour: "2026-11-03T00",
      timestampStatus: "awaiting",
      archivePath: archive,
    });
    const read = async () =>
      (await store.db.select().from(tables.chunks).where(eq(tables.chunks.id, row.id)))[0];

    const transient: TimestampClient = {
      stamp: async () => {
        throw new TimestampError("transient", "network", "connection refused");
      },
    };
    const events = await runWorker(transient);
    let current = await read();
    expect(current?.timestampStatus).toBe("awaiting");
    expect(current?.timestampError).toBe("network: connection refused");
    expect(current?.timestampDueAt?.getTime()).toBeGreaterThan(Date.now() + 500);
    expect(events.awaitingTimestamp.get()).toBe(1);

    await store.db.update(tables.chunks).set({ timestampDueAt: new Date(0) });
    const permanent: TimestampClient = {
      stamp: async () => {
        throw new TimestampError("permanent", "http_401", "the TSA answered HTTP 401");
      },
    };
    await runWorker(permanent);
    current = await read();
    expect(current?.timestampStatus).toBe("failed");
    expect(current?.timestampDueAt?.getTime()).toBeGreaterThan(Date.now() + 500_000);

    await store.db.update(tables.chunks).set({ timestampDueAt: new Date(0) });
    const devTsa = await openHubTsa(tsaSettingsSchema.parse({}), join(dir, "hub"), 2048);
    const granted = await runWorker(devTsa.client);
    current = await read();
    expect(current?.timestampStatus).toBe("timestamped");
    expect(current?.timestampSerial).toMatch(/^[0-9a-f]+$/);
    expect(current?.timestampAttempts).toBe(3);
    for (const file of ["manifest.tsr", "tsa-chain.pem", "tsa-ca.pem"])
      expect(existsSync(join(archive, file))).toBe(true);
    expect(granted.metrics.render()).toContain(
      'logmaster_hub_timestamps_total{reason="",result="timestamped"} 1',
    );
    expect(granted.awaitingTimestamp.get()).toBe(0);
  });
});
