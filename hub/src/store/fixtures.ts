/**
 * Rows for the unit tests of the rooms above the store (roll-ups, reports,
 * retention, the time-stamp worker): a migrated scratch PostgreSQL database,
 * and hotels, agents and sealed chunks made directly, without the protocol.
 * Tests only.
 */
import { buildManifest, sha256Hex } from "../../../shared/src/custody/index.ts";
import { firstManifestFields } from "../../../shared/src/custody/testing.ts";
import { type Db, openStore, type RawClient } from "./db.ts";
import { agents, chunks, hotels, type TimestampStatus } from "./schema.ts";
import { createScratchDatabase } from "./testing.ts";

/** A migrated scratch database; `close` drops it. */
export async function openScratchStore(): Promise<{
  db: Db;
  raw: RawClient;
  close(): Promise<void>;
}> {
  const scratch = await createScratchDatabase();
  const store = await openStore({ kind: "postgres", url: scratch.url });
  await store.migrate();
  return {
    db: store.db,
    raw: store.raw,
    async close() {
      await store.close();
      await scratch.drop();
    },
  };
}

export async function addHotelRow(
  db: Db,
  id: string,
  options: { retentionDays?: number; legalHold?: boolean } = {},
): Promise<number> {
  const [row] = await db
    .insert(hotels)
    .values({ id, name: `Hotel ${id}`, ...options })
    .returning({ key: hotels.key });
  if (!row) throw new Error(`hotel ${id} was not added`);
  return row.key;
}

export async function addAgentRow(
  db: Db,
  input: { id: string; hotelId: string; enrolledAt: Date; revokedAt?: Date; clockSkewMs?: number },
): Promise<void> {
  await db.insert(agents).values({
    id: input.id,
    hotelId: input.hotelId,
    certSerial: "01",
    certSha256: sha256Hex(input.id),
    certPem: "-",
    notAfter: new Date("2030-01-01T00:00:00Z"),
    enrolledAt: input.enrolledAt,
    revokedAt: input.revokedAt ?? null,
    lastClockSkewMs: input.clockSkewMs ?? null,
  });
}

export interface SealedChunkInput {
  hotelId: string;
  agentId: string;
  /** `YYYY-MM-DDTHH`. */
  hour: string;
  part?: number;
  /** Record time; default the hour's end (the hour's last part). */
  windowEnd?: string;
  status?: "verified" | "failed";
  timestampStatus?: TimestampStatus | null;
  gapLost?: number;
  ntpSynchronized?: boolean | null;
  sealedAt?: Date;
  archivePath?: string;
}

/** A sealed chunk row with a real (canonical) manifest. */
export async function addSealedChunk(db: Db, input: SealedChunkInput) {
  const hourStart = `${input.hour}:00:00Z`;
  const part = input.part ?? 0;
  const hourEnd = `${new Date(Date.parse(hourStart) + 3_600_000).toISOString().slice(0, 19)}.000000Z`;
  const windowStart =
    part === 0
      ? `${input.hour}:00:00.000000Z`
      : `${input.hour}:${String(part * 10).padStart(2, "0")}:00.000000Z`;
  const windowEnd = input.windowEnd ?? hourEnd;
  const { bytes } = buildManifest(
    firstManifestFields({
      hotel_id: input.hotelId,
      agent_id: input.agentId,
      hour_start: hourStart,
      part,
      window_start: windowStart,
      window_end: windowEnd,
      gap_lost: 0,
      clock: { ntp_synchronized: input.ntpSynchronized ?? true, source: "chrony" },
    }),
  );
  const [row] = await db
    .insert(chunks)
    .values({
      agentId: input.agentId,
      hotelId: input.hotelId,
      hourStart: new Date(hourStart),
      part,
      windowStart,
      windowEnd,
      status: input.status ?? "verified",
      manifest: bytes,
      signature: new Uint8Array(256),
      manifestSha256: sha256Hex(bytes),
      gapLost: input.gapLost ?? 0,
      sealedAt: input.sealedAt ?? new Date(Date.parse(hourStart) + 3_600_000),
      archivePath: input.archivePath ?? null,
      timestampStatus:
        input.timestampStatus === undefined
          ? input.status === "failed"
            ? null
            : "timestamped"
          : input.timestampStatus,
      timestampDueAt: input.timestampStatus === "awaiting" ? new Date(0) : null,
    })
    .returning();
  if (!row) throw new Error("chunk insert returned nothing");
  return row;
}
