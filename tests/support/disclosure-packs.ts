/**
 * Disclosure packs for tests, made without a hub: the committed test vectors'
 * chunks (or any signed chunk) disclosed by the custody library
 * (`discloseLines`, `serializeDisclosedLines`, `disclosureSchema`), laid out
 * as a hub writes a pack: disclosure.json and verify_disclosure.py at the
 * root, per chunk `<agent>/<chunk>/` with the bundle's custody files under
 * their contract names and lines.jsonl (format 1.1) or records.jsonl
 * (format 1, disclosed whole). Both verifiers of a pack can then be run on
 * it: `verifyDisclosurePack` and `runPackVerifier` (Python).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  chunkIdOf,
  DISCLOSURE_FILES,
  DISCLOSURE_FORMAT,
  type Disclosure,
  discloseLines,
  disclosureSchema,
  hasMerkleRoot,
  parseManifest,
  serializeDisclosedLines,
  sha256Hex,
} from "../../shared/src/custody/index.ts";
import { type ProcessResult, runProcess } from "../../shared/src/testing/run-process.ts";
import { BUNDLE_FILES } from "../../shared/src/verify/index.ts";
import { stampManifest, type TestStamp } from "./bundles.ts";

const VECTORS = join(import.meta.dir, "..", "vectors");

/** The pack's own verifier, as the hub copies it into every pack. */
export const PACK_VERIFIER = join(
  import.meta.dir,
  "..",
  "..",
  "hub",
  "src",
  "disclose",
  DISCLOSURE_FILES.verifier,
);

/** A signed chunk to disclose from, and the seqs asked of it. */
export interface PackChunk {
  manifest: Uint8Array;
  signature: Uint8Array;
  records: Uint8Array;
  agentPem: string;
  chainCaPem: string;
  crlPem?: string;
  stamp?: TestStamp;
  seqs: readonly number[];
}

/**
 * Chunk `n` of the committed test vectors (`v1`: format 1, `v1.1`: with a
 * Merkle root), asked for `seqs`. The vectors hold no time-stamp and no CRL.
 *
 * @example
 * vectorChunk("v1.1", 3, [22, 27]) // seqs 22 and 27 of chunk 3 (seqs 21..27)
 */
export function vectorChunk(version: "v1" | "v1.1", n: number, seqs: readonly number[]): PackChunk {
  const dir = join(VECTORS, version, `chunk-${n}`);
  const read = (path: string) => new Uint8Array(readFileSync(path));
  return {
    manifest: read(join(dir, BUNDLE_FILES.manifest)),
    signature: read(join(dir, BUNDLE_FILES.signature)),
    records: read(join(dir, BUNDLE_FILES.records)),
    agentPem: readFileSync(join(VECTORS, version, BUNDLE_FILES.agentCertificate), "utf8"),
    chainCaPem: readFileSync(join(VECTORS, version, BUNDLE_FILES.chainCa), "utf8"),
    seqs,
  };
}

/**
 * The same chunk, time-stamped now by the tests' development TSA (as the
 * hub's zero-setup mode would: verify reports it as a WARN, no legal value).
 *
 * @example
 * const stamped = await withStamp(vectorChunk("v1.1", 3, [22]));
 */
export async function withStamp(chunk: PackChunk): Promise<PackChunk> {
  return { ...chunk, stamp: await stampManifest(chunk.manifest) };
}

export interface TestPack {
  root: string;
  disclosure: Disclosure;
  /** Each chunk's folder (absolute), in the order given. */
  chunkDirs: string[];
}

/**
 * Write a disclosure pack of `chunks` into `root` (made), as the hub lays it
 * out; verify_disclosure.py is copied in. Throws when a seq asked for is not
 * in its chunk.
 *
 * @example
 * const pack = writeDisclosurePack(dir, [vectorChunk("v1.1", 3, [22, 27]), vectorChunk("v1", 1, [3])]);
 * const { exitCode } = await runPackVerifier(pack.root);
 */
export function writeDisclosurePack(
  root: string,
  chunks: readonly PackChunk[],
  about: { case?: string } = {},
): TestPack {
  const entries: Disclosure["chunks"] = [];
  const chunkDirs: string[] = [];
  for (const chunk of chunks) {
    const { manifest } = parseManifest(chunk.manifest);
    const id = chunkIdOf(manifest);
    const relativeDir = `${manifest.agent_id}/${id}`;
    const dir = join(root, manifest.agent_id, id);
    mkdirSync(dir, { recursive: true });
    const write = (name: string, data: Uint8Array | string) => writeFileSync(join(dir, name), data);
    write(BUNDLE_FILES.manifest, chunk.manifest);
    write(BUNDLE_FILES.signature, chunk.signature);
    write(BUNDLE_FILES.agentCertificate, chunk.agentPem);
    write(BUNDLE_FILES.chainCa, chunk.chainCaPem);
    if (chunk.crlPem) write(BUNDLE_FILES.chainCrl, chunk.crlPem);
    if (chunk.stamp) {
      write(BUNDLE_FILES.timestamp, chunk.stamp.tsr);
      write(BUNDLE_FILES.tsaChain, chunk.stamp.tsaChainPem);
      write(BUNDLE_FILES.tsaCa, chunk.stamp.tsaCaPem);
    }
    const lines = hasMerkleRoot(manifest);
    if (lines) {
      const found = discloseLines(chunk.records, new Set(chunk.seqs));
      if (found.missing.length > 0)
        throw new Error(`${relativeDir} has no line with seq ${found.missing.join(", ")}`);
      write(DISCLOSURE_FILES.lines, serializeDisclosedLines(found.lines));
    } else {
      write(DISCLOSURE_FILES.records, chunk.records);
    }
    entries.push({
      dir: relativeDir,
      agent_id: manifest.agent_id,
      chunk: id,
      format: manifest.format,
      manifest_sha256: sha256Hex(chunk.manifest),
      disclosed: lines ? "lines" : "whole",
      seqs: [...chunk.seqs].sort((a, b) => a - b),
    });
    chunkDirs.push(dir);
  }
  const first = chunks[0] && parseManifest(chunks[0].manifest).manifest;
  const disclosure = disclosureSchema.parse({
    format: DISCLOSURE_FORMAT,
    case: about.case ?? "2026/123 Soruşturma (test)",
    hotel_id: first?.hotel_id ?? "test-hotel",
    hotel_name: "Test Otel İstanbul",
    made_by: "test:disclosure-packs",
    made_at: "2026-12-01T09:00:00.000Z",
    audit_id: null,
    query: { kind: "test", seqs: entries.map((entry) => [entry.dir, entry.seqs]) },
    answer: null,
    lines: entries.reduce((sum, entry) => sum + entry.seqs.length, 0),
    chunks: entries,
  });
  writeFileSync(join(root, DISCLOSURE_FILES.index), `${JSON.stringify(disclosure, null, 2)}\n`);
  copyFileSync(PACK_VERIFIER, join(root, DISCLOSURE_FILES.verifier));
  return { root, disclosure, chunkDirs };
}

/**
 * `python3 ROOT/verify_disclosure.py`, as VERIFY.md tells a reader to run it
 * (the script checks the folder it is in).
 *
 * @example
 * const { exitCode, stdout } = await runPackVerifier(pack.root);
 */
export function runPackVerifier(root: string): Promise<ProcessResult> {
  return runProcess(["python3", join(root, DISCLOSURE_FILES.verifier)]);
}

/** The `PASS|WARN|FAIL  what` lines verify_disclosure.py prints. */
export function packVerifierLines(stdout: string): { status: string; what: string }[] {
  return [...stdout.matchAll(/^(PASS|WARN|FAIL) +(.*)$/gm)].map((match) => ({
    status: match[1] as string,
    what: match[2] as string,
  }));
}
