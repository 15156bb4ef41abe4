/**
 * The property: change any single byte of any file of a bundle and
 * `logmaster verify` fails, naming the check that owns that file (with the
 * two exceptions RFC 3161 itself leaves in manifest.tsr, shown below). Flips are
 * drawn from a seeded PRNG (reproducible), 30 per evidence file plus chosen
 * positions (first and last byte, PEM headers and line ends), verified
 * in-process for speed and a handful through the real CLI. Then the chain:
 * a missing chunk (a whole hour, either part of an early-sealed hour), a
 * reordered and a duplicated bundle.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "../shared/src/testing/seeded-random.ts";
import { DEVELOPMENT_TSA_WARNING } from "../shared/src/timestamp/development-tsa.ts";
import {
  BUNDLE_FILES,
  type BundleCheckName,
  type BundleReport,
  verifyBundle,
  verifyBundles,
} from "../shared/src/verify/index.ts";
import { type BundleRun, makeBundleRun, runCli } from "./support/bundles.ts";

/**
 * Per file: the checks a flip must make FAIL (`mustFail`), and the others
 * that may fail with them (`mayFail`, because they read the same bytes).
 * Nothing outside these may fail, and nothing may pass that must fail.
 */
const EXPECTATIONS: Record<string, { mustFail: BundleCheckName[]; mayFail: BundleCheckName[] }> = {
  // The SHA-256 of the file changes with any byte, so records_match always fails; a flip
  // that also breaks a line's canonical form (JSON, UTF-8, a seq) fails `records` too, and
  // one that leaves every line canonical changes a leaf of the Merkle tree (format 1.1).
  [BUNDLE_FILES.records]: {
    mustFail: ["records_match"],
    mayFail: ["records", "records_merkle"],
  },
  // The agent's signature covers every byte (and is checked over the raw bytes even when
  // they no longer parse), and the token's imprint is their SHA-256: both always fail.
  // What the changed manifest now says may contradict records.jsonl (hash, count),
  // agent.pem (agent_cert_sha256, ids), fail to parse, or not be canonical; and without a
  // verified token the certificate is judged at created_at, which the flip may move.
  [BUNDLE_FILES.manifest]: {
    mustFail: ["signature", "timestamp"],
    mayFail: [
      "manifest",
      "manifest_canonical",
      "records_match",
      "records_merkle",
      "agent_certificate",
      "certificate_chain",
    ],
  },
  // A raw RSA signature: any other bytes are not a signature of this manifest.
  [BUNDLE_FILES.signature]: { mustFail: ["signature"], mayFail: [] },
  // Either the signed token changed (signature, imprint, ESS, chain) or its unsigned
  // envelope did, which must still be what a TSA writes (timestamp.ts); both are the
  // `timestamp` check. Without a token, the certificate is judged at created_at, which
  // these bundles' certificates cover, so nothing else fails. Two single-byte changes
  // leave a valid response and are asserted on their own below: the status granted ->
  // grantedWithMods (a warning) and the signature algorithm's other name (undetectable).
  [BUNDLE_FILES.timestamp]: { mustFail: ["timestamp"], mayFail: [] },
  // A flip in the PEM text (header, base64, a line end) makes it non-canonical PEM; one
  // in the DER changes agent.pem's SHA-256 from agent_cert_sha256. If the altered
  // certificate still parses, its key or the CA's signature over it may fail too.
  [BUNDLE_FILES.agentCertificate]: {
    mustFail: ["agent_certificate"],
    mayFail: ["signature", "certificate_chain"],
  },
  // Non-canonical PEM, or a root that is no longer self-signed or whose self-signature fails
  // (nothing else covers a trust anchor's bytes): the chain check cannot use it.
  [BUNDLE_FILES.chainCa]: { mustFail: ["certificate_chain"], mayFail: [] },
  // Non-canonical PEM, or a CRL whose signature by the chain CA no longer verifies.
  [BUNDLE_FILES.chainCrl]: { mustFail: ["revocation"], mayFail: [] },
  // The TSA certificates: non-canonical PEM, a root that is no longer self-signed or whose
  // self-signature fails, or a chain certificate that is not the one the token was verified with.
  [BUNDLE_FILES.tsaChain]: { mustFail: ["timestamp"], mayFail: [] },
  [BUNDLE_FILES.tsaCa]: { mustFail: ["timestamp"], mayFail: [] },
};

/**
 * The one change to a TimeStampResp that stays a valid response is its
 * unsigned status going from granted (0) to grantedWithMods (1): the token
 * is the same, so `timestamp` cannot fail, but it warns (no clean PASS).
 */
function isGrantedWithModsFlip(report: BundleReport): boolean {
  const timestamp = report.checks.find((check) => check.name === "timestamp");
  return timestamp?.status === "WARN" && timestamp.detail.includes("grantedWithMods");
}

/** Where the token names its signature algorithm: the last byte of the SignerInfo's RSA OID. */
function signatureAlgorithmByte(tsr: Uint8Array): number {
  // 1.2.840.113549.1.1.x (rsaEncryption, sha256WithRSAEncryption, ...): the SignerInfo's is the last.
  const rsaArc = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01]);
  return Buffer.from(tsr).lastIndexOf(rsaArc) + rsaArc.byteLength;
}

/** rsaEncryption (…1.1.1) and sha256WithRSAEncryption (…1.1.11): two names of one signature. */
const RSA_SIGNATURE_NAMES = [0x01, 0x0b];

/**
 * The one change no verifier can see (the test below shows it): the token's
 * signature algorithm renamed between its two correct names.
 */
function isSignatureAlgorithmRename(flip: Flip, tsr: Uint8Array): boolean {
  const at = signatureAlgorithmByte(tsr);
  return (
    flip.file === BUNDLE_FILES.timestamp &&
    flip.offset === at &&
    RSA_SIGNATURE_NAMES.includes(((tsr[at] as number) ^ flip.mask) & 0xff)
  );
}

interface Flip {
  file: string;
  offset: number;
  /** XOR mask, never 0: the byte changes. */
  mask: number;
}

function flipsFor(file: string, bytes: Uint8Array, random: () => number, count: number): Flip[] {
  const size = bytes.byteLength;
  const offsets = Array.from({ length: count }, () => Math.floor(random() * size));
  // Positions worth trying on purpose: both ends, and for PEM the header and a line end.
  offsets.push(0, size - 1);
  const lineEnd = bytes.indexOf(0x0a);
  if (file.endsWith(".pem") && lineEnd > 0) offsets.push(5, lineEnd, lineEnd + 1);
  return offsets.map((offset) => ({ file, offset, mask: 1 + Math.floor(random() * 255) }));
}

let run: BundleRun;
let work: string;
let bundleDir: string;

beforeAll(async () => {
  run = await makeBundleRun();
  work = mkdtempSync(join(tmpdir(), "logmaster-verify-tamper-"));
  bundleDir = join(work, "bundle");
  // The first chunk: the richest records (msg_b64, IPv6 over TLS, a gap).
  cpSync(run.bundles[0]?.dir as string, bundleDir, { recursive: true });
}, 60_000);

afterAll(() => {
  run?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Run `verify` with one byte of `flip.file` changed, then put the byte back. */
async function withFlip<T>(flip: Flip, verify: () => Promise<T>): Promise<T> {
  const path = join(bundleDir, flip.file);
  const original = readFileSync(path);
  const flipped = Buffer.from(original);
  flipped[flip.offset] = (flipped[flip.offset] as number) ^ flip.mask;
  writeFileSync(path, flipped);
  try {
    return await verify();
  } finally {
    writeFileSync(path, original);
  }
}

/**
 * The untouched test bundle: every check passes but the time-stamp, which is
 * the development TSA's (tests/support/bundles.ts) and so a WARN, no legal value.
 */
function expectOnlyDevelopmentTsaWarning(report: BundleReport): void {
  expect(report.verdict).toBe("WARN");
  expect(report.checks.filter((check) => check.status !== "PASS")).toEqual([
    {
      name: "timestamp",
      status: "WARN",
      code: "development_tsa",
      detail: expect.stringContaining(`${DEVELOPMENT_TSA_WARNING}; genTime `),
    },
  ]);
}

function failing(report: BundleReport): BundleCheckName[] {
  return report.checks.filter((check) => check.status === "FAIL").map((check) => check.name);
}

describe("a changed byte", () => {
  test("the untouched bundle passes every check, the development time-stamp with its warning", async () => {
    const { report } = await verifyBundle(bundleDir);
    expectOnlyDevelopmentTsaWarning(report);
  });

  test("in any evidence file fails the check that owns the file (seeded, 300+ flips)", async () => {
    const random = seededRandom(5651);
    const flips = Object.keys(EXPECTATIONS).flatMap((file) =>
      flipsFor(file, readFileSync(join(bundleDir, file)), random, 30),
    );
    expect(flips.length).toBeGreaterThanOrEqual(300);
    const tsr = new Uint8Array(readFileSync(join(bundleDir, BUNDLE_FILES.timestamp)));
    const wrong: string[] = [];
    for (const flip of flips) {
      const { report } = await withFlip(flip, () => verifyBundle(bundleDir));
      const expectation = EXPECTATIONS[flip.file] as (typeof EXPECTATIONS)[string];
      const failed = failing(report);
      const allowed = new Set([...expectation.mustFail, ...expectation.mayFail]);
      const missing = expectation.mustFail.filter((name) => !failed.includes(name));
      const unexpected = failed.filter((name) => !allowed.has(name));
      const tolerated = flip.file === BUNDLE_FILES.timestamp && isGrantedWithModsFlip(report);
      if (isSignatureAlgorithmRename(flip, tsr)) continue;
      if (report.verdict === "PASS" || unexpected.length > 0 || (missing.length > 0 && !tolerated))
        wrong.push(
          `${flip.file}[${flip.offset}]^0x${flip.mask.toString(16)}: verdict ${report.verdict}, failed [${failed}], expected [${expectation.mustFail}] (+ maybe [${expectation.mayFail}])`,
        );
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  test("the one byte no verifier can hold: the name of the token's signature algorithm", async () => {
    // A CMS signer may name RSA PKCS#1 v1.5 with SHA-256 `rsaEncryption` or
    // `sha256WithRSAEncryption` (RFC 3370 §3.2, RFC 4055 §5): the same signature, and the name
    // lies outside what is signed. Switching names (one byte) leaves a token that every
    // verifier must accept. Every other value of that byte fails; so does every other byte
    // of manifest.tsr under all eight one-bit flips (an exhaustive run: 14,775 of 14,776 flips
    // fail `timestamp`, the last is the grantedWithMods warning above).
    const tsr = new Uint8Array(readFileSync(join(bundleDir, BUNDLE_FILES.timestamp)));
    const at = signatureAlgorithmByte(tsr);
    const original = tsr[at] as number;
    expect(RSA_SIGNATURE_NAMES).toContain(original);
    const other = RSA_SIGNATURE_NAMES.find((value) => value !== original) as number;
    const renamed = await withFlip(
      { file: BUNDLE_FILES.timestamp, offset: at, mask: original ^ other },
      () => verifyBundle(bundleDir),
    );
    expectOnlyDevelopmentTsaWarning(renamed.report);
    for (const value of [0x02, 0x05, 0x0c, 0x0d, 0x21, 0x81]) {
      const { report } = await withFlip(
        { file: BUNDLE_FILES.timestamp, offset: at, mask: original ^ value },
        () => verifyBundle(bundleDir),
      );
      expect(failing(report)).toEqual(["timestamp"]);
    }
  });

  test("in VERIFY.md changes nothing: it is instructions for people, not evidence", async () => {
    const { report } = await withFlip(
      { file: BUNDLE_FILES.instructions, offset: 3, mask: 0x20 },
      () => verifyBundle(bundleDir),
    );
    expectOnlyDevelopmentTsaWarning(report);
  });

  test("through the CLI: exit code 1 and the check named", async () => {
    const flips: [Flip, BundleCheckName][] = [
      [{ file: BUNDLE_FILES.records, offset: 40, mask: 0x01 }, "records_match"],
      [{ file: BUNDLE_FILES.manifest, offset: 100, mask: 0x02 }, "signature"],
      [{ file: BUNDLE_FILES.timestamp, offset: 1200, mask: 0x10 }, "timestamp"],
      [{ file: BUNDLE_FILES.agentCertificate, offset: 300, mask: 0x04 }, "agent_certificate"],
      [{ file: BUNDLE_FILES.chainCrl, offset: 200, mask: 0x08 }, "revocation"],
    ];
    for (const [flip, check] of flips) {
      const { exitCode, stdout, stderr } = await withFlip(flip, () =>
        runCli(["verify", bundleDir]),
      );
      expect({ exitCode, stderr }).toMatchObject({ exitCode: 1 });
      expect(stdout).toMatch(new RegExp(`^  FAIL  ${check} `, "m"));
      expect(stdout).toMatch(/^VERDICT: FAIL/m);
    }
  }, 60_000);
});

describe("the chain across bundles", () => {
  const dirs = () => run.bundles.map((bundle) => bundle.dir);

  async function chainChecks(bundleDirs: string[], sortByChunk = false) {
    const report = await verifyBundles(bundleDirs, { sortByChunk });
    expect(report.chains).toHaveLength(1);
    const [hashChain, completeness] = report.chains[0]?.checks ?? [];
    return { report, hashChain, completeness };
  }

  test("all five chunks: complete and chained", async () => {
    const { report, hashChain, completeness } = await chainChecks(dirs());
    expect(hashChain?.status).toBe("PASS");
    expect(completeness?.status).toBe("PASS");
    // Not FAIL; WARN only for the development time-stamps.
    expect(report.verdict).toBe("WARN");
    for (const bundle of report.bundles) expectOnlyDevelopmentTsaWarning(bundle);
  });

  test("a missing hour in the middle is named", async () => {
    const [h0, , h2, ...rest] = run.bundles;
    const missing = run.bundles[1]?.chunkId as string;
    const { completeness } = await chainChecks([h0, h2, ...rest].map((b) => b?.dir as string));
    expect(completeness?.status).toBe("FAIL");
    expect(completeness?.detail).toContain(`hour ${missing} (every part)`);
  });

  test("a missing part of an early-sealed hour is named: part 0", async () => {
    const part0 = run.bundles[2]?.chunkId as string; // e.g. 2026-11-22T14
    const { completeness } = await chainChecks(
      run.bundles.filter((_, i) => i !== 2).map((b) => b.dir),
    );
    expect(completeness?.status).toBe("FAIL");
    expect(completeness?.detail).toContain(`part 0 of hour ${part0}`);
  });

  test("a missing part of an early-sealed hour is named: part 1", async () => {
    const part1 = run.bundles[3]?.chunkId as string; // e.g. 2026-11-22T14.1
    const { completeness } = await chainChecks(
      run.bundles.filter((_, i) => i !== 3).map((b) => b.dir),
    );
    expect(completeness?.status).toBe("FAIL");
    // The chunk after it shows the hour's rest is missing, from part 1 on.
    expect(completeness?.detail).toContain(`parts 1.. of hour ${part1.slice(0, 13)}`);
  });

  test("a bundle deleted from an export directory is named (chunk order from the manifests)", async () => {
    const copy = mkdtempSync(join(tmpdir(), "logmaster-verify-export-"));
    try {
      cpSync(run.root, copy, { recursive: true });
      const removed = run.bundles[1]?.chunkId as string;
      rmSync(join(copy, "test-otel-abcdefgh", removed), { recursive: true });
      const { exitCode, stdout } = await runCli(["verify", copy, "--json"]);
      expect(exitCode).toBe(1);
      const json = JSON.parse(stdout);
      const completeness = json.chains[0].checks.find(
        (check: { name: string }) => check.name === "completeness",
      );
      expect(completeness.status).toBe("FAIL");
      expect(completeness.detail).toContain(`hour ${removed} (every part)`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 30_000);

  test("reordered bundles break the chain", async () => {
    const [a, b, ...rest] = dirs();
    const { hashChain, completeness } = await chainChecks([b, a, ...rest] as string[]);
    expect(hashChain?.status).toBe("FAIL");
    expect(completeness?.status).toBe("FAIL");
    expect(completeness?.detail).toMatch(/does not follow chunk/);
  });

  test("a duplicated bundle breaks the chain, also when sorted by chunk", async () => {
    const all = dirs();
    for (const sortByChunk of [false, true]) {
      const { hashChain, completeness } = await chainChecks(
        [...all.slice(0, 3), all[2] as string, ...all.slice(3)],
        sortByChunk,
      );
      expect(hashChain?.status).toBe("FAIL");
      expect(completeness?.status).toBe("FAIL");
    }
  });
});
