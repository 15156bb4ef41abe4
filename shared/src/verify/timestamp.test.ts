import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BundleRun, makeBundleRun } from "../../../tests/support/bundles.ts";
import { type OpensslTsa, startOpensslTsa } from "../../../tests/support/openssl-tsa.ts";
import {
  DEVELOPMENT_TSA_POLICY_OID,
  DEVELOPMENT_TSA_WARNING,
} from "../timestamp/development-tsa.ts";
import { requestTimestamp } from "../timestamp/index.ts";
import { loadBundle } from "./bundle.ts";
import { type DerNode, derBytes, derChildren, derRoot } from "./encoding.ts";
import { checkTimestamp, type TimestampFiles } from "./timestamp.ts";

let run: BundleRun;
let opensslTsa: OpensslTsa;
beforeAll(async () => {
  [run, opensslTsa] = await Promise.all([makeBundleRun(), startOpensslTsa()]);
}, 60_000);
afterAll(async () => {
  run?.cleanup();
  await opensslTsa?.stop();
});

const files = (index = 0) => loadBundle(run.bundles[index]?.dir as string).files;
const stampFiles = (index = 0): TimestampFiles => {
  const { timestamp, tsaChain, tsaCa } = files(index);
  return { tsr: timestamp, tsaChain, tsaCa };
};
const check = (stamp: TimestampFiles, manifest = files().manifest, allowUnstamped = false) =>
  checkTimestamp(stamp, manifest, { allowUnstamped });

/** A copy of `bytes` with the first occurrence of `find` (after `from`) replaced by `replace`. */
function patched(bytes: Uint8Array, find: number[], replace: number[], from = 0): Uint8Array {
  const at = Buffer.from(bytes).indexOf(Buffer.from(find), from);
  expect(at).toBeGreaterThanOrEqual(0);
  const copy = new Uint8Array(bytes);
  copy.set(replace, at);
  return copy;
}

/** The first bundle's manifest.json time-stamped by a TSA we did not write (`openssl ts -reply`). */
async function opensslStampFiles(policy?: string): Promise<TimestampFiles> {
  const grant = await requestTimestamp({
    url: opensslTsa.url,
    data: files().manifest as Uint8Array,
    timeoutMs: 10_000,
    trustedCaPems: [opensslTsa.pki.caPem],
    ...(policy ? { policy } : {}),
  });
  const encode = (text: string) => new TextEncoder().encode(text);
  return {
    tsr: grant.tsr,
    tsaChain: encode(grant.chainPems.join("")),
    tsaCa: encode(grant.trustAnchorPem),
  };
}

const SHA256_OID = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

describe("timestamp", () => {
  test("a TSA's token over this manifest, chaining to tsa-ca.pem", async () => {
    const { check: result, genTime } = await check(await opensslStampFiles());
    expect(result).toMatchObject({ status: "PASS" });
    expect(result.code).toBeUndefined();
    expect(result.detail).toContain(`genTime ${genTime?.toISOString()}`);
    expect(result.detail).toMatch(
      /CN=LogMaster TEST TSA \(tsa\).*chains to tsa-ca\.pem \(SHA-256 [0-9a-f]{64}\)/,
    );
  });

  test("the development TSA's token verifies, but is a WARN: no legal value", async () => {
    const { check: result, genTime } = await check(stampFiles());
    expect(result).toMatchObject({ status: "WARN", code: "development_tsa" });
    expect(result.detail).toStartWith(`${DEVELOPMENT_TSA_WARNING}; genTime `);
    expect(result.detail).toContain(`genTime ${genTime?.toISOString()}`);
    expect(genTime).toBeInstanceOf(Date);
  });

  test("a signer without the development marker stamping under the development policy: a WARN", async () => {
    // What a development TSA made before its certificates carried the marker looks like.
    const { check: result } = await check(await opensslStampFiles(DEVELOPMENT_TSA_POLICY_OID));
    expect(result).toMatchObject({ status: "WARN", code: "development_tsa" });
    expect(result.detail).toContain(`policy ${DEVELOPMENT_TSA_POLICY_OID}`);
  });

  test("no token: a failure, or a warning when unstamped bundles are allowed", async () => {
    const unstamped = { ...stampFiles(), tsr: undefined };
    expect((await check(unstamped)).check).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/^not time-stamped/),
    });
    expect((await check(unstamped, files().manifest, true)).check.status).toBe("WARN");
  });

  test("a token over another manifest", async () => {
    const { check: result, genTime } = await check(stampFiles(0), files(1).manifest);
    expect(result).toMatchObject({ status: "FAIL", detail: expect.stringContaining("imprint:") });
    expect(genTime).toBeUndefined();
  });

  test("the unsigned status turned into grantedWithMods: verifies, with a warning", async () => {
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo ::= SEQUENCE { INTEGER 0 } ... }
    const stamp = stampFiles();
    const tsr = patched(
      stamp.tsr as Uint8Array,
      [0x30, 0x03, 0x02, 0x01, 0x00],
      [0x30, 0x03, 0x02, 0x01, 0x01],
    );
    const { check: result } = await check({ ...stamp, tsr });
    expect(result).toMatchObject({
      status: "WARN",
      code: "development_tsa",
      detail: expect.stringContaining("grantedWithMods"),
    });
  });

  test("an unsigned envelope field changed: SignedData version", async () => {
    const stamp = stampFiles();
    // The first `INTEGER 3` of the token is SignedData's version.
    const tsr = patched(stamp.tsr as Uint8Array, [0x02, 0x01, 0x03], [0x02, 0x01, 0x04]);
    const { check: result } = await check({ ...stamp, tsr });
    expect(result).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("SignedData version is not 3"),
    });
  });

  test("an unsigned envelope field changed: the digest algorithm list", async () => {
    const stamp = stampFiles();
    // The first SHA-256 OID of the token is in SignedData's digestAlgorithms.
    const tsr = patched(stamp.tsr as Uint8Array, SHA256_OID, [...SHA256_OID.slice(0, -1), 0x02]);
    const { check: result } = await check({ ...stamp, tsr });
    expect(result).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("digest algorithm list lacks the signer's"),
    });
  });

  test("tsa-chain.pem with a certificate that is not on the token's chain", async () => {
    const stamp = stampFiles();
    const tsaChain = new Uint8Array([
      ...(stamp.tsaChain as Uint8Array),
      ...(files().chainCa as Uint8Array),
    ]);
    const { check: result } = await check({ ...stamp, tsaChain });
    expect(result).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("which is not on the token's verified chain"),
    });
  });

  test("tsa-ca.pem must hold roots: not the TSA's own certificate, not another root", async () => {
    const stamp = stampFiles();
    const signerAsRoot = await check({ ...stamp, tsaCa: stamp.tsaChain });
    expect(signerAsRoot.check).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("is not a self-signed root"),
    });
    const otherRoot = await check({ ...stamp, tsaCa: files().chainCa });
    expect(otherRoot.check).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("chain:"),
    });
  });

  test("manifest.tsr.raw, when present, must be the bare token manifest.tsr wraps", async () => {
    const stamp = stampFiles();
    const tsr = stamp.tsr as Uint8Array;
    const [, tokenNode] = derChildren(tsr, derRoot(tsr));
    const raw = new Uint8Array(derBytes(tsr, tokenNode as DerNode));
    const kept = await check({ ...stamp, raw });
    expect(kept.check).toMatchObject({
      status: "WARN",
      code: "development_tsa",
      detail: expect.stringContaining("wraps the bare token the TSA sent"),
    });
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 0x01;
    const changed = await check({ ...stamp, raw });
    expect(changed.check).toMatchObject({
      status: "FAIL",
      detail: "manifest.tsr.raw is not the token that manifest.tsr wraps",
    });
  });
});
