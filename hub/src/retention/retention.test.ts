import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubEvents } from "../events/index.ts";
import { EventPartitions } from "../index/partitions.ts";
import { addAgentRow, addHotelRow, addSealedChunk, openScratchStore } from "../store/fixtures.ts";
import { type Db, listAudit, type RawClient, rawQuery, tables } from "../store/index.ts";
import { purgeExpiredChunks, setHotelRetention } from "./index.ts";

describe("retention purge", () => {
  let store: { db: Db; raw: RawClient; close(): Promise<void> };
  /** An indexed event of a chunk, as the index worker would have written it. */
  const addEvent = async (chunk: {
    id: number;
    hotelId: string;
    agentId: string;
    hourStart: Date;
  }) => {
    const values = [
      new Date(chunk.hourStart.getTime() + 60_000).toISOString(),
      chunk.hotelId,
      chunk.agentId,
      chunk.id,
    ];
    await rawQuery(
      store.raw,
      `insert into events (received_at, hotel_key, agent_id, chunk_id, seq, device_ip, raw)
       values ($1::text::timestamptz, (select key from hotels where id = $2), $3, $4, 1, '10.0.0.1', 'a line')`,
      values,
    );
    await rawQuery(
      store.raw,
      `insert into event_minutes (minute, hotel_id, agent_id, chunk_id, count)
       values ($1::text::timestamptz, $2, $3, $4, 1)`,
      values,
    );
  };
  const eventHotels = async () =>
    (
      await rawQuery<{ hotel_id: string; day: string }>(
        store.raw,
        `select h.id as hotel_id, to_char(e.received_at, 'YYYY-MM-DD') as day
           from events e join hotels h on h.key = e.hotel_key order by 1, 2`,
      )
    ).map((row) => `${row.hotel_id}@${row.day}`);
  const dir = mkdtempSync(join(tmpdir(), "logmaster-retention-"));
  const now = new Date("2026-11-22T12:00:00Z");
  const archive = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "records.jsonl"), "");
    return path;
  };
  beforeAll(async () => {
    store = await openScratchStore();
    const { db } = store;
    await new EventPartitions(store.raw).ensure(["2026-10-01", "2026-11-20"]);
    await addHotelRow(db, "free", { retentionDays: 30 });
    await addHotelRow(db, "held", { retentionDays: 30, legalHold: true });
    for (const hotel of ["free", "held"]) {
      const agentId = `${hotel}-aaaaaaaa`;
      await addAgentRow(db, {
        id: agentId,
        hotelId: hotel,
        enrolledAt: new Date("2026-01-01T00:00:00Z"),
      });
      const old = await addSealedChunk(db, {
        hotelId: hotel,
        agentId,
        hour: "2026-10-01T08",
        archivePath: archive(`${hotel}-old`),
      });
      await db
        .insert(tables.chunkBatches)
        .values({ chunkId: old.id, offset: 0, bytes: new Uint8Array([1]) });
      await addEvent(old);
      const recent = await addSealedChunk(db, {
        hotelId: hotel,
        agentId,
        hour: "2026-11-20T08",
        archivePath: archive(`${hotel}-new`),
      });
      await addEvent(recent);
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const context = () => ({ db: store.db, events: new HubEvents(() => {}) });

  test("dry run lists what would go, removes nothing, and is audit-logged as such", async () => {
    const summary = await purgeExpiredChunks(context(), { dryRun: true, actor: "cli:a", now });
    expect(summary.chunks_purged).toBe(1);
    expect(summary.hotels.find((h) => h.hotel_id === "free")?.chunks).toEqual([
      "free-aaaaaaaa/2026-10-01T08",
    ]);
    expect(summary.hotels.find((h) => h.hotel_id === "held")).toMatchObject({
      legal_hold: true,
      chunks: [],
    });
    expect((await store.db.select().from(tables.chunks)).length).toBe(4);
    const [row] = await listAudit(store.db, 1);
    expect(row).toMatchObject({
      action: "purge",
      actor: "cli:a",
      hotelId: "free",
      detail: { dry_run: true },
    });
  });

  test("purge removes files, batches and rows past retention; legal hold keeps everything", async () => {
    const summary = await purgeExpiredChunks(context(), {
      dryRun: false,
      actor: "hub:daily-job",
      now,
    });
    expect(summary.chunks_purged).toBe(1);
    expect(existsSync(join(dir, "free-old"))).toBe(false);
    expect(existsSync(join(dir, "free-new"))).toBe(true);
    expect(existsSync(join(dir, "held-old"))).toBe(true);
    const rows = await store.db.select().from(tables.chunks);
    expect(
      rows.map((r) => `${r.hotelId}@${r.hourStart.toISOString().slice(0, 13)}`).sort(),
    ).toEqual(["free@2026-11-20T08", "held@2026-10-01T08", "held@2026-11-20T08"]);
    // The held hotel's batch stays; the purged chunk's is gone.
    const batches = await store.db.select().from(tables.chunkBatches);
    const heldOld = rows.find((r) => r.hotelId === "held" && r.hourStart.getUTCMonth() === 9);
    expect(batches.map((b) => b.chunkId)).toEqual([heldOld?.id ?? -1]);
    // The index goes with the evidence; the day's partition stays while the held hotel has rows in it.
    expect(await eventHotels()).toEqual(["free@2026-11-20", "held@2026-10-01", "held@2026-11-20"]);
    // The histograms' per-minute counts go with their chunks too.
    const minutes = await rawQuery<{ chunk_id: string | number }>(
      store.raw,
      "select chunk_id from event_minutes order by chunk_id",
    );
    expect(minutes.map((m) => Number(m.chunk_id)).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(summary.partitions_dropped).toEqual([]);
    const [row] = await listAudit(store.db, 1);
    expect(row).toMatchObject({
      action: "purge",
      actor: "hub:daily-job",
      chunks: ["free-aaaaaaaa/2026-10-01T08"],
    });
  });

  test("lifting the legal hold (audit-logged) lets the next purge remove the old chunk", async () => {
    const hotel = await setHotelRetention(store.db, {
      hotel: "held",
      legalHold: false,
      actor: "cli:a",
    });
    expect(hotel?.legalHold).toBe(false);
    const [audit] = await listAudit(store.db, 1);
    expect(audit).toMatchObject({
      action: "hotel_set",
      detail: { before: { legal_hold: true }, after: { legal_hold: false } },
    });
    const summary = await purgeExpiredChunks(context(), { dryRun: false, actor: "cli:a", now });
    expect(summary.hotels.find((h) => h.hotel_id === "held")?.chunks).toEqual([
      "held-aaaaaaaa/2026-10-01T08",
    ]);
    expect(existsSync(join(dir, "held-old"))).toBe(false);
    expect(await eventHotels()).toEqual(["free@2026-11-20", "held@2026-11-20"]);
    expect(summary.partitions_dropped).toEqual(["events_20261001"]);
  });
});
