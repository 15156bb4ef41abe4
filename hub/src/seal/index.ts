/**
 * Seal: turn an open chunk into archived evidence. The agent sends its signed
 * manifest; the hub writes its own copy of the records with it, recomputes
 * the hash (and, for format 1.1, the Merkle root over the lines) from the
 * file on disk, checks the signature and the hash chain,
 * and marks the chunk `verified` or `failed: <reason>`. A failed chunk is
 * kept as it is (the dashboard shows it), never fixed.
 */
import { join } from "node:path";
import { eq } from "drizzle-orm";
import {
  CustodyError,
  compareMerkleWithManifest,
  hasMerkleRoot,
  type ManifestWithBytes,
  parseManifest,
  scanRecordsFile,
  sha256Hex,
  sha256OfFile,
  verifyHashChain,
  verifyManifestSignature,
} from "../../../shared/src/custody/index.ts";
import type { HubEvents } from "../events/index.ts";
import type { AgentIdentity } from "../identity/index.ts";
import type { ChunkPath } from "../ingest/chunk-address.ts";
import {
  type ChunkRow,
  chunkBatchPieces,
  type Db,
  inHotelScope,
  lockChunk,
  previousSealedChunk,
  type Tx,
  tables,
} from "../store/index.ts";
import { chunkArchiveDir, ensureDirectory, syncDirectory, writeFileDurably } from "./archive.ts";

/** The caller, as the TLS handshake proved it. */
export interface SealingAgent {
  identity: AgentIdentity;
  certificatePem: string;
  certificateSha256: string;
}

export type SealOutcome =
  | { kind: "sealed"; status: "verified" }
  | { kind: "sealed"; status: "failed"; reason: string }
  /** The hub holds fewer bytes than the manifest's byte_length: the agent sends the rest. */
  | { kind: "incomplete"; length: number }
  /** Sealed before with a different manifest: the first seal stands. */
  | { kind: "already_sealed"; length: number };

/** The manifest or signature cannot even be read: answered 400, nothing changes. */
export class SealRequestError extends Error {
  override readonly name = "SealRequestError";
}

export interface SealContext {
  db: Db;
  dataDir: string;
  events: HubEvents;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && Buffer.compare(a, b) === 0;
}

/** The checks that tie the manifest to the caller and the URL; each failure is one reason. */
function identityProblems(
  manifest: ManifestWithBytes["manifest"],
  agent: SealingAgent,
  chunk: ChunkPath,
) {
  const problems: string[] = [];
  const expect = (
    field: string,
    found: string | number,
    wanted: string | number,
    whose: string,
  ) => {
    if (found !== wanted)
      problems.push(
        `manifest ${field} is ${JSON.stringify(found)} but ${whose} is ${JSON.stringify(wanted)}`,
      );
  };
  expect("chain_id", manifest.chain_id, agent.identity.chainId, "the certificate's");
  expect("hotel_id", manifest.hotel_id, agent.identity.hotelId, "the certificate's");
  expect("agent_id", manifest.agent_id, agent.identity.agentId, "the certificate's");
  expect(
    "agent_cert_sha256",
    manifest.agent_cert_sha256,
    agent.certificateSha256,
    "the presented certificate's",
  );
  // The window itself lies in this hour: parseManifest enforces that.
  expect("hour_start", manifest.hour_start, chunk.hourStart, `the URL's (${chunk.id})`);
  expect("part", manifest.part, chunk.part, `the URL's (${chunk.id})`);
  return problems;
}

/**
 * The chain link to the agent's previous chunk (the one whose window ends
 * where this one's starts; for a part N > 0, part N - 1 of the hour), when the
 * hub holds its manifest: the prev hash, contiguous windows and part
 * numbering, ids and seqs (docs/custody-format.md §7).
 */
function chainProblems(previous: ChunkRow | undefined, current: ManifestWithBytes): string[] {
  if (!previous?.manifest) {
    return [];
  }
  const prior = parseManifest(previous.manifest);
  const verdict = verifyHashChain([prior, current]);
  return (verdict.links[1]?.breaks ?? []).map((b) => `hash chain: ${b.message}`);
}

async function verifyArchivedChunk(
  tx: Tx,
  chunk: ChunkRow,
  parsed: ManifestWithBytes,
  signature: Uint8Array,
  agent: SealingAgent,
  chunkPath: ChunkPath,
  archiveDir: string,
): Promise<{ problems: string[]; recordsSha256: string }> {
  const { manifest } = parsed;
  const problems = identityProblems(manifest, agent, chunkPath);
  if (chunk.length !== manifest.byte_length) {
    problems.push(
      `hub holds ${chunk.length} bytes but manifest byte_length is ${manifest.byte_length}`,
    );
  }
  // Hash the file as it lies on disk: that copy is the evidence, not memory.
  const recordsPath = join(archiveDir, "records.jsonl");
  const onDisk = await sha256OfFile(recordsPath);
  if (onDisk.sha256Hex !== manifest.records_sha256) {
    problems.push(
      `records hash mismatch: archived records.jsonl hashes to ${onDisk.sha256Hex}, manifest says ${manifest.records_sha256}`,
    );
  } else {
    try {
      // Records outside the window are a clock warning, not a failure (§4.1).
      const withMerkle = hasMerkleRoot(manifest);
      const { merkle } = await scanRecordsFile(recordsPath, {
        window: manifest,
        merkle: withMerkle,
      });
      // Format 1.1 signs a Merkle root over the lines too: the tree the lines
      // make must be that one, or no line could later be proven from it.
      if (withMerkle && merkle) {
        const mismatches = compareMerkleWithManifest(merkle, manifest);
        if (mismatches.length > 0) {
          problems.push(
            `merkle root mismatch: the archived records.jsonl's ${merkle.merkle_size} lines give merkle_root ${merkle.merkle_root}, manifest says ${manifest.merkle_root} over ${manifest.merkle_size} lines`,
          );
        }
      }
    } catch (error) {
      problems.push(`records invalid: ${(error as Error).message}`);
    }
  }
  let signatureOk = false;
  try {
    signatureOk = verifyManifestSignature(parsed.bytes, signature, agent.certificatePem);
  } catch (error) {
    problems.push(`bad signature: ${(error as Error).message}`);
  }
  if (!signatureOk && !problems.some((p) => p.startsWith("bad signature"))) {
    problems.push("bad signature: manifest.sig does not verify with the agent certificate");
  }
  const previous = await previousSealedChunk(tx, {
    agentId: chunk.agentId,
    hourStart: chunk.hourStart,
    part: chunk.part,
    windowStart: manifest.window_start,
  });
  problems.push(...chainProblems(previous, parsed));
  return { problems, recordsSha256: onDisk.sha256Hex };
}

/**
 * Seal the caller's chunk `chunkPath` (hour and part, from the URL) with a
 * manifest and its signature.
 *
 * @example
 * const outcome = await sealChunk(context, agent, parseChunkPath("2026-11-22T08.1"), manifestBytes, signatureBytes);
 * if (outcome.kind === "incomplete") resendFrom(outcome.length);
 */
export async function sealChunk(
  context: SealContext,
  agent: SealingAgent,
  chunkPath: ChunkPath,
  manifestBytes: Uint8Array,
  signature: Uint8Array,
): Promise<SealOutcome> {
  let parsed: ManifestWithBytes;
  try {
    parsed = parseManifest(manifestBytes);
  } catch (error) {
    if (error instanceof CustodyError) throw new SealRequestError(error.message);
    throw error;
  }
  const { hotelId, agentId } = agent.identity;
  const ref = { hotelId, agentId, chunk: chunkPath.id };
  // A repeated seal answers like the first one but is not a new event.
  let sealedNow = false;
  const outcome = await inHotelScope(context.db, hotelId, async (tx): Promise<SealOutcome> => {
    const chunk = await lockChunk(tx, {
      hotelId,
      agentId,
      hourStart: chunkPath.hourDate,
      part: chunkPath.part,
    });
    if (chunk.status !== "open") {
      if (sameBytes(chunk.manifest, manifestBytes) && sameBytes(chunk.signature, signature)) {
        return chunk.status === "verified"
          ? { kind: "sealed", status: "verified" }
          : { kind: "sealed", status: "failed", reason: chunk.reason ?? "failed" };
      }
      return { kind: "already_sealed", length: chunk.length };
    }
    if (chunk.length < parsed.manifest.byte_length)
      return { kind: "incomplete", length: chunk.length };

    const archiveDir = chunkArchiveDir(context.dataDir, hotelId, agentId, chunkPath);
    await ensureDirectory(archiveDir);
    await writeFileDurably(join(archiveDir, "records.jsonl"), chunkBatchPieces(tx, chunk.id));
    await writeFileDurably(join(archiveDir, "manifest.json"), [manifestBytes]);
    await writeFileDurably(join(archiveDir, "manifest.sig"), [signature]);
    await writeFileDurably(join(archiveDir, "agent.pem"), [
      new TextEncoder().encode(agent.certificatePem),
    ]);
    await syncDirectory(archiveDir);

    const { problems, recordsSha256 } = await verifyArchivedChunk(
      tx,
      chunk,
      parsed,
      signature,
      agent,
      chunkPath,
      archiveDir,
    );
    const reason = problems.length > 0 ? problems.join("; ") : null;
    const { manifest } = parsed;
    await tx
      .update(tables.chunks)
      .set({
        status: reason ? "failed" : "verified",
        reason,
        manifest: manifestBytes,
        signature,
        recordsSha256,
        windowStart: manifest.window_start,
        windowEnd: manifest.window_end,
        firstSeq: manifest.first_seq,
        lastSeq: manifest.last_seq,
        recordCount: manifest.record_count,
        agentCertPem: agent.certificatePem,
        archivePath: archiveDir,
        sealedAt: new Date(),
        manifestSha256: sha256Hex(manifestBytes),
        gapLost: manifest.gap_lost,
        // Only verified evidence is time-stamped; the worker picks it up (never inline:
        // the TSA must not hold up the agent's seal).
        ...(reason ? {} : { timestampStatus: "awaiting" as const, timestampDueAt: new Date() }),
      })
      .where(eq(tables.chunks.id, chunk.id));
    sealedNow = true;
    return reason
      ? { kind: "sealed", status: "failed", reason }
      : { kind: "sealed", status: "verified" };
  });
  if (sealedNow && outcome.kind === "sealed") {
    if (outcome.status === "verified") {
      context.events.emit({ name: "ChunkSealed", ...ref, bytes: parsed.manifest.byte_length });
    } else {
      context.events.emit({ name: "ChunkFailed", ...ref, reason: outcome.reason });
    }
  }
  return outcome;
}
