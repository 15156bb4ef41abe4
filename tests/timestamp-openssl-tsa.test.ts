/**
 * Our time-stamp client and verifier against a TSA we did not write
 * (`openssl ts -reply`, tests/support/openssl-tsa.ts): a good answer
 * verifies, every way a TSA can answer wrongly is refused with its reason,
 * an outage is a transient error the hub retries, and credentials reach the
 * TSA in the configured form.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeKamusmIdentity,
  parseTimestampToken,
  type RequestTimestampOptions,
  requestTimestamp,
  TimestampError,
  type TimestampGrant,
  verifyTimestampResponse,
} from "../shared/src/timestamp/index.ts";
import { checkTimestamp } from "../shared/src/verify/timestamp.ts";
import {
  type OpensslTsa,
  opensslTsVerify,
  startOpensslTsa,
  TEST_TSA_POLICY_OID,
} from "./support/openssl-tsa.ts";

let tsa: OpensslTsa;
let dir: string;
const manifest = new TextEncoder().encode(
  '{\n  "format": "logmaster-chunk/1",\n  "hotel_id": "grand-istanbul"\n}\n',
);

beforeAll(async () => {
  tsa = await startOpensslTsa();
  dir = mkdtempSync(join(tmpdir(), "timestamp-openssl-"));
});
afterAll(async () => {
  await tsa.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => tsa.reset());

function stamp(extra: Partial<RequestTimestampOptions> = {}): Promise<TimestampGrant> {
  return requestTimestamp({
    url: tsa.url,
    data: manifest,
    timeoutMs: 5_000,
    trustedCaPems: [tsa.pki.caPem],
    ...extra,
  });
}

async function failure(extra: Partial<RequestTimestampOptions> = {}): Promise<TimestampError> {
  try {
    await stamp(extra);
  } catch (error) {
    if (error instanceof TimestampError) return error;
    throw error;
  }
  throw new Error("the TSA's answer was accepted");
}

describe("a well-behaved TSA", () => {
  test("request + verify: the grant carries what the hub stores", async () => {
    const grant = await stamp({ policy: TEST_TSA_POLICY_OID });
    expect(grant.policy).toBe(TEST_TSA_POLICY_OID);
    expect(Math.abs(grant.genTime.getTime() - Date.now())).toBeLessThan(10_000);
    expect(grant.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(grant.rawBody).toBeUndefined();
    expect(grant.verification.checks.every((check) => check.ok)).toBe(true);
    // tsa-chain.pem: signer + intermediate; tsa-ca.pem: the root we trusted.
    expect(grant.chainPems).toHaveLength(2);
    expect(grant.trustAnchorPem.replace(/\s/g, "")).toBe(tsa.pki.caPem.replace(/\s/g, ""));
    expect(parseTimestampToken(grant.tsr).serialNumber).toBe(grant.serialNumber);
  });

  test("the stored .tsr verifies offline, with our verifier and with openssl", async () => {
    const grant = await stamp();
    const later = await verifyTimestampResponse({
      tsr: grant.tsr,
      data: manifest,
      trustedCaPems: [grant.trustAnchorPem],
      untrustedPems: [grant.chainPems.join("")],
    });
    expect(later.ok).toBe(true);
    writeFileSync(join(dir, "manifest.json"), manifest);
    writeFileSync(join(dir, "manifest.tsr"), grant.tsr);
    writeFileSync(join(dir, "tsa-ca.pem"), grant.trustAnchorPem);
    writeFileSync(join(dir, "tsa-chain.pem"), grant.chainPems.join(""));
    const openssl = await opensslTsVerify({
      data: join(dir, "manifest.json"),
      tsr: join(dir, "manifest.tsr"),
      caFile: join(dir, "tsa-ca.pem"),
      untrusted: join(dir, "tsa-chain.pem"),
    });
    expect(openssl.output).toContain("Verification: OK");
    // A TSA other than LogMaster's development TSA: a plain PASS in `logmaster verify`.
    const bundleCheck = await checkTimestamp(
      {
        tsr: grant.tsr,
        tsaChain: new TextEncoder().encode(grant.chainPems.join("")),
        tsaCa: new TextEncoder().encode(grant.trustAnchorPem),
      },
      manifest,
      { allowUnstamped: false },
    );
    expect(bundleCheck.check).toMatchObject({ name: "timestamp", status: "PASS" });
    expect(bundleCheck.check.code).toBeUndefined();
  });
});

describe("a TSA that answers wrongly is refused (permanent)", () => {
  test("wrong nonce: not the answer to our request", async () => {
    await tsa.set({ nonce: "other" });
    expect(await failure()).toMatchObject({ kind: "permanent", reason: "wrong_nonce" });
  });

  test("wrong imprint: a token about other bytes", async () => {
    await tsa.set({ imprint: "other" });
    expect(await failure()).toMatchObject({ kind: "permanent", reason: "imprint_mismatch" });
  });

  test.each(["no-eku", "non-critical-eku"] as const)(
    "signer certificate %s: not a TSA certificate (RFC 3161 §2.3)",
    async (signer) => {
      await tsa.set({ signer });
      const error = await failure();
      expect(error).toMatchObject({ kind: "permanent", reason: "signer_not_tsa" });
      const eku = error.details.verification?.checks.find((check) => check.name === "signer_eku");
      expect(eku?.detail).toContain(signer === "no-eku" ? "no extendedKeyUsage" : "not critical");
    },
  );

  test("a CA we do not trust", async () => {
    const error = await failure({ trustedCaPems: [tsa.pki.otherCaPem] });
    expect(error).toMatchObject({ kind: "permanent", reason: "untrusted_chain" });
  });

  test("a policy other than the one required", async () => {
    // openssl answers an unknown reqPolicy with a refusal.
    const error = await failure({ policy: "1.2.3.4.6" });
    expect(error.kind).toBe("permanent");
    expect(error.reason).toStartWith("status_rejected:");
  });
});

describe("a TSA that is down (transient: the hub retries)", () => {
  test("503, then back", async () => {
    await tsa.set({ down: "503" });
    expect(await failure()).toMatchObject({ kind: "transient", reason: "http_503" });
    await tsa.set({ down: false });
    expect((await stamp()).tsr.byteLength).toBeGreaterThan(0);
  });

  test("connection refused, then back on the same address", async () => {
    await tsa.set({ down: "refuse" });
    expect(await failure()).toMatchObject({ kind: "transient", reason: "network" });
    await tsa.set({ down: false });
    expect((await stamp()).tsr.byteLength).toBeGreaterThan(0);
  });

  test("too slow", async () => {
    await tsa.set({ delayMs: 400 });
    expect(await failure({ timeoutMs: 100 })).toMatchObject({
      kind: "transient",
      reason: "timeout",
    });
  });
});

describe("credentials reach the TSA", () => {
  test("basic auth header when configured, none otherwise", async () => {
    await stamp({ auth: { kind: "basic", username: "otel-zinciri", password: "şifre:1" } });
    const sent = tsa.requests.at(-1)?.headers.get("authorization");
    expect(sent).toBe(`Basic ${Buffer.from("otel-zinciri:şifre:1", "utf8").toString("base64")}`);
    await stamp();
    expect(tsa.requests.at(-1)?.headers.get("authorization")).toBeNull();
  });

  test("Kamu SM identity header over the request's digest", async () => {
    await stamp({ auth: { kind: "kamusm", customerId: 998877, password: "kamusm-parola" } });
    const request = tsa.requests.at(-1);
    const identity = request?.headers.get("identity");
    expect(identity).toBeString();
    expect(request?.headers.get("content-type")).toBe("application/timestamp-query");
    const decoded = decodeKamusmIdentity(identity as string, "kamusm-parola");
    expect(decoded.customerId).toBe(998877);
    const digest = new Bun.CryptoHasher("sha256").update(manifest).digest();
    expect(Buffer.from(decoded.hashedMessage).equals(digest)).toBe(true);
  });
});
