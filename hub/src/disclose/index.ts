/**
 * Disclosure packs (`logmaster-disclosure/1`, docs/custody-format.md §17):
 * a court asks about one address at one time, and the hotel hands over only
 * the lines that answer it, each provably a line of an agent-signed,
 * time-stamped chunk (its RFC 6962 audit path up to the manifest's Merkle
 * root), instead of whole hours of every guest's traffic.
 *
 * The question is one of the three 5651 lookups or a search, run in the
 * caller's scope narrowed to one hotel; its evidence lines (a lookup) or hits
 * (a search) are grouped by chunk, and each chunk must be sealed and verified
 * at the hub. The disclosure is audit-logged before any file is written.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import {
  compareChunkIds,
  DISCLOSURE_FILES,
  DISCLOSURE_FORMAT,
  type DisclosedChunk,
  type DisclosedLine,
  type Disclosure,
  discloseLines,
  disclosureSchema,
  hasMerkleRoot,
  parseChunkId,
  parseManifest,
  serializeDisclosedLines,
} from "../../../shared/src/custody/index.ts";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import {
  type ChainFiles,
  chainFilesNow,
  chunkIdOfRow,
  chunkVerifyFacts,
  copyChunkCustodyFiles,
  extractTarGz,
  type VerifyFacts,
  writtenAsTarGz,
} from "../export/index.ts";
import type { ChainCa } from "../identity/index.ts";
import { exportPages } from "../query/engine.ts";
import { findHotelIn } from "../query/hotels.ts";
import {
  type EvidenceLine,
  type IpLookup,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  type MacLookup,
  type NatLookup,
  type ReadScope,
  type ReadSide,
  readScope,
  searchRequestSchema,
} from "../query/index.ts";
import { scopedRead } from "../query/scope.ts";
import { type ChunkRow, type Db, tables, writeAudit } from "../store/index.ts";
import { disclosureSummaryPdf } from "./pdf.ts";
import {
  DISCLOSE_MAX_LINES,
  type DiscloseQuery,
  type DiscloseRequest,
  type DisclosureSummary,
  discloseRequestSchema,
} from "./request.ts";
import { renderDisclosureVerifyMd } from "./verify-md.ts";

/** The pack's standalone verifier (Python 3 standard library), copied into every pack. */
export const VERIFIER_FILE = Bun.resolveSync("./verify_disclosure.py", import.meta.dir);

export interface DiscloseContext {
  db: Db;
  ca: ChainCa;
  events: HubEvents;
  /** The lookups and the search engine (events in PostgreSQL or Elasticsearch). */
  read: Pick<ReadSide, "engine" | "lookups">;
}

/** A disclosure the hub refuses: unknown hotel, nothing found, too many lines, an unsealed chunk. */
export class DisclosureError extends RefusedRequestError {
  override readonly name = "DisclosureError";
}

/** The answer of the query and the lines that prove it. */
interface Answered {
  answer: unknown;
  lines: EvidenceLine[];
}

const evidenceOfIp = (answer: IpLookup): EvidenceLine[] => [
  ...(answer.lease?.evidence ?? []),
  ...answer.sessions.flatMap((session) => session.evidence),
];

/** A request's field errors as one sentence naming the fields. */
function parseQueryPart<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const checked = schema.safeParse(input);
  if (checked.success) return checked.data;
  throw new DisclosureError(
    checked.error.issues
      .map((issue) => {
        const field = issue.path.length > 0 ? `query.${issue.path.join(".")}` : "query";
        return issue.message.startsWith("must ") ? `${field} ${issue.message}` : issue.message;
      })
      .join("; "),
    400,
  );
}

async function answerQuery(
  read: DiscloseContext["read"],
  scope: ReadScope,
  hotel: string,
  query: DiscloseQuery,
): Promise<Answered> {
  switch (query.kind) {
    case "ip": {
      const request = parseQueryPart(lookupIpRequestSchema, { ip: query.ip, at: query.at, hotel });
      const answer = await read.lookups.ip(scope, request);
      // The address's lease before the time asked was another device's: not disclosed.
      const noMatch = answer.no_match.map(({ previous_lease: _other, ...why }) => why);
      return { answer: { ...answer, no_match: noMatch }, lines: evidenceOfIp(answer) };
    }
    case "mac": {
      const { kind: _kind, ...fields } = query;
      const request = parseQueryPart(lookupMacRequestSchema, { ...fields, hotel });
      const answer: MacLookup = await read.lookups.mac(scope, request);
      return {
        answer,
        lines: [
          ...answer.leases.flatMap((lease) => lease.evidence),
          ...answer.sessions.flatMap((session) => session.evidence),
        ],
      };
    }
    case "nat": {
      const request = parseQueryPart(lookupNatRequestSchema, {
        address: query.address,
        at: query.at,
        hotel,
      });
      const { nearby, ...answer }: NatLookup = await read.lookups.nat(scope, request);
      // Other connections on the same public port are other guests': counted, never disclosed.
      return { answer: { ...answer, nearby_withheld: nearby.length }, lines: answer.evidence };
    }
    case "search": {
      const { kind: _kind, ...filters } = query;
      const request = parseQueryPart(searchRequestSchema, {
        ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)),
        hotels: hotel,
        sort: "asc",
      });
      const lines: EvidenceLine[] = [];
      for await (const hits of exportPages(read.engine, scope, request, 1000)) {
        lines.push(...hits);
        if (lines.length > DISCLOSE_MAX_LINES) {
          throw new DisclosureError(
            `the search finds more than ${DISCLOSE_MAX_LINES} lines: a disclosure holds at most ${DISCLOSE_MAX_LINES}; narrow the query (a shorter --from/--to, --ip, --mac, --port or --text)`,
            400,
            "too_many_lines",
          );
        }
      }
      return { answer: { hits: lines.length }, lines };
    }
  }
}

/** One chunk to disclose, read and checked before anything is written. */
interface PreparedChunk {
  row: ChunkRow;
  id: string;
  dir: string;
  manifestBytes: Uint8Array;
  format: DisclosedChunk["format"];
  recordCount: number;
  seqs: number[];
  /** Format 1.1: the asked lines with their audit paths; format 1: none (records.jsonl whole). */
  disclosedLines: DisclosedLine[] | undefined;
  evidence: EvidenceLine[];
}

const notDisclosable = (dir: string, row: ChunkRow | undefined): string => {
  if (!row || row.status === "open" || !row.manifest)
    return `chunk ${dir} is not sealed yet: its lines can be disclosed once the agent has sealed it (at the end of its hour, or now with \`logmaster-agent seal\` on the hotel's site box) and the hub has verified it; wait for its seal and ask again`;
  return `chunk ${dir} failed verification at the hub (${row.reason ?? "no reason recorded"}): its lines prove nothing and cannot be disclosed; export it whole (logmaster-hub export --chunk ${chunkIdOfRow(row)} --agent ${row.agentId}) to show what does not hold`;
};

/** The evidence lines grouped by chunk, each chunk's row checked and its lines cut out. */
async function prepareChunks(
  db: Db,
  scope: ReadScope,
  hotelId: string,
  lines: readonly EvidenceLine[],
): Promise<PreparedChunk[]> {
  const groups = new Map<
    string,
    { agent: string; chunk: string; lines: Map<number, EvidenceLine> }
  >();
  for (const line of lines) {
    const key = `${line.agent}/${line.chunk}`;
    const group = groups.get(key) ?? { agent: line.agent, chunk: line.chunk, lines: new Map() };
    group.lines.set(line.seq, line);
    groups.set(key, group);
  }
  const { chunks } = tables;
  const prepared: PreparedChunk[] = [];
  for (const [dir, group] of groups) {
    const address = parseChunkId(group.chunk);
    if (!address) throw new Error(`evidence line names no chunk id: ${dir}`);
    const [row] = await scopedRead(db, scope, (tx) =>
      tx
        .select()
        .from(chunks)
        .where(
          and(
            eq(chunks.hotelId, hotelId),
            eq(chunks.agentId, group.agent),
            eq(chunks.hourStart, new Date(address.hourStart)),
            eq(chunks.part, address.part),
          ),
        ),
    );
    if (row?.status !== "verified" || !row.manifest || !row.archivePath)
      throw new DisclosureError(
        notDisclosable(dir, row),
        409,
        !row || row.status === "open" || !row.manifest ? "chunk_not_sealed" : "chunk_failed",
      );
    const manifestBytes = new Uint8Array(await readFile(join(row.archivePath, "manifest.json")));
    const { manifest } = parseManifest(manifestBytes);
    const records = new Uint8Array(await readFile(join(row.archivePath, "records.jsonl")));
    const seqs = [...group.lines.keys()].sort((a, b) => a - b);
    const found = discloseLines(records, new Set(seqs));
    if (found.missing.length > 0) {
      throw new DisclosureError(
        `chunk ${dir}: its archived records.jsonl holds no line with seq ${found.missing.join(", ")}, which the index names as evidence; the index and the archive disagree (rebuild the index: logmaster-hub reindex --hotel ${hotelId})`,
        409,
        "index_mismatch",
      );
    }
    prepared.push({
      row,
      id: group.chunk,
      dir,
      manifestBytes,
      format: manifest.format,
      recordCount: manifest.record_count,
      seqs,
      disclosedLines: hasMerkleRoot(manifest) ? found.lines : undefined,
      evidence: seqs.map((seq) => group.lines.get(seq) as EvidenceLine),
    });
  }
  return prepared.sort(
    (a, b) => a.row.agentId.localeCompare(b.row.agentId) || compareChunkIds(a.id, b.id),
  );
}

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function writeChunkFiles(
  outDir: string,
  chunk: PreparedChunk,
  chain: ChainFiles,
  facts: VerifyFacts,
): Promise<void> {
  const dir = join(outDir, chunk.dir);
  await copyChunkCustodyFiles(chunk.row, dir, chain, {
    stamped: facts.timestamp !== undefined,
    records: chunk.disclosedLines === undefined,
  });
  if (chunk.disclosedLines)
    await writeFile(
      join(dir, DISCLOSURE_FILES.lines),
      serializeDisclosedLines(chunk.disclosedLines),
    );
}

/**
 * Answer `request` in `scope` and write the pack into `outDir` (made):
 * disclosure.json, per chunk its custody files and lines.jsonl (records.jsonl
 * for a format-1 chunk), VERIFY.md, verify_disclosure.py and summary.pdf.
 *
 * @example
 * const summary = await discloseEvidence(context, {
 *   hotel: "grand", case: "2026/123 Soruşturma",
 *   query: { kind: "ip", ip: "10.5.1.23", at: "2026-03-12T14:32:00+03:00" },
 * }, "/tmp/pack", "cli:alice");
 */
export async function discloseEvidence(
  context: DiscloseContext,
  input: DiscloseRequest,
  outDir: string,
  actor: string,
  /** The caller's hotels (the API). Absent: every hotel (the CLI on the data dir). */
  scope?: ReadScope,
): Promise<DisclosureSummary> {
  const parsed = discloseRequestSchema.safeParse(input);
  if (!parsed.success)
    throw new DisclosureError(parsed.error.issues.map((issue) => issue.message).join("; "), 400);
  const request = parsed.data;
  const { db } = context;
  // Another hotel answers as an unknown one does: its existence is not revealed.
  const hotel = await scopedRead(db, scope, (tx) => findHotelIn(tx, request.hotel, scope));
  if (!hotel) throw new DisclosureError(`no hotel with id or name "${request.hotel}"`, 404);
  const hotelScope = readScope([hotel.id]);
  const { answer, lines } = await answerQuery(context.read, hotelScope, hotel.id, request.query);
  if (lines.length === 0) {
    throw new DisclosureError(
      "the query found no log line to disclose (the answer has no evidence lines); check it with logmaster-hub lookup or search first",
      404,
    );
  }
  const prepared = await prepareChunks(db, hotelScope, hotel.id, lines);
  const lineCount = prepared.reduce((sum, chunk) => sum + chunk.seqs.length, 0);

  // The audit row first: nothing leaves the hub that the log does not name.
  const audit = await writeAudit(db, {
    actor,
    action: "disclose",
    hotelId: hotel.id,
    detail: {
      case: request.case,
      query: request.query,
      lines: lineCount,
      whole: prepared.filter((chunk) => !chunk.disclosedLines).map((chunk) => chunk.dir),
      ...(scope ? { scope: scope.hotels } : {}),
    },
    chunks: prepared.map((chunk) => chunk.dir),
  });

  const disclosure: Disclosure = disclosureSchema.parse({
    format: DISCLOSURE_FORMAT,
    case: request.case,
    hotel_id: hotel.id,
    hotel_name: hotel.name,
    made_by: actor,
    made_at: audit.at.toISOString(),
    audit_id: audit.id,
    query: request.query,
    answer,
    lines: lineCount,
    chunks: prepared.map(
      (chunk): DisclosedChunk => ({
        dir: chunk.dir,
        agent_id: chunk.row.agentId,
        chunk: chunk.id,
        format: chunk.format,
        manifest_sha256: sha256Hex(chunk.manifestBytes),
        disclosed: chunk.disclosedLines ? "lines" : "whole",
        seqs: chunk.seqs,
      }),
    ),
  });

  const { files: chain, revoked } = await chainFilesNow(context);
  await mkdir(outDir, { recursive: true, mode: 0o750 });
  const inPack = new Set(prepared.map((chunk) => chunk.dir));
  const chunkFacts: VerifyFacts[] = [];
  for (const chunk of prepared) {
    const facts = await chunkVerifyFacts(db, chunk.row, inPack, revoked);
    chunkFacts.push(facts);
    await writeChunkFiles(outDir, chunk, chain, facts);
  }
  await writeFile(join(outDir, DISCLOSURE_FILES.index), `${JSON.stringify(disclosure, null, 2)}\n`);
  await writeFile(
    join(outDir, DISCLOSURE_FILES.verifyMd),
    renderDisclosureVerifyMd(disclosure, chunkFacts),
  );
  await copyFile(VERIFIER_FILE, join(outDir, DISCLOSURE_FILES.verifier));
  const pdf = await disclosureSummaryPdf({
    disclosure,
    evidence: prepared.flatMap((chunk) => chunk.evidence.map((line) => ({ dir: chunk.dir, line }))),
    whole: prepared
      .filter((chunk) => !chunk.disclosedLines)
      .map((chunk) => ({ dir: chunk.dir, records: chunk.recordCount })),
  });
  await writeFile(join(outDir, DISCLOSURE_FILES.summaryPdf), pdf.bytes);

  context.events.emit({
    name: "EvidenceDisclosed",
    actor,
    case: request.case,
    chunks: prepared.length,
    lines: lineCount,
  });
  return {
    hotel_id: hotel.id,
    case: request.case,
    audit_id: audit.id,
    lines: lineCount,
    chunks: prepared.map((chunk, i) => ({
      dir: chunk.dir,
      format: chunk.format,
      disclosed: chunk.disclosedLines ? "lines" : "whole",
      lines: chunk.seqs.length,
      records: chunk.disclosedLines ? chunk.seqs.length : chunk.recordCount,
      timestamp: chunkFacts[i]?.timestamp ? "timestamped" : "not time-stamped yet",
    })),
  };
}

/**
 * The same pack as a gzip'd tar (the API's download).
 *
 * @example
 * const { tarGz, summary } = await discloseTarGz(context, request, "user:ayse", scope);
 */
export async function discloseTarGz(
  context: DiscloseContext,
  request: DiscloseRequest,
  actor: string,
  scope?: ReadScope,
): Promise<{ tarGz: Uint8Array; summary: DisclosureSummary }> {
  return writtenAsTarGz("logmaster-disclose-", (dir) =>
    discloseEvidence(context, request, dir, actor, scope),
  );
}

export * from "./request.ts";
export { extractTarGz };
