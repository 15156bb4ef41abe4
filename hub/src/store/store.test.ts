/**
 * The store behaves the same on PostgreSQL (DATABASE_URL, a scratch database
 * per file) and on embedded PGlite: the protocol's offset rules, sealing
 * state, revocation, tokens.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openStore, type Store } from "./db.ts";
import {
  addHotel,
  appendBatch,
  chunkBatchPieces,
  ensureChainId,
  findChunk,
  findHotel,
  HotelExistsError,
  insertEnrollmentToken,
  listHotels,
  readChunkRange,
  revokeAgent,
  spendEnrollmentToken,
  touchAgent,
} from "./index.ts";
import { createScratchDatabase } from "./testing.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

function describeStore(driver: "postgres" | "pglite") {
  describe(`store on ${driver}`, () => {
    let store: Store;
    let dropScratch: (() => Promise<void>) | undefined;
    const hourStart = new Date("2025-01-15T10:00:00Z");
    const key = { hotelId: "grand", agentId: "grand-aaaaaaaa", hourStart };

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

    test("concurrent appends at the same offset store the bytes once", async () => {
      const other = { ...key, hourStart: new Date("2025-01-15T11:00:00Z") };
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => appendBatch(store.db, other, 0, bytes("zz\n"))),
      );
      expect(outcomes.filter((o) => o.status === "accepted")).toHaveLength(1);
      expect(outcomes.every((o) => o.length === 3)).toBe(true);
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
