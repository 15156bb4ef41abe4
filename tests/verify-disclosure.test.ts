/**
 * Disclosure packs checked by both of their verifiers: `logmaster verify`
 * (verifyDisclosurePack, and the CLI) and the pack's own standalone
 * verify_disclosure.py. Packs are made from the committed test vectors
 * (tests/support/disclosure-packs.ts): lines of three format-1.1 chunks with
 * their audit paths, and one format-1 chunk disclosed whole. A good pack
 * passes in both (the whole chunk a WARN); each tampering fails the check
 * that names it, in both.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  type DisclosedLine,
  type Disclosure,
  discloseLines,
  serializeDisclosedLines,
} from "../shared/src/custody/index.ts";
import { type ChunkCheckName, verifyDisclosurePack } from "../shared/src/verify/index.ts";
import { runCli } from "./support/bundles.ts";
import {
  type PackChunk,
  packVerifierLines,
  runPackVerifier,
  vectorChunk,
  withStamp,
  writeDisclosurePack,
} from "./support/disclosure-packs.ts";

const VECTORS = join(import.meta.dir, "vectors");
const AGENT = "test-hotel-istanbul-testvect";
/** The chunk folders of the pack, by the vector they come from. */
const T12 = `${AGENT}/2026-11-22T12`; // v1.1 chunk 1: seq 20
const T14 = `${AGENT}/2026-11-22T14`; // v1.1 chunk 3: seqs 21..27
const T15 = `${AGENT}/2026-11-22T15`; // v1.1 chunk 4: seqs 28..32
const T08 = `${AGENT}/2026-11-22T08`; // v1 chunk 1 (format 1): seqs 1..8

function goodChunks(): PackChunk[] {
  return [
    vectorChunk("v1.1", 1, [20]),
    vectorChunk("v1.1", 3, [22, 24, 27]),
    vectorChunk("v1.1", 4, [28, 31]),
    vectorChunk("v1", 1, [3]),
  ];
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "logmaster-disclosure-"));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let packs = 0;
function newPack(chunks = goodChunks()): string {
  const root = join(work, `pack-${++packs}`);
  writeDisclosurePack(root, chunks);
  return root;
}

const linesPath = (root: string, chunk: string) => join(root, chunk, "lines.jsonl");

function readLinesFile(root: string, chunk: string): DisclosedLine[] {
  return readFileSync(linesPath(root, chunk), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

function writeLinesFile(root: string, chunk: string, lines: DisclosedLine[]): void {
  writeFileSync(linesPath(root, chunk), serializeDisclosedLines(lines));
}

/** Both verifiers on one pack: the TypeScript report's checks by place, and Python's lines. */
async function verifyBoth(root: string, options = { allowUnstamped: true }) {
  const [report, python] = await Promise.all([
    verifyDisclosurePack(root, options),
    runPackVerifier(root),
  ]);
  const checks = [
    ...(report.disclosure?.checks ?? []).map((check) => ({ where: "pack", ...check })),
    ...report.bundles.flatMap((bundle) =>
      bundle.checks.map((check) => ({ where: relative(root, bundle.dir), ...check })),
    ),
  ];
  const failed = checks.filter((check) => check.status === "FAIL");
  const pythonLines = packVerifierLines(python.stdout);
  return {
    report,
    checks,
    /** `<where> <check>`, once each. */
    failed: [...new Set(failed.map((check) => `${check.where} ${check.name}`))].sort(),
    failedDetails: failed.map((check) => `${check.where} ${check.name}: ${check.detail}`),
    python,
    pythonLines,
    pythonFailed: pythonLines.filter((line) => line.status === "FAIL").map((line) => line.what),
  };
}

describe("a good pack", () => {
  test("passes in both verifiers: every line PASS, the format-1 chunk a WARN", async () => {
    const root = newPack();
    const both = await verifyBoth(root);

    expect(both.failedDetails).toEqual([]);
    expect(both.report.verdict).toBe("WARN");
    expect(both.report.bundles.map((bundle) => relative(root, bundle.dir))).toEqual([
      T12,
      T14,
      T15,
      T08,
    ]);
    const lines = both.checks.filter((check) => check.name === "disclosed_line");
    expect(lines.map((check) => `${check.where} ${check.status}`)).toEqual([
      `${T12} PASS`,
      `${T14} PASS`,
      `${T14} PASS`,
      `${T14} PASS`,
      `${T15} PASS`,
      `${T15} PASS`,
    ]);
    expect(lines[3]?.detail).toBe(
      "lines.jsonl:3: seq 27, line 7 of records.jsonl: its leaf and audit path (2 hashes) lead to the signed merkle_root",
    );
    // What warns: the format-1 chunk went whole; the vectors carry no time-stamp and no CRL.
    const warned = both.checks.filter((check) => check.status === "WARN");
    expect(new Set(warned.map((check) => check.name))).toEqual(
      new Set<ChunkCheckName>(["disclosed_whole", "timestamp", "revocation"]),
    );
    expect(warned.find((check) => check.name === "disclosed_whole")).toMatchObject({
      where: T08,
      detail: expect.stringMatching(/^disclosed whole: 8 records, not only the 1 asked for /),
    });
    // The whole chunk's records get a bundle's records checks.
    const whole = both.checks.filter((check) => check.where === T08);
    expect(whole.find((check) => check.name === "records_match")?.status).toBe("PASS");
    for (const chunk of [T12, T14, T15, T08])
      for (const name of ["disclosed_manifest", "signature", "certificate_chain"])
        expect(both.checks.find((c) => c.where === chunk && c.name === name)?.status).toBe("PASS");

    expect(both.python.exitCode).toBe(0);
    expect(both.pythonFailed).toEqual([]);
    expect(both.pythonLines.filter((line) => line.status === "WARN")).toEqual([
      {
        status: "WARN",
        what: expect.stringContaining("disclosed whole: all 8 records, not only the 1 asked for"),
      },
    ]);
    expect(
      both.pythonLines.filter((line) => /lines\.jsonl:\d+: seq \d+, line \d+ of/.test(line.what)),
    ).toHaveLength(6);
  });
});

/** One tampering: what it does to a fresh good pack, and what must fail in each verifier. */
interface Tampering {
  name: string;
  tamper(root: string): void;
  /** Exactly the checks the TypeScript verifier fails, `<where> <check>`. */
  failed: string[];
  /** Something the failure says (to see it names the right thing). */
  says: string;
  /** Python's FAIL lines, one substring each (exactly as many FAIL lines). */
  python: string[];
}

const TAMPERINGS: Tampering[] = [
  {
    name: "a changed byte in a disclosed line",
    tamper: (root) => {
      const lines = readLinesFile(root, T14);
      const line = lines[1] as DisclosedLine;
      line.line = line.line.replace(
        '"ts":"2026-11-22T14:15:00.000000Z"',
        '"ts":"2026-11-22T14:15:00.000001Z"',
      );
      writeLinesFile(root, T14, lines);
    },
    failed: [`${T14} disclosed_line`],
    says: "lines.jsonl:2: seq 24, index 3: its leaf and audit path do not lead to the signed merkle_root",
    python: [`${T14} lines.jsonl:2: seq 24, line 4 of records.jsonl`],
  },
  {
    name: "an added line (a real line of the chunk, not asked for)",
    tamper: (root) => {
      const records = new Uint8Array(readFileSync(join(VECTORS, "v1.1/chunk-3/records.jsonl")));
      writeLinesFile(root, T14, discloseLines(records, new Set([22, 23, 24, 27])).lines);
    },
    failed: [`${T14} disclosed_lines`],
    says: "seq 23: in lines.jsonl but not listed in disclosure.json (a line added)",
    python: [
      `${T14}: the pack holds exactly the 3 lines disclosure.json lists: missing seqs -, not listed [23]`,
    ],
  },
  {
    name: "a removed line",
    tamper: (root) =>
      writeLinesFile(
        root,
        T14,
        readLinesFile(root, T14).filter((_, i) => i !== 1),
      ),
    failed: [`${T14} disclosed_lines`],
    says: "seq 24: listed in disclosure.json but not in lines.jsonl (a line removed)",
    python: [`${T14}: the pack holds exactly the 3 lines disclosure.json lists: missing seqs [24]`],
  },
  {
    name: "a line moved into another chunk's lines.jsonl",
    tamper: (root) => {
      const lines = readLinesFile(root, T14);
      writeLinesFile(root, T14, lines.slice(0, 2));
      appendFileSync(linesPath(root, T15), serializeDisclosedLines(lines.slice(2)));
    },
    failed: [`${T14} disclosed_lines`, `${T15} disclosed_line`, `${T15} disclosed_lines`],
    says: "lines.jsonl:3: seq 27, index 6: its leaf and audit path do not lead to the signed merkle_root: the line or its path was altered, or it is not a line of this chunk; seq 27 is outside the chunk's seqs 28..32",
    python: [
      `${T14}: the pack holds exactly the 3 lines disclosure.json lists: missing seqs [27]`,
      `${T15} lines.jsonl:3: seq 27, line 7 of records.jsonl`,
      `${T15}: the pack holds exactly the 2 lines disclosure.json lists: missing seqs -, not listed [27]`,
    ],
  },
  {
    name: "a wrong audit path",
    tamper: (root) => {
      const lines = readLinesFile(root, T14);
      const line = lines[0] as DisclosedLine;
      const hash = line.audit_path[0] as string;
      line.audit_path[0] = `${hash.slice(0, 10)}${hash[10] === "0" ? "1" : "0"}${hash.slice(11)}`;
      writeLinesFile(root, T14, lines);
    },
    failed: [`${T14} disclosed_line`],
    says: "lines.jsonl:1: seq 22, index 1: its leaf and audit path do not lead to the signed merkle_root",
    python: [`${T14} lines.jsonl:1: seq 22, line 2 of records.jsonl`],
  },
  {
    name: "a changed manifest.json",
    tamper: (root) => {
      const path = join(root, T14, "manifest.json");
      writeFileSync(
        path,
        readFileSync(path, "utf8").replace(
          '"created_at": "2026-11-22T15:00:00.250000Z"',
          '"created_at": "2026-11-22T15:00:00.250001Z"',
        ),
      );
    },
    failed: [`${T14} disclosed_manifest`, `${T14} signature`],
    says: "not the manifest the pack was made from",
    python: [`${T14}: manifest.json is the one disclosure.json names: its SHA-256 differs`],
  },
  {
    name: "a chunk folder that disclosure.json does not list",
    tamper: (root) => {
      const unlisted = join(root, AGENT, "2026-11-22T13");
      cpSync(join(VECTORS, "v1.1/chunk-2"), unlisted, { recursive: true });
      cpSync(join(root, T12, "agent.pem"), join(unlisted, "agent.pem"));
    },
    failed: ["pack disclosure_folders"],
    says: `${AGENT}/2026-11-22T13: a chunk folder that disclosure.json does not list`,
    python: [`${AGENT}/2026-11-22T13: a chunk folder that disclosure.json does not list`],
  },
];

/** disclosure.json, changed by `change`. */
function editDisclosure(root: string, change: (disclosure: Disclosure) => void): void {
  const path = join(root, "disclosure.json");
  const disclosure = JSON.parse(readFileSync(path, "utf8"));
  change(disclosure);
  writeFileSync(path, `${JSON.stringify(disclosure, null, 2)}\n`);
}

/**
 * Packs on which the two verifiers once disagreed (verify_disclosure.py
 * passed them): they must fail in both.
 */
const EDGE_CASES: Tampering[] = [
  {
    name: "lines out of records.jsonl order",
    tamper: (root) => {
      const lines = readLinesFile(root, T14);
      writeLinesFile(root, T14, [lines[2], lines[0], lines[1]] as DisclosedLine[]);
    },
    failed: [`${T14} disclosed_line`],
    says: "lines.jsonl:2: seq 22, index 1: index 1 does not follow 6",
    python: [`${T14} lines.jsonl:2: seq 22`, `${T14} lines.jsonl:3: seq 24`],
  },
  {
    name: "a disclosed line with a key the format does not have",
    tamper: (root) => {
      const lines = readLinesFile(root, T15).map((line) => ({ ...line, note: "x" }));
      writeFileSync(
        linesPath(root, T15),
        lines.map((line) => `${JSON.stringify(line)}\n`).join(""),
      );
    },
    failed: [`${T15} disclosed_line`, `${T15} disclosed_lines`],
    says: "lines.jsonl:1: not a disclosed line",
    python: [
      `${T15} lines.jsonl:1: not a disclosed line`,
      `${T15} lines.jsonl:2: not a disclosed line`,
      `${T15}: the pack holds exactly the 2 lines`,
    ],
  },
  {
    name: "a chunk folder at another depth",
    tamper: (root) => cpSync(join(root, T12), join(root, "copy"), { recursive: true }),
    failed: ["pack disclosure_folders"],
    says: "copy: a chunk folder that disclosure.json does not list",
    python: ["copy: a chunk folder that disclosure.json does not list"],
  },
  {
    name: "disclosure.json naming a chunk as another",
    tamper: (root) =>
      editDisclosure(root, (disclosure) => {
        const entry = disclosure.chunks[2] as Disclosure["chunks"][number];
        entry.chunk = "2026-11-22T16";
      }),
    failed: [`${T15} disclosed_manifest`],
    says: "disclosure.json lists test-hotel-istanbul-testvect/2026-11-22T15 as chunk 2026-11-22T16",
    python: [`${T15}: manifest.json is the one disclosure.json names: chunk '2026-11-22T16'`],
  },
  {
    name: "a format-1 chunk listed with a seq it does not hold",
    tamper: (root) =>
      editDisclosure(root, (disclosure) => {
        const entry = disclosure.chunks[3] as Disclosure["chunks"][number];
        entry.seqs = [3, 9];
      }),
    failed: [`${T08} disclosed_whole`],
    says: "seq 9, listed in disclosure.json, is not among the chunk's records",
    python: [`${T08}: seqs [9], listed in disclosure.json, are not among the chunk's records`],
  },
];

describe("a tampered pack fails the right check, in both verifiers", () => {
  for (const tampering of [...TAMPERINGS, ...EDGE_CASES]) {
    test(tampering.name, async () => {
      const root = newPack();
      tampering.tamper(root);
      const both = await verifyBoth(root);

      expect(both.report.verdict).toBe("FAIL");
      expect(both.failed).toEqual([...tampering.failed].sort());
      expect(both.failedDetails.join("\n")).toContain(tampering.says);

      expect(both.python.exitCode).toBe(1);
      expect(both.pythonFailed).toHaveLength(tampering.python.length);
      for (const expected of tampering.python)
        expect(both.pythonFailed.some((line) => line.startsWith(expected))).toBe(true);
    });
  }
});

describe("logmaster verify DIR on a pack", () => {
  let stamped: string;
  beforeAll(async () => {
    stamped = join(work, "stamped");
    writeDisclosurePack(stamped, await Promise.all(goodChunks().map(withStamp)));
  }, 60_000);

  /** The `STATUS  name  detail` check lines of the text report. */
  const checkLines = (stdout: string) =>
    [...stdout.matchAll(/^ {2}(PASS|FAIL|WARN|SKIP) {2}(\w+) +(.*)$/gm)].map(
      (match) => `${match[1]} ${match[2]}`,
    );

  test("a good pack: the pack's checks, each chunk's, a PASS per line; exit 0", async () => {
    const { exitCode, stdout } = await runCli(["verify", stamped]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(
      `disclosure pack ${stamped} (case "2026/123 Soruşturma (test)", hotel test-hotel-istanbul, 7 lines)`,
    );
    expect(stdout).toContain(
      `disclosed chunk ${join(stamped, T14)} (chunk 2026-11-22T14 of agent ${AGENT})`,
    );
    const lines = checkLines(stdout);
    expect(lines.filter((line) => line === "PASS disclosed_line")).toHaveLength(6);
    expect(lines).toContain("WARN disclosed_whole");
    expect(lines.filter((line) => line.startsWith("FAIL"))).toEqual([]);
    // Time-stamped by the development TSA: each chunk's time-stamp is a WARN, as for a bundle.
    expect(lines.filter((line) => line === "WARN timestamp")).toHaveLength(4);
    expect(stdout).toMatch(
      /^VERDICT: PASS with warnings \(1 disclosure pack, 4 chunks: \d+ PASS, \d+ WARN(, \d+ SKIP)?\)$/m,
    );
  }, 30_000);

  test("--json: the pack's checks under disclosure, its chunks under bundles", async () => {
    const { exitCode, stdout } = await runCli(["verify", stamped, "--json"]);
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      format: "logmaster-verify/1",
      verdict: "WARN",
      chains: [],
      disclosure: {
        dir: stamped,
        case: "2026/123 Soruşturma (test)",
        lines: 7,
        verdict: "PASS",
        checks: [
          { name: "disclosure", status: "PASS" },
          { name: "disclosure_folders", status: "PASS" },
        ],
      },
    });
    expect(report.bundles).toHaveLength(4);
  }, 30_000);

  test("a tampered pack exits 1 and names the failing line", async () => {
    const root = join(work, "stamped-tampered");
    cpSync(stamped, root, { recursive: true });
    TAMPERINGS[0]?.tamper(root);
    const { exitCode, stdout } = await runCli(["verify", root]);
    expect(exitCode).toBe(1);
    expect(checkLines(stdout).filter((line) => line.startsWith("FAIL"))).toEqual([
      "FAIL disclosed_line",
    ]);
    expect(stdout).toContain("FAIL  disclosed_line      lines.jsonl:2: seq 24, index 3:");
    expect(stdout).toMatch(/^VERDICT: FAIL /m);
    expect(stdout).toContain(`failed: ${join(root, T14)}: disclosed_line`);
  }, 30_000);

  test("without time-stamps, as for a bundle: FAIL, unless --allow-unstamped", async () => {
    const root = newPack();
    const strict = await runCli(["verify", root]);
    expect(strict.exitCode).toBe(1);
    expect(checkLines(strict.stdout).filter((line) => line.startsWith("FAIL"))).toEqual(
      Array(4).fill("FAIL timestamp"),
    );
    const allowed = await runCli(["verify", root, "--allow-unstamped"]);
    expect(allowed.exitCode).toBe(0);
  }, 30_000);
});
