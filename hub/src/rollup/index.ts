/**
 * Daily roll-ups: per hotel and UTC day, a `day-manifest.json` listing every
 * agent's chunks of the day (manifest hashes, verdicts) and naming missing
 * and failed hours or parts, signed by the hub's signing key and
 * time-stamped. UTC, not the hotel's time zone: chunks are UTC hours, and a
 * day that is 23 or 25 hours long twice a year would make "every hour is
 * there" ambiguous. Made by the worker after a day ends, or on demand.
 */

import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, asc, eq, gte, isNotNull, isNull, lt, or } from "drizzle-orm";
import {
  DAY_MANIFEST_FORMAT,
  DAY_ROLLUP_FILES,
  type DayManifest,
  serializeDayManifest,
} from "../../../shared/src/custody/day-manifest.ts";
import { chunkId } from "../../../shared/src/custody/index.ts";
import type { TimestampClient } from "../../../shared/src/timestamp/index.ts";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import type { HubSigner } from "../identity/index.ts";
import { ensureDirectory, syncDirectory, writeFileDurably } from "../seal/archive.ts";
import { type ChunkRow, type Db, findHotel, tables, writeAudit } from "../store/index.ts";
import { archiveTimestamp } from "../timestamp/worker.ts";
import { expectedHours, hourCoverage } from "./coverage.ts";

export * from "../../../shared/src/custody/day-manifest.ts";
export * from "./coverage.ts";

const DAY_MS = 86_400_000;

export interface RollupContext {
  db: Db;
  dataDir: string;
  chainId: string;
  signer: HubSigner;
  tsa: TimestampClient;
  events: HubEvents;
}

/** A roll-up as the API and CLI show it. */
export interface RollupView {
  hotel_id: string;
  day: string;
  agents: number;
  chunks: number;
  missing: number;
  failed: number;
  timestamped: boolean;
  archive_path: string;
}

/** Record time of now, as the custody format writes it. */
function recordTimeNow(now: Date): string {
  return `${now.toISOString().slice(0, 23)}000Z`;
}

/**
 * The day manifest of a hotel's day from the database (not yet signed).
 * Agents are those expected that day (enrolled before its end, not revoked
 * before its start) and any with chunks in it.
 */
export async function buildDayManifest(
  db: Db,
  input: { chainId: string; hotelId: string; day: string; now?: Date },
): Promise<DayManifest> {
  const from = new Date(`${input.day}T00:00:00Z`);
  const to = new Date(from.getTime() + DAY_MS);
  const { agents, chunks } = tables;
  const agentRows = await db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.hotelId, input.hotelId),
        lt(agents.enrolledAt, to),
        or(isNull(agents.revokedAt), gte(agents.revokedAt, from)),
      ),
    )
    .orderBy(asc(agents.id));
  const chunkRows = await db
    .select()
    .from(chunks)
    .where(
      and(
        eq(chunks.hotelId, input.hotelId),
        gte(chunks.hourStart, from),
        lt(chunks.hourStart, to),
        isNotNull(chunks.manifest),
      ),
    )
    .orderBy(asc(chunks.hourStart), asc(chunks.part));
  const byAgent = new Map<string, ChunkRow[]>();
  for (const row of chunkRows) byAgent.set(row.agentId, [...(byAgent.get(row.agentId) ?? []), row]);
  const agentIds = [...new Set([...agentRows.map((a) => a.id), ...byAgent.keys()])].sort();
  return {
    format: DAY_MANIFEST_FORMAT,
    chain_id: input.chainId,
    hotel_id: input.hotelId,
    day: input.day,
    agents: agentIds.map((agentId) => {
      const rows = byAgent.get(agentId) ?? [];
      const agent = agentRows.find((a) => a.id === agentId);
      const hours = agent
        ? expectedHours(agent, from, to)
        : [...new Set(rows.map((row) => row.hourStart.getTime()))].map((t) => new Date(t));
      const coverage = hours.map((hour) =>
        hourCoverage(
          hour,
          rows.filter((row) => row.hourStart.getTime() === hour.getTime()),
        ),
      );
      return {
        agent_id: agentId,
        chunks: rows.map((row) => ({
          chunk: chunkId(row.hourStart.toISOString(), row.part),
          manifest_sha256: row.manifestSha256 ?? "",
          status: row.status === "failed" ? ("failed" as const) : ("verified" as const),
        })),
        missing: coverage.flatMap((c) => c.missing),
        failed: rows
          .filter((row) => row.status === "failed")
          .map((row) => chunkId(row.hourStart.toISOString(), row.part)),
      };
    }),
    created_at: recordTimeNow(input.now ?? new Date()),
  };
}

/** Where a roll-up lives: `archive/<hotel>/_days/YYYY-MM-DD/`. */
export function dayArchiveDir(dataDir: string, hotelId: string, day: string): string {
  return join(dataDir, "archive", hotelId, "_days", day);
}

/**
 * Build, sign, time-stamp and store the roll-up of a hotel's ended UTC day
 * (a later call replaces it: the newest roll-up reflects the newest facts;
 * the audit log keeps that it was redone). A TSA failure leaves it signed
 * without `day-manifest.tsr`; the daily job stamps it later.
 *
 * @example
 * const view = await rollUpDay(context, { hotel: "grand", day: "2026-11-22", actor: "cli:alice" });
 */
export async function rollUpDay(
  context: RollupContext,
  input: { hotel: string; day: string; actor: string; now?: Date },
): Promise<RollupView> {
  const now = input.now ?? new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.day) || Number.isNaN(Date.parse(`${input.day}T00:00:00Z`)))
    throw new RollupError("--day must be a UTC day like 2026-11-22");
  if (Date.parse(`${input.day}T00:00:00Z`) + DAY_MS > now.getTime())
    throw new RollupError(`day ${input.day} has not ended yet (UTC)`);
  const hotel = await findHotel(context.db, input.hotel);
  if (!hotel) throw new RollupError(`no hotel with id or name "${input.hotel}"`, 404);
  const manifest = await buildDayManifest(context.db, {
    chainId: context.chainId,
    hotelId: hotel.id,
    day: input.day,
    now,
  });
  const bytes = serializeDayManifest(manifest);
  const signature = context.signer.sign(bytes);
  const dir = dayArchiveDir(context.dataDir, hotel.id, input.day);
  await ensureDirectory(dir);
  await writeFileDurably(join(dir, DAY_ROLLUP_FILES.manifest), [bytes]);
  await writeFileDurably(join(dir, DAY_ROLLUP_FILES.signature), [signature]);
  await writeFileDurably(join(dir, DAY_ROLLUP_FILES.hubCertificate), [
    new TextEncoder().encode(context.signer.certificatePem),
  ]);
  await syncDirectory(dir);
  const tsr = await stampDay(context, dir, bytes);
  const values = { manifest: bytes, signature, tsr: tsr ?? null, archivePath: dir, createdAt: now };
  await context.db
    .insert(tables.dayRollups)
    .values({ hotelId: hotel.id, day: input.day, ...values })
    .onConflictDoUpdate({
      target: [tables.dayRollups.hotelId, tables.dayRollups.day],
      set: values,
    });
  await writeAudit(context.db, {
    actor: input.actor,
    action: "rollup",
    hotelId: hotel.id,
    detail: { day: input.day, timestamped: tsr !== undefined },
    chunks: manifest.agents.flatMap((a) => a.chunks.map((c) => `${a.agent_id}/${c.chunk}`)),
  });
  context.events.emit({
    name: "DayRolledUp",
    hotelId: hotel.id,
    day: input.day,
    timestamped: tsr !== undefined,
  });
  return {
    hotel_id: hotel.id,
    day: input.day,
    agents: manifest.agents.length,
    chunks: manifest.agents.reduce((n, a) => n + a.chunks.length, 0),
    missing: manifest.agents.reduce((n, a) => n + a.missing.length, 0),
    failed: manifest.agents.reduce((n, a) => n + a.failed.length, 0),
    timestamped: tsr !== undefined,
    archive_path: dir,
  };
}

/** The time-stamp of a day manifest, archived with the roll-up; undefined when the TSA failed. */
async function stampDay(
  context: RollupContext,
  dir: string,
  bytes: Uint8Array,
): Promise<Uint8Array | undefined> {
  try {
    const grant = await context.tsa.stamp(bytes);
    await archiveTimestamp(dir, grant, {
      tsr: DAY_ROLLUP_FILES.tsr,
      raw: DAY_ROLLUP_FILES.raw,
      chain: DAY_ROLLUP_FILES.tsaChain,
      ca: DAY_ROLLUP_FILES.tsaCa,
    });
    return grant.tsr;
  } catch {
    return undefined;
  }
}

/** A roll-up request the hub refuses. */
export class RollupError extends RefusedRequestError {
  override readonly name = "RollupError";
}

/**
 * Copy a stored roll-up's files into a day export's root; makes the roll-up
 * first when the day has ended and none exists. Returns the file names
 * written (none for a day that has not ended).
 */
export async function writeDayRollupFiles(
  context: RollupContext,
  hotelId: string,
  day: string,
  outDir: string,
  actor: string,
  caPem: string,
): Promise<string[]> {
  const [existing] = await context.db
    .select()
    .from(tables.dayRollups)
    .where(and(eq(tables.dayRollups.hotelId, hotelId), eq(tables.dayRollups.day, day)));
  if (!existing) {
    if (Date.parse(`${day}T00:00:00Z`) + DAY_MS > Date.now()) return [];
    await rollUpDay(context, { hotel: hotelId, day, actor });
  }
  const dir = dayArchiveDir(context.dataDir, hotelId, day);
  const written: string[] = [];
  for (const file of Object.values(DAY_ROLLUP_FILES)) {
    try {
      await copyFile(join(dir, file), join(outDir, file));
      written.push(file);
    } catch {
      // day-manifest.tsr and its TSA files are absent until the TSA answered.
    }
  }
  // hub.pem chains to the chain CA: the root gets its own copy for the §15 commands.
  await writeFile(join(outDir, "chain-ca.pem"), caPem);
  return [...written, "chain-ca.pem"];
}

/**
 * The daily job: roll up every hotel's ended days that have chunks but no
 * roll-up yet (the last `lookbackDays`), and stamp roll-ups the TSA missed.
 */
export async function rollUpEndedDays(
  context: RollupContext,
  options: { now?: Date; lookbackDays?: number } = {},
): Promise<RollupView[]> {
  const now = options.now ?? new Date();
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const done: RollupView[] = [];
  const hotels = await context.db.select({ id: tables.hotels.id }).from(tables.hotels);
  for (let back = 1; back <= (options.lookbackDays ?? 3); back++) {
    const day = new Date(today - back * DAY_MS).toISOString().slice(0, 10);
    for (const hotel of hotels) {
      const [existing] = await context.db
        .select({ tsr: tables.dayRollups.tsr })
        .from(tables.dayRollups)
        .where(and(eq(tables.dayRollups.hotelId, hotel.id), eq(tables.dayRollups.day, day)));
      if (existing?.tsr) continue;
      const [anyChunk] = await context.db
        .select({ id: tables.chunks.id })
        .from(tables.chunks)
        .where(
          and(
            eq(tables.chunks.hotelId, hotel.id),
            gte(tables.chunks.hourStart, new Date(`${day}T00:00:00Z`)),
            lt(tables.chunks.hourStart, new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS)),
          ),
        )
        .limit(1);
      if (!anyChunk && !existing) continue;
      done.push(await rollUpDay(context, { hotel: hotel.id, day, actor: "hub:daily-job", now }));
    }
  }
  return done;
}
