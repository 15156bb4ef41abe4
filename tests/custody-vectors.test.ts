/**
 * The committed test vectors (tests/vectors/v1) are what the library makes,
 * byte for byte: records from the inputs, manifests from the records, the
 * same deterministic signatures, a valid chain; and every case in
 * invalid.json is refused with its stated code. A failure here means the
 * library changed the format: that needs a new format version, not new vectors.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildChunkManifests,
  type ChunkInput,
  encodeChunkRecords,
  INPUTS,
  type InvalidCase,
  type InvalidChain,
  VECTOR_FILES,
  VECTORS_DIR,
  type VectorInputs,
} from "../scripts/make-test-vectors.ts";
import {
  CustodyError,
  certificateSha256,
  datagramBytes,
  isGapRecord,
  parseManifest,
  parseRecordLine,
  scanRecords,
  sha256Hex,
  signManifest,
  verifyHashChain,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

const read = (...path: string[]) => new Uint8Array(readFileSync(join(VECTORS_DIR, ...path)));
const readJson = <T>(name: string) =>
  JSON.parse(readFileSync(join(VECTORS_DIR, name), "utf8")) as T;

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
  manifest_sha256: string;
  prev_manifest_sha256: string | null;
  manifest_sig_sha256: string;
}

const inputs = readJson<VectorInputs>("inputs.json");
const expected = readJson<{ agent_cert_sha256: string; chunks: ExpectedChunk[]; chain: string }>(
  "expected.json",
);
const invalid = readJson<{
  records: InvalidCase[];
  manifests: InvalidCase[];
  chains: InvalidChain[];
}>("invalid.json");
const agentCertPem = readFileSync(join(VECTORS_DIR, VECTOR_FILES.agentCert), "utf8");
const agentKeyPem = readFileSync(join(VECTORS_DIR, VECTOR_FILES.agentKey), "utf8");
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

function lines(records: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let start = 0; start < records.byteLength; ) {
    const end = records.indexOf(0x0a, start) + 1;
    out.push(records.subarray(start, end));
    start = end;
  }
  return out;
}

describe("test vectors v1", () => {
  test("inputs.json is what scripts/make-test-vectors.ts defines (the vectors were regenerated)", () => {
    expect(inputs).toEqual(INPUTS);
  });

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
  });

  test("the agent certificate fingerprint", () => {
    expect(certificateSha256(agentCertPem)).toBe(expected.agent_cert_sha256);
  });

  describe.each(chunks)("$input.dir", ({ input, expected: want, records, manifest, signature }) => {
    test("encoding the inputs reproduces records.jsonl byte for byte", () => {
      expect(Buffer.from(encodeChunkRecords(input as ChunkInput)).equals(records)).toBe(true);
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

    test("manifest.json is canonical and agrees with records.jsonl", () => {
      const parsed = parseManifest(manifest);
      const { summary, recordsOutsideWindow } = scanRecords(records, { window: parsed.manifest });
      expect(parsed.manifest).toMatchObject(summary);
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
    const built = buildChunkManifests(inputs, expected.agent_cert_sha256);
    built.forEach(({ manifest }, index) => {
      expect(Buffer.from(manifest.bytes).equals(chunks[index]?.manifest ?? new Uint8Array())).toBe(
        true,
      );
    });
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

  test.each(invalid.chains)("invalid chain refused: $description", ({ dirs, link, breaks }) => {
    const manifests = dirs.map((dir) => parseManifest(read(dir, "manifest.json")));
    const verdict = verifyHashChain(manifests);
    expect(verdict.ok).toBe(false);
    expect(verdict.links[link]?.breaks.map((b) => b.kind)).toEqual(breaks);
  });

  test("the examples in docs/custody-format.md are the vectors' bytes", () => {
    const spec = readFileSync(join(import.meta.dir, "../docs/custody-format.md"), "utf8");
    const manifestExample = /### 5\.1 [^\n]*\n\n```json\n([\s\S]*?)```/.exec(spec)?.[1];
    expect(manifestExample).toBe(new TextDecoder().decode(chunks[4]?.manifest));
    const gapExample = /```\n(\{"seq":6,[^\n]*)\n```/.exec(spec)?.[1];
    expect(new TextDecoder().decode(chunks[0]?.records)).toContain(`${gapExample}\n`);
  });

  // A second implementation, in Python's standard library, written from the spec.
  test.skipIf(!Bun.which("python3"))("the Python reference encoder reproduces the vectors", () => {
    const script = join(VECTORS_DIR, "../reference-encoder.py");
    const result = Bun.spawnSync(["python3", script, VECTORS_DIR], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString()).not.toContain("FAIL");
    expect(result.exitCode).toBe(0);
  });

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

  test.each(invalid.records)("invalid record refused: $description", ({ text, code }) => {
    expect(codeOf(() => parseRecordLine(encoder.encode(text)))).toBe(code);
  });

  test.each(invalid.manifests)("invalid manifest refused: $description", ({ text, code }) => {
    expect(codeOf(() => parseManifest(encoder.encode(text)))).toBe(code);
  });
});
