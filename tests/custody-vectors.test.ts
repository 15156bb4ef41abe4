/**
 * The committed test vectors (tests/vectors/v1 and v1.1) are what the library
 * makes, byte for byte: records from the inputs, manifests from the records
 * (for 1.1 with the Merkle root over the lines, every leaf hash and audit
 * path as listed), the same deterministic signatures, a valid chain (v1.1
 * going on from v1's); and every case in invalid.json is refused with its
 * stated code. A failure here means the library changed the format: that
 * needs a new format version, not new vectors.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildChunkManifests,
  type ChunkInput,
  encodeChunkRecords,
  INPUTS,
  INPUTS_1_1,
  type InvalidCase,
  type InvalidChain,
  type InvalidProof,
  recordLines,
  VECTOR_FILES,
  VECTORS_DIR,
  VECTORS_DIR_1_1,
  type VectorInputs,
} from "../scripts/make-test-vectors.ts";
import {
  auditPath,
  CHUNK_FORMAT_1,
  CHUNK_FORMAT_1_1,
  CustodyError,
  certificateSha256,
  datagramBytes,
  hasMerkleRoot,
  isGapRecord,
  leafHash,
  parseManifest,
  parseRecordLine,
  scanRecords,
  sha256Hex,
  signManifest,
  verifyAuditPath,
  verifyHashChain,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

interface ExpectedChunk {
  dir: string;
  chunk_id: string;
  hour_start: string;
  part: number;
  window_start: string;
  window_end: string;
  record_count: number;
  first_seq: number | null;
  last_seq: number | null;
  gap_lost: number;
  byte_length: number;
  records_sha256: string;
  /** Format 1.1 only: the tree over the lines, every leaf and every audit path. */
  merkle_root?: string;
  merkle_size?: number;
  leaf_hashes?: string[];
  audit_paths?: string[][];
  manifest_sha256: string;
  prev_manifest_sha256: string | null;
  manifest_sig_sha256: string;
}

interface VectorSet {
  dir: string;
  inputs: VectorInputs;
  expected: { agent_cert_sha256: string; chunks: ExpectedChunk[]; chain: string };
  invalid: {
    records?: InvalidCase[];
    manifests: InvalidCase[];
    chains: InvalidChain[];
    proofs?: InvalidProof[];
  };
  agentCertPem: string;
  agentKeyPem: string;
  /** The bytes of a file of the set (paths may leave it: `../v1/chunk-5`). */
  read: (...path: string[]) => Uint8Array;
  chunks: {
    input: ChunkInput;
    expected: ExpectedChunk;
    records: Uint8Array;
    manifest: Uint8Array;
    signature: Uint8Array;
  }[];
}

function loadSet(dir: string): VectorSet {
  const read = (...path: string[]) => new Uint8Array(readFileSync(join(dir, ...path)));
  const readJson = <T>(name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as T;
  const inputs = readJson<VectorInputs>("inputs.json");
  const expected = readJson<VectorSet["expected"]>("expected.json");
  const chunks = inputs.chunks.map((input, index) => {
    const expectedChunk = expected.chunks[index];
    if (!expectedChunk || expectedChunk.dir !== input.dir)
      throw new Error(`expected.json does not list ${input.dir}`);
    return {
      input,
      expected: expectedChunk,
      records: read(input.dir, "records.jsonl"),
      manifest: read(input.dir, "manifest.json"),
      signature: read(input.dir, "manifest.sig"),
    };
  });
  return {
    dir,
    inputs,
    expected,
    invalid: readJson<VectorSet["invalid"]>("invalid.json"),
    agentCertPem: readFileSync(join(dir, VECTOR_FILES.agentCert), "utf8"),
    agentKeyPem: readFileSync(join(dir, VECTOR_FILES.agentKey), "utf8"),
    read,
    chunks,
  };
}

const v1 = loadSet(VECTORS_DIR);
const v1_1 = loadSet(VECTORS_DIR_1_1);

/** The lines of records.jsonl, each with its \n. */
function lines(records: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let start = 0; start < records.byteLength; ) {
    const end = records.indexOf(0x0a, start) + 1;
    out.push(records.subarray(start, end));
    start = end;
  }
  return out;
}

const encoder = new TextEncoder();
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof CustodyError) return error.code;
    throw error;
  }
  return "accepted";
};

/** What every set promises: its files from its inputs, its hashes, signatures, chain and refusals. */
function describeVectorSet(set: VectorSet, definedInputs: VectorInputs, previous?: Uint8Array) {
  const { inputs, expected, invalid, chunks, agentCertPem, agentKeyPem } = set;

  test("inputs.json is what scripts/make-test-vectors.ts defines (the vectors were regenerated)", () => {
    expect(inputs).toEqual(definedInputs);
  });

  test("the agent certificate fingerprint", () => {
    expect(certificateSha256(agentCertPem)).toBe(expected.agent_cert_sha256);
  });

  describe.each(chunks)("$input.dir", ({ input, expected: want, records, manifest, signature }) => {
    test("encoding the inputs reproduces records.jsonl byte for byte", () => {
      expect(Buffer.from(encodeChunkRecords(input)).equals(records)).toBe(true);
    });

    test("hashes and lengths match expected.json", () => {
      expect(sha256Hex(records)).toBe(want.records_sha256);
      expect(records.byteLength).toBe(want.byte_length);
      expect(sha256Hex(manifest)).toBe(want.manifest_sha256);
      expect(sha256Hex(signature)).toBe(want.manifest_sig_sha256);
    });

    test("each line parses back to its input datagram", () => {
      const recordLines = lines(records);
      expect(recordLines).toHaveLength(input.records.length);
      recordLines.forEach((line, index) => {
        const record = parseRecordLine(line);
        const source = input.records[index];
        if (!source) throw new Error("unreachable");
        expect(record.seq).toBe(source.seq);
        if ("gap" in source) {
          expect(isGapRecord(record) && record.gap.lost).toBe(source.gap.lost);
        } else {
          if (isGapRecord(record)) throw new Error(`line ${index + 1} should be data`);
          expect(Buffer.from(datagramBytes(record)).toString("hex")).toBe(source.datagram_hex);
        }
      });
    });

    test("manifest.json is canonical, of the set's format, and agrees with records.jsonl", () => {
      const parsed = parseManifest(manifest);
      expect<string>(parsed.manifest.format).toBe(inputs.format);
      const { summary, recordsOutsideWindow, merkle } = scanRecords(records, {
        window: parsed.manifest,
        merkle: hasMerkleRoot(parsed.manifest),
      });
      expect(parsed.manifest).toMatchObject({ ...summary, ...merkle });
      expect(recordsOutsideWindow).toBe(0);
      expect(parsed.manifest).toMatchObject({
        hour_start: want.hour_start,
        part: want.part,
        window_start: want.window_start,
        window_end: want.window_end,
        prev_manifest_sha256: want.prev_manifest_sha256,
        agent_cert_sha256: expected.agent_cert_sha256,
      });
    });

    test("manifest.sig verifies with agent.pem, and signing again gives the same bytes", () => {
      expect(verifyManifestSignature(manifest, signature, agentCertPem)).toBe(true);
      expect(Buffer.from(signManifest(manifest, agentKeyPem)).equals(signature)).toBe(true);
    });
  });

  test("building the manifests from the inputs reproduces manifest.json byte for byte", () => {
    const built = buildChunkManifests(inputs, expected.agent_cert_sha256, previous);
    expect(built).toHaveLength(chunks.length);
    built.forEach(({ manifest }, index) => {
      expect(Buffer.from(manifest.bytes).equals(chunks[index]?.manifest ?? new Uint8Array())).toBe(
        true,
      );
    });
  });

  // A second implementation, in Python's standard library, written from the spec.
  test.skipIf(!Bun.which("python3"))("the Python reference encoder reproduces the vectors", () => {
    const script = join(VECTORS_DIR, "../reference-encoder.py");
    const result = Bun.spawnSync(["python3", script, set.dir], { stdout: "pipe", stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString()).not.toContain("FAIL");
    expect(result.stdout.toString().match(/^ok {3}chunk-\d+\/manifest\.json /gm)).toHaveLength(
      chunks.length,
    );
    expect(result.exitCode).toBe(0);
  });

  test.each(invalid.chains)("invalid chain refused: $description", ({ dirs, link, breaks }) => {
    const manifests = dirs.map((dir) => parseManifest(set.read(dir, "manifest.json")));
    const verdict = verifyHashChain(manifests);
    expect(verdict.ok).toBe(false);
    expect(verdict.links[link]?.breaks.map((b) => b.kind)).toEqual(breaks);
  });

  test.each(invalid.manifests)("invalid manifest refused: $description", ({ text, code }) => {
    expect(codeOf(() => parseManifest(encoder.encode(text)))).toBe(code);
  });
}

describe("test vectors v1", () => {
  const { chunks, expected, invalid } = v1;
  describeVectorSet(v1, INPUTS);

  test("two hours with records, an empty hour, an early-sealed hour in two parts, as the spec promises", () => {
    expect(chunks.map((chunk) => chunk.expected.record_count)).toEqual([8, 4, 0, 3, 4]);
    expect(chunks[2]?.records.byteLength).toBe(0);
    expect(chunks.map((chunk) => [chunk.expected.chunk_id, chunk.expected.part])).toEqual([
      ["2026-11-22T08", 0],
      ["2026-11-22T09", 0],
      ["2026-11-22T10", 0],
      ["2026-11-22T11", 0],
      ["2026-11-22T11.1", 1],
    ]);
    expect(chunks[3]?.expected.window_end).toBe(chunks[4]?.expected.window_start);
    expect(
      chunks.every((chunk) => parseManifest(chunk.manifest).manifest.format === CHUNK_FORMAT_1),
    ).toBe(true);
  });

  test("the five chunks form a valid chain from the agent's start", () => {
    const verdict = verifyHashChain(chunks.map((chunk) => parseManifest(chunk.manifest)));
    expect(expected.chain).toBe("valid");
    expect(verdict.ok).toBe(true);
    expect(verdict.links.map((link) => [link.chunk, link.from])).toEqual([
      ["2026-11-22T08", "agent_start"],
      ["2026-11-22T09", "previous"],
      ["2026-11-22T10", "previous"],
      ["2026-11-22T11", "previous"],
      ["2026-11-22T11.1", "previous"],
    ]);
  });

  test("the examples in docs/custody-format.md are the vectors' bytes", () => {
    const spec = readFileSync(join(import.meta.dir, "../docs/custody-format.md"), "utf8");
    const manifestExample = /### 5\.1 [^\n]*\n\n```json\n([\s\S]*?)```/.exec(spec)?.[1];
    expect(manifestExample).toBe(new TextDecoder().decode(chunks[4]?.manifest));
    const gapExample = /```\n(\{"seq":6,[^\n]*)\n```/.exec(spec)?.[1];
    expect(new TextDecoder().decode(chunks[0]?.records)).toContain(`${gapExample}\n`);
  });

  test.each(invalid.records ?? [])("invalid record refused: $description", ({ text, code }) => {
    expect(codeOf(() => parseRecordLine(encoder.encode(text)))).toBe(code);
  });
});

describe("test vectors v1.1", () => {
  const { chunks, expected, invalid } = v1_1;
  const continues = v1_1.inputs.continues ?? "";
  const lastOfV1 = v1_1.read(continues, "manifest.json");
  describeVectorSet(v1_1, INPUTS_1_1, lastOfV1);

  test("one record, an empty hour, 7 records with a gap, 5 records: trees of 1, 0, 7 and 5 leaves", () => {
    expect(chunks.map((chunk) => chunk.expected.merkle_size)).toEqual([1, 0, 7, 5]);
    expect(chunks.map((chunk) => chunk.expected.record_count)).toEqual([1, 0, 7, 5]);
    expect(chunks[2]?.input.records.some((record) => "gap" in record)).toBe(true);
    expect(chunks[1]?.expected.merkle_root).toBe(sha256Hex(new Uint8Array()));
    // One leaf: the root is that leaf's hash, SHA-256(0x00 ‖ the line without its \n).
    const [only] = recordLines(chunks[0]?.records ?? new Uint8Array());
    expect(chunks[0]?.expected.merkle_root).toBe(sha256Hex(new Uint8Array([0, ...(only ?? [])])));
  });

  test("the chain goes on from v1's last chunk across the format change, rules unchanged", () => {
    expect(continues).toBe("../v1/chunk-5");
    expect(chunks[0]?.expected.prev_manifest_sha256).toBe(sha256Hex(lastOfV1));
    const all = [...v1.chunks, ...chunks].map((chunk) => parseManifest(chunk.manifest));
    expect<string[]>(all.map((parsed) => parsed.manifest.format)).toEqual([
      ...v1.chunks.map(() => CHUNK_FORMAT_1),
      ...chunks.map(() => CHUNK_FORMAT_1_1),
    ]);
    const verdict = verifyHashChain(all);
    expect(verdict.ok).toBe(true);
    expect(verdict.links.map((link) => link.chunk).slice(4)).toEqual([
      "2026-11-22T11.1",
      "2026-11-22T12",
      "2026-11-22T13",
      "2026-11-22T14",
      "2026-11-22T15",
    ]);
    expect(expected.chain).toContain("valid");
  });

  describe.each(chunks.filter((chunk) => chunk.expected.record_count > 0))(
    "$input.dir",
    ({ expected: want, records }) => {
      const leaves = recordLines(records).map(leafHash);
      const root = Buffer.from(want.merkle_root ?? "", "hex");

      test("every leaf hash and audit path is the one expected.json lists, and leads to the root", () => {
        expect(leaves.map(hex)).toEqual(want.leaf_hashes ?? []);
        leaves.forEach((leaf, index) => {
          const path = auditPath(index, leaves);
          expect(path.map(hex)).toEqual(want.audit_paths?.[index] ?? []);
          expect(verifyAuditPath({ leafHash: leaf, index, size: leaves.length, path, root })).toBe(
            true,
          );
        });
      });
    },
  );

  test.each(invalid.proofs ?? [])("invalid proof refused: $description", (proof) => {
    const chunk = chunks.find((candidate) => candidate.input.dir === proof.dir);
    expect(
      verifyAuditPath({
        leafHash: Buffer.from(proof.leaf_hash, "hex"),
        index: proof.index,
        size: chunk?.expected.merkle_size ?? 0,
        path: proof.path.map((p) => Buffer.from(p, "hex")),
        root: Buffer.from(chunk?.expected.merkle_root ?? "", "hex"),
      }),
    ).toBe(false);
  });

  test("the 1.1 example in docs/custody-format.md is chunk-3's manifest", () => {
    const spec = readFileSync(join(import.meta.dir, "../docs/custody-format.md"), "utf8");
    const example = /### 16\.1 [^\n]*\n\n```json\n([\s\S]*?)```/.exec(spec)?.[1];
    expect(example).toBe(new TextDecoder().decode(chunks[2]?.manifest));
  });
});
