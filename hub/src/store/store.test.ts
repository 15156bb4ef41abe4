/**
 * The store behaves the same on PostgreSQL (DATABASE_URL, a scratch database
 * per file) and on embedded PGlite: the protocol's offset rules, sealing
 * state, revocation, tokens.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { openStore, type Store } from "./db.ts";
import {
  addHotel,
  agentFleetHealth,
  appendBatch,
  chunkBatchPieces,
  ensureChainId,
  findChunk,
  findHotel,
  HotelExistsError,
  inHotelScope,
  insertEnrollmentToken,
  listHotels,
  lockChunk,
  previousSealedChunk,
  readChunkRange,
  revokeAgent,
  spendEnrollmentToken,
  tables,
  touchAgent,
} from "./index.ts";
import { pgTimestamptzToMicrosUtc } from "./schema.ts";
import { createScratchDatabase, refusal } from "./testing.ts";

const encoder = new TextEncoder();

const bytes = (text: string) => encoder.encode(text);

function describeStore(driver: "postgres" | "pglite") {
  describe(`store on ${driver}`, () => {
    let store: Store;
    let dropScratch: (() => Promise<void>) | undefined;
    const hourStart = new Date("2025-01-15T10:00:00Z");
    const key = { hotelId: "grand", agentId: "grand-aaaaaaaa", hourStart, part: 0 };

    beforeAll(async () => {
      if (driver === "postgres") {
        const scratch = await createScratchDatabase();
        dropScratch = scratch.drop;
        store = await openStore({ kind: "postgres", url: scratch.url });
      } else {
        store = await openStore({ kind: "pglite" });
      }
      await store.migrate();
      await store.migrate(); // a second run is a no-op, as at every `serve` start
      await ensureChainId(store.db, "default");
      await addHotel(store.db, { name: "Grand", id: "grand" });
      await insertEnrollmentToken(store.db, {
        id: "t1",
        secretSha256: "x",
        hotelId: "grand",
        expiresAt: new Date(Date.now() + 60_000),
      });
      const agent = {
        id: key.agentId,
        hotelId: "grand",
        certSerial: "01",
        certSha256: "ab",
        certPem: "pem",
        notAfter: new Date(Date.now() + 86_400_000),
      };
      expect(await spendEnrollmentToken(store.db, "t1", agent)).toBe(true);
      expect(await spendEnrollmentToken(store.db, "t1", { ...agent, id: "grand-bbbbbbbb" })).toBe(
        false,
      );
    });
    afterAll(async () => {
      await store?.close();
      await dropScratch?.();
    });

    test("hotels: slug ids, names unique, found by id or name", async () => {
      const hotel = await addHotel(store.db, { name: "Grand Hotel Ölüdeniz Işık" });
      expect(hotel.id).toBe("grand-hotel-oludeniz-isik");
      expect((await findHotel(store.db, "Grand Hotel Ölüdeniz Işık"))?.id).toBe(hotel.id);
      await expect(
        addHotel(store.db, { name: "Grand Hotel Ölüdeniz Işık" }),
      ).rejects.toBeInstanceOf(HotelExistsError);
      await expect(addHotel(store.db, { name: "Bad", id: "Bad Id" })).rejects.toThrow(/hotel id/);
      expect((await listHotels(store.db)).map((h) => h.id)).toContain("grand");
    });

    test("the chain id is fixed by the first start", async () => {
      expect(await ensureChainId(store.db, "default")).toBe("default");
      await expect(ensureChainId(store.db, "other")).rejects.toThrow(/--chain-id "other"/);
    });

    test("batches by offset: accepted, duplicate, overlap, conflict, gap", async () => {
      expect(await appendBatch(store.db, key, 0, bytes("aaaa\n"))).toEqual({
        status: "accepted",
        length: 5,
        storedBytes: 5,
      });
      expect(await appendBatch(store.db, key, 0, bytes("aaaa\n"))).toEqual({
        status: "duplicate",
        length: 5,
      });
      expect(await appendBatch(store.db, key, 2, bytes("aa\n"))).toEqual({
        status: "duplicate",
        length: 5,
      });
      expect(await appendBatch(store.db, key, 3, bytes("a\nbbbb\n"))).toEqual({
        status: "accepted",
        length: 10,
        storedBytes: 5,
      });
      expect(await appendBatch(store.db, key, 8, bytes("XX\ncc"))).toEqual({
        status: "conflict",
        length: 10,
        atOffset: 8,
      });
      expect(await appendBatch(store.db, key, 11, bytes("c\n"))).toEqual({
        status: "gap",
        length: 10,
      });
      const chunk = await findChunk(store.db, key);
      if (!chunk) throw new Error("chunk missing");
      expect(new TextDecoder().decode(await readChunkRange(store.db, chunk.id, 0, 10))).toBe(
        "aaaa\nbbbb\n",
      );
      expect(new TextDecoder().decode(await readChunkRange(store.db, chunk.id, 4, 6))).toBe("\nb");
      const pieces: string[] = [];
      for await (const piece of chunkBatchPieces(store.db, chunk.id, 1)) {
        pieces.push(new TextDecoder().decode(piece));
      }
      expect(pieces).toEqual(["aaaa\n", "bbbb\n"]);
    });

    test("parts of one hour are separate chunks; windows keep their microseconds", async () => {
      const part1 = { ...key, part: 1 };
      expect(await appendBatch(store.db, part1, 0, bytes("p1\n"))).toEqual({
        status: "accepted",
        length: 3,
        storedBytes: 3,
      });
      expect((await findChunk(store.db, key))?.length).toBe(10); // part 0 untouched
      const windows = {
        part0: ["2025-01-15T10:00:00.000000Z", "2025-01-15T10:20:00.123457Z"],
        part1: ["2025-01-15T10:20:00.123457Z", "2025-01-15T11:00:00.000000Z"],
      } as const;
      await store.db.transaction(async (tx) => {
        for (const [chunkKey, [windowStart, windowEnd]] of [
          [key, windows.part0],
          [part1, windows.part1],
        ] as const) {
          const row = await lockChunk(tx, chunkKey);
          await tx
            .update(tables.chunks)
            .set({ windowStart, windowEnd, manifest: bytes(`manifest ${chunkKey.part}`) })
            .where(eq(tables.chunks.id, row.id));
        }
      });
      const row1 = await findChunk(store.db, part1);
      expect([row1?.part, row1?.windowStart, row1?.windowEnd]).toEqual([1, ...windows.part1]);
      // The chain link: the chunk whose window ends where part 1's starts is part 0.
      const next = { agentId: key.agentId, hourStart: new Date("2025-01-15T11:00:00Z"), part: 0 };
      const previous = await previousSealedChunk(store.db, {
        ...next,
        windowStart: windows.part1[1],
      });
      expect(previous?.part).toBe(1);
      const offByOne = "2025-01-15T11:00:00.000001Z"; // one microsecond off: no link
      expect(
        await previousSealedChunk(store.db, { ...next, windowStart: offByOne }),
      ).toBeUndefined();
      // A part N > 0 links to part N - 1 of its hour, even when the windows do not meet.
      const part2 = {
        agentId: key.agentId,
        hourStart,
        part: 2,
        windowStart: "2025-01-15T10:40:00.000000Z",
      };
      expect((await previousSealedChunk(store.db, part2))?.part).toBe(1);
    });

    test("concurrent appends at the same offset store the bytes once", async () => {
      const other = { ...key, hourStart: new Date("2025-01-15T11:00:00Z") };
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => appendBatch(store.db, other, 0, bytes("zz\n"))),
      );
      expect(outcomes.filter((o) => o.status === "accepted")).toHaveLength(1);
      expect(outcomes.every((o) => o.length === 3)).toBe(true);
    });

    test("a hotel-scoped transaction cannot read or write another hotel's rows, even when asked", async () => {
      await addHotel(store.db, { name: "Other", id: "other" });
      await store.db.insert(tables.agents).values({
        id: "other-cccccccc",
        hotelId: "other",
        certSerial: "02",
        certSha256: "cd",
        certPem: "pem",
        notAfter: new Date(Date.now() + 86_400_000),
      });
      const otherKey = { hotelId: "other", agentId: "other-cccccccc", hourStart, part: 0 };
      expect((await appendBatch(store.db, otherKey, 0, bytes("other hotel\n"))).status).toBe(
        "accepted",
      );
      const otherChunk = await findChunk(store.db, otherKey);
      if (!otherChunk) throw new Error("no chunk of the other hotel");
      const grandKey = { ...key, part: 9 };
      expect((await appendBatch(store.db, grandKey, 0, bytes("grand\n"))).status).toBe("accepted");

      // Queries that do not filter by hotel at all: the database does.
      await inHotelScope(store.db, "grand", async (tx) => {
        const visible = await tx.select().from(tables.chunks);
        expect(visible.length).toBeGreaterThan(0);
        expect(visible.every((row) => row.hotelId === "grand")).toBe(true);
        const agentHotels = (await tx.select().from(tables.agents)).map((row) => row.hotelId);
        expect(agentHotels).toContain("grand");
        expect(agentHotels).not.toContain("other");
        const otherBatches = await tx
          .select()
          .from(tables.chunkBatches)
          .where(eq(tables.chunkBatches.chunkId, otherChunk.id));
        expect(otherBatches).toHaveLength(0);
        const changed = await tx
          .update(tables.chunks)
          .set({ length: 0 })
          .where(eq(tables.chunks.id, otherChunk.id))
          .returning();
        expect(changed).toHaveLength(0);
      });
      expect((await findChunk(store.db, otherKey))?.length).toBe(12);

      // Writing a row of another hotel is refused by the policy.
      expect(
        await refusal(
          inHotelScope(store.db, "grand", (tx) =>
            tx.insert(tables.chunkBatches).values({
              chunkId: otherChunk.id,
              offset: 12,
              bytes: bytes("smuggled\n"),
            }),
          ),
        ),
      ).toMatch(/row-level security/);
      expect(
        await refusal(
          inHotelScope(store.db, "grand", (tx) =>
            tx.insert(tables.chunks).values({ ...otherKey, part: 7 }),
          ),
        ),
      ).toMatch(/row-level security/);
      // And the scope holds no privilege beyond chunks, batches and agents.
      expect(
        await refusal(
          inHotelScope(store.db, "grand", (tx) => tx.select().from(tables.enrollmentTokens)),
        ),
      ).toMatch(/permission denied/);
      expect(
        await refusal(
          inHotelScope(store.db, "grand", (tx) =>
            tx.delete(tables.chunks).where(eq(tables.chunks.hotelId, "grand")),
          ),
        ),
      ).toMatch(/permission denied/);
      expect((await findChunk(store.db, otherKey))?.length).toBe(12);
    });

    test("fleet health: expiring certificates and silent agents, revoked ones left out", async () => {
      const day = 86_400_000;
      const health = (expiringWithinMs: number) =>
        agentFleetHealth(store.db, { expiringWithinMs, silentAfterMs: 15 * 60_000 });
      // Two agents by now (grand's and other's), each certificate valid for one more day.
      expect(await health(0)).toMatchObject({ agents: 2, certificatesExpiring: 0 });
      expect(await health(2 * day)).toMatchObject({ agents: 2, certificatesExpiring: 2 });
      const silentBefore = (await health(0)).silent;
      await touchAgent(store.db, key.agentId);
      expect((await health(0)).silent).toBe(silentBefore - 1);
    });

    test("revocation is seen at once", async () => {
      expect((await touchAgent(store.db, key.agentId))?.revokedAt).toBeNull();
      const first = await revokeAgent(store.db, key.agentId);
      const again = await revokeAgent(store.db, key.agentId);
      expect(again?.revokedAt).toEqual(first?.revokedAt ?? null);
      expect((await touchAgent(store.db, key.agentId))?.revokedAt).toBeInstanceOf(Date);
      expect(await touchAgent(store.db, "unknown-agent")).toBeUndefined();
    });
  });
}

describeStore("postgres");
describeStore("pglite");

test("timestamptz text from PostgreSQL reads back as the custody format, exactly", () => {
  expect(pgTimestamptzToMicrosUtc("2026-11-22 08:20:00.123456+00")).toBe(
    "2026-11-22T08:20:00.123456Z",
  );
  expect(pgTimestamptzToMicrosUtc("2026-11-22 08:20:00+00")).toBe("2026-11-22T08:20:00.000000Z");
  expect(pgTimestamptzToMicrosUtc("2026-11-22 08:20:00.5+00")).toBe("2026-11-22T08:20:00.500000Z");
  // A session in another time zone (Istanbul, +03; India, +05:30).
  expect(pgTimestamptzToMicrosUtc("2026-11-22 11:20:00.000001+03")).toBe(
    "2026-11-22T08:20:00.000001Z",
  );
  expect(pgTimestamptzToMicrosUtc("2026-11-22 13:50:00+05:30")).toBe("2026-11-22T08:20:00.000000Z");
  expect(pgTimestamptzToMicrosUtc("2026-11-22 00:20:00-08")).toBe("2026-11-22T08:20:00.000000Z");
  expect(() => pgTimestamptzToMicrosUtc("yesterday")).toThrow(/unexpected timestamptz/);
});
