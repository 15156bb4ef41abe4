/**
 * Evidence bundles for auditors (docs/custody-format.md §9): the chunks an
 * auditor asks for (a hotel's hour, a day, one chunk) as
 * `<out>/<agent>/<chunk-id>/` directories with the agent's files, the
 * time-stamp, the certificates, the chain CA's CRL and a filled-in
 * VERIFY.md; a day export adds the day roll-up at the root. Every export is
 * written to the audit log before any file leaves the hub.
 */

import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq, gte, isNotNull, lt } from "drizzle-orm";
import { z } from "zod";
import { DAY_ROLLUP_FILES, parseDayManifest } from "../../../shared/src/custody/day-manifest.ts";
import {
  chunkId,
  compareChunkIds,
  hasMerkleRoot,
  parseChunkId,
  parseManifest,
} from "../../../shared/src/custody/index.ts";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import { buildChainCaCrl, type ChainCa } from "../identity/index.ts";
import { findHotelIn } from "../query/hotels.ts";
import { hotelCondition, type ReadScope, scopedRead } from "../query/scope.ts";
import {
  type ChunkRow,
  type Db,
  previousSealedChunk,
  revokedAgentCertificates,
  tables,
  writeAudit,
} from "../store/index.ts";
import { TIMESTAMP_FILES } from "../timestamp/worker.ts";
import { renderDayVerifyMd } from "./day-verify-md.ts";
import { renderVerifyMd, type VerifyFacts } from "./verify-md.ts";

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What to export: exactly one of hour, day or chunk. */
export const exportRequestSchema = z
  .object({
    hotel: z.string().min(1, "--hotel must name a hotel (id or name)").optional(),
    hour: z
      .string()
      .regex(HOUR, "--hour must be a UTC hour like 2026-11-22T08")
      .refine((h) => !Number.isNaN(Date.parse(`${h}:00:00Z`)), "--hour is not a real hour")
      .optional(),
    day: z
      .string()
      .regex(DAY, "--day must be a UTC day like 2026-11-22")
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "--day is not a real day")
      .optional(),
    chunk: z
      .string()
      .refine(
        (id) => parseChunkId(id) !== undefined,
        "--chunk must be a chunk id like 2026-11-22T08 or 2026-11-22T08.1",
      )
      .optional(),
    agent: z.string().min(1).optional(),
  })
  .superRefine((request, context) => {
    const given = [request.hour, request.day, request.chunk].filter((v) => v !== undefined);
    if (given.length !== 1)
      context.addIssue({ code: "custom", message: "give exactly one of --hour, --day or --chunk" });
    if ((request.hour || request.day) && !request.hotel)
      context.addIssue({ code: "custom", message: "--hour and --day need --hotel" });
  });
export type ExportRequest = z.infer<typeof exportRequestSchema>;

/** One exported chunk, as the summary lists it. */
export interface ExportedChunk {
  agent_id: string;
  chunk: string;
  /** Relative to the export directory: `<agent>/<chunk-id>`. */
  dir: string;
  status: string;
  timestamp: string;
}

export interface ExportSummary {
  hotel_id: string;
  chunks: ExportedChunk[];
  /** Files of the day roll-up written at the root (day exports). */
  rollup_files: string[];
  audit_id: number;
}

/** The day roll-up's files for a day export, written by the roll-up room. */
export type DayRollupWriter = (
  hotelId: string,
  day: string,
  outDir: string,
  actor: string,
) => Promise<string[]>;

export interface ExportContext {
  db: Db;
  ca: ChainCa;
  events: HubEvents;
  /** Writes the day roll-up files into the export root (absent: day exports carry none). */
  writeDayRollup?: DayRollupWriter;
}

/** A request the hub cannot serve (unknown hotel, nothing sealed, ambiguous chunk). */
export class ExportError extends RefusedRequestError {
  override readonly name = "ExportError";
  constructor(message: string, status: 400 | 404 = 404) {
    super(message, status);
  }
}

/** The label the API and CLI show for a chunk's time-stamp state. */
export function timestampLabel(
  row: Pick<ChunkRow, "status" | "timestampStatus" | "timestampError">,
): string {
  if (row.status === "open") return "-";
  switch (row.timestampStatus) {
    case "timestamped":
      return "timestamped";
    case "awaiting":
      return "awaiting-timestamp";
    case "failed":
      return `timestamp_failed: ${(row.timestampError ?? "").split(":")[0]}`;
    default:
      return "not stamped (chunk failed verification)";
  }
}

async function selectChunks(
  db: Db,
  request: ExportRequest,
  scope: ReadScope | undefined,
): Promise<{ hotelId: string; rows: ChunkRow[] }> {
  const { chunks } = tables;
  const { hotelId, rows } = await scopedRead(db, scope, async (tx) => {
    let hotelId: string | undefined;
    if (request.hotel) {
      // Another hotel answers as an unknown one does: its existence is not revealed.
      const hotel = await findHotelIn(tx, request.hotel, scope);
      if (!hotel) throw new ExportError(`no hotel with id or name "${request.hotel}"`);
      hotelId = hotel.id;
    }
    const conditions = [isNotNull(chunks.manifest), hotelCondition(chunks.hotelId, scope)];
    if (hotelId) conditions.push(eq(chunks.hotelId, hotelId));
    if (request.hour || request.day) {
      const from = new Date(request.hour ? `${request.hour}:00:00Z` : `${request.day}T00:00:00Z`);
      const to = new Date(from.getTime() + (request.hour ? 3_600_000 : 86_400_000));
      conditions.push(gte(chunks.hourStart, from), lt(chunks.hourStart, to));
    } else {
      const address = parseChunkId(request.chunk ?? "");
      if (!address) throw new ExportError("--chunk is not a chunk id", 400);
      conditions.push(
        eq(chunks.hourStart, new Date(address.hourStart)),
        eq(chunks.part, address.part),
      );
      if (request.agent) conditions.push(eq(chunks.agentId, request.agent));
    }
    const rows = await tx
      .select()
      .from(chunks)
      .where(and(...conditions))
      .orderBy(asc(chunks.agentId), asc(chunks.hourStart), asc(chunks.part));
    return { hotelId, rows };
  });
  if (request.chunk && new Set(rows.map((row) => row.agentId)).size > 1) {
    throw new ExportError(
      `chunk ${request.chunk} exists for several agents; pass --agent (one of ${rows.map((row) => row.agentId).join(", ")})`,
      400,
    );
  }
  const first = rows[0];
  if (!first && !request.day) {
    throw new ExportError(
      `no sealed chunk for ${request.hour ? `hour ${request.hour}` : `chunk ${request.chunk}`}${hotelId ? ` of hotel ${hotelId}` : ""}`,
    );
  }
  const resolvedHotel = hotelId ?? first?.hotelId;
  if (!resolvedHotel) throw new ExportError("no hotel for this export");
  return { hotelId: resolvedHotel, rows };
}

/** A chunk row's id (`2026-11-22T08`, `2026-11-22T08.1`). */
export const chunkIdOfRow = (row: Pick<ChunkRow, "hourStart" | "part">) =>
  chunkId(row.hourStart.toISOString(), row.part);

/**
 * What VERIFY.md says of one chunk: its manifest's values, its certificate's
 * serial and revocation, its time-stamp, and where its predecessor is
 * (`exported`: the `<agent>/<chunk>` directories beside it).
 */
export async function chunkVerifyFacts(
  db: Db,
  row: ChunkRow,
  exported: Set<string>,
  revoked: Map<string, Date>,
): Promise<VerifyFacts> {
  const { manifest } = parseManifest(row.manifest ?? new Uint8Array());
  const certificate = new X509Certificate(row.agentCertPem ?? "");
  const serial = certificate.serialNumber.toLowerCase();
  let previous: VerifyFacts["previous"] = { kind: "first" };
  if (manifest.prev_manifest_sha256 !== null) {
    const prior = await previousSealedChunk(db, {
      agentId: row.agentId,
      hourStart: row.hourStart,
      part: row.part,
      windowStart: manifest.window_start,
    });
    const sha = manifest.prev_manifest_sha256;
    if (!prior) previous = { kind: "unknown", manifestSha256: sha };
    else {
      const id = chunkIdOfRow(prior);
      previous = exported.has(`${row.agentId}/${id}`)
        ? {
            kind: "in-export",
            chunk: id,
            dir: `../${id}`,
            manifestSha256: prior.manifestSha256 ?? sha,
          }
        : { kind: "not-exported", chunk: id, manifestSha256: sha };
    }
  }
  return {
    hotelId: row.hotelId,
    agentId: row.agentId,
    chunk: chunkIdOfRow(row),
    status: row.status,
    reason: row.reason,
    recordsSha256: manifest.records_sha256,
    byteLength: manifest.byte_length,
    recordCount: manifest.record_count,
    ...(hasMerkleRoot(manifest)
      ? { merkle: { root: manifest.merkle_root, size: manifest.merkle_size } }
      : {}),
    agentCertSha256: manifest.agent_cert_sha256,
    agentSerialHex: serial,
    revokedAt: revoked.get(serial.replace(/^0+/, ""))?.toISOString(),
    createdAt: manifest.created_at,
    timestamp:
      row.timestampStatus === "timestamped" && row.timestampGenTime
        ? {
            genTime: row.timestampGenTime.toISOString(),
            serial: row.timestampSerial ?? "",
            tsaName: row.timestampTsaName,
          }
        : undefined,
    previous,
  };
}

/** The chain CA's certificate and its CRL, as every chunk directory of an export carries them. */
export interface ChainFiles {
  caPem: string;
  crlPem: string;
}

/**
 * The chain CA's CRL of every revoked agent certificate, and the revocations
 * by serial (lower-case hex, no leading zeros) for {@link chunkVerifyFacts}.
 */
export async function chainFilesNow(
  context: Pick<ExportContext, "db" | "ca">,
): Promise<{ files: ChainFiles; revoked: Map<string, Date> }> {
  const revokedRows = await revokedAgentCertificates(context.db);
  const revoked = new Map(
    revokedRows.map((entry) => [
      new X509Certificate(entry.certPem).serialNumber.toLowerCase().replace(/^0+/, ""),
      entry.revokedAt,
    ]),
  );
  const crlPem = await buildChainCaCrl(
    context.ca,
    [...revoked].map(([serialHex, revokedAt]) => ({ serialHex, revokedAt })),
  );
  return { files: { caPem: context.ca.certificatePem, crlPem }, revoked };
}

/**
 * A chunk's custody files into `dir` (made): its manifest and signature, the
 * time-stamp files when it is stamped, its agent's certificate, the chain CA
 * and CRL; and `records.jsonl` unless `records` is false (a disclosure writes
 * only the lines asked for). What a bundle's and a disclosure's openssl
 * commands read.
 */
export async function copyChunkCustodyFiles(
  row: ChunkRow,
  dir: string,
  chain: ChainFiles,
  options: { stamped: boolean; records: boolean },
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const archive = row.archivePath ?? "";
  const files = options.records
    ? ["records.jsonl", "manifest.json", "manifest.sig"]
    : ["manifest.json", "manifest.sig"];
  for (const file of files) await copyFile(join(archive, file), join(dir, file));
  if (options.stamped) {
    for (const file of Object.values(TIMESTAMP_FILES)) {
      if (existsSync(join(archive, file))) await copyFile(join(archive, file), join(dir, file));
    }
  }
  await writeFile(join(dir, "agent.pem"), row.agentCertPem ?? "");
  await writeFile(join(dir, "chain-ca.pem"), chain.caPem);
  await writeFile(join(dir, "chain-ca.crl.pem"), chain.crlPem);
}

async function writeChunkBundle(
  row: ChunkRow,
  dir: string,
  chain: ChainFiles,
  facts: VerifyFacts,
): Promise<void> {
  await copyChunkCustodyFiles(row, dir, chain, {
    stamped: facts.timestamp !== undefined,
    records: true,
  });
  await writeFile(join(dir, "VERIFY.md"), renderVerifyMd(facts));
}

/**
 * Export the chunks a request names into `outDir` (created; existing chunk
 * directories are overwritten) and audit-log it as `actor`.
 *
 * @example
 * const summary = await exportEvidence(context, { hotel: "grand", hour: "2026-11-22T08" }, "/tmp/bundle", "cli:alice");
 * summary.chunks; // [{ agent_id, chunk: "2026-11-22T08", dir: "grand-abcd2345/2026-11-22T08", ... }]
 */
export async function exportEvidence(
  context: ExportContext,
  input: ExportRequest,
  outDir: string,
  actor: string,
  /** The caller's hotels (the API): only their chunks can be exported. Absent: every hotel (the CLI). */
  scope?: ReadScope,
): Promise<ExportSummary> {
  const request = exportRequestSchema.parse(input);
  const { db } = context;
  const { hotelId, rows } = await selectChunks(db, request, scope);
  const exported = new Set(rows.map((row) => `${row.agentId}/${chunkIdOfRow(row)}`));
  const audit = await writeAudit(db, {
    actor,
    action: "export",
    hotelId,
    detail: { ...request, ...(scope ? { scope: scope.hotels } : {}), rows: rows.length },
    chunks: [...exported].sort(),
  });
  const { files: chain, revoked } = await chainFilesNow(context);
  await mkdir(outDir, { recursive: true, mode: 0o750 });
  const summary: ExportSummary = {
    hotel_id: hotelId,
    chunks: [],
    rollup_files: [],
    audit_id: audit.id,
  };
  for (const row of rows) {
    const id = chunkIdOfRow(row);
    const facts = await chunkVerifyFacts(db, row, exported, revoked);
    const relative = join(row.agentId, id);
    await writeChunkBundle(row, join(outDir, relative), chain, facts);
    summary.chunks.push({
      agent_id: row.agentId,
      chunk: id,
      dir: relative,
      status: row.status,
      timestamp: timestampLabel(row),
    });
  }
  summary.chunks.sort(
    (a, b) => a.agent_id.localeCompare(b.agent_id) || compareChunkIds(a.chunk, b.chunk),
  );
  if (request.day && context.writeDayRollup) {
    summary.rollup_files = await context.writeDayRollup(hotelId, request.day, outDir, actor);
    if (summary.rollup_files.includes(DAY_ROLLUP_FILES.manifest)) {
      const manifest = parseDayManifest(
        new Uint8Array(await readFile(join(outDir, DAY_ROLLUP_FILES.manifest))),
      );
      const stamped = summary.rollup_files.includes(DAY_ROLLUP_FILES.tsr);
      await writeFile(join(outDir, "VERIFY.md"), renderDayVerifyMd(manifest, { stamped }));
      summary.rollup_files.push("VERIFY.md");
    }
  }
  context.events.emit({
    name: "EvidenceExported",
    actor,
    chunks: summary.chunks.length,
    selector: request.hour ?? request.day ?? request.chunk ?? "",
  });
  return summary;
}

/**
 * The same export as a gzip'd tar (the API's download), built in a temp
 * directory with the system's `tar`.
 *
 * @example
 * const { tarGz, summary } = await exportEvidenceTarGz(context, { hotel: "grand", day: "2026-11-22" }, "admin-credential");
 */
export async function exportEvidenceTarGz(
  context: ExportContext,
  request: ExportRequest,
  actor: string,
  scope?: ReadScope,
): Promise<{ tarGz: Uint8Array; summary: ExportSummary }> {
  return writtenAsTarGz("logmaster-export-", (dir) =>
    exportEvidence(context, request, dir, actor, scope),
  );
}

/**
 * What `write` puts into a fresh temp directory, as a gzip'd tar made with
 * the system's `tar`, and what `write` answered; the directory is removed.
 *
 * @example
 * const { tarGz, summary } = await writtenAsTarGz("logmaster-export-", (dir) => exportEvidence(context, request, dir, actor));
 */
export async function writtenAsTarGz<T>(
  prefix: string,
  write: (dir: string) => Promise<T>,
): Promise<{ tarGz: Uint8Array; summary: T }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const summary = await write(dir);
    const tar = Bun.spawn(["tar", "-czf", "-", "-C", dir, "."], { stdout: "pipe", stderr: "pipe" });
    const [bytes, stderr, exitCode] = await Promise.all([
      new Response(tar.stdout).bytes(),
      new Response(tar.stderr).text(),
      tar.exited,
    ]);
    if (exitCode !== 0) throw new Error(`tar failed: ${stderr}`);
    return { tarGz: bytes, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Unpack an export download into `outDir` (the CLI, when it exported through
 * a running hub).
 */
export async function extractTarGz(tarGz: Uint8Array, outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true, mode: 0o750 });
  const tar = Bun.spawn(["tar", "-xzf", "-", "-C", outDir], { stdin: tarGz, stderr: "pipe" });
  const [stderr, exitCode] = await Promise.all([new Response(tar.stderr).text(), tar.exited]);
  if (exitCode !== 0) throw new Error(`tar could not unpack the export: ${stderr}`);
}

export { renderVerifyMd, type VerifyFacts } from "./verify-md.ts";
