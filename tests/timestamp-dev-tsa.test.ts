/**
 * The hub's development TSA, end to end over HTTP: what it issues verifies
 * with our verifier and with the auditor's `openssl ts -verify`, using the
 * files it keeps (`dev-tsa-ca.pem`, `dev-tsa-signer.pem`), and any change to
 * the data or the token is caught by both.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_TSA_FILES, type DevTsa, loadOrCreateDevTsa } from "../hub/src/timestamp/index.ts";
import { hexOf } from "../shared/src/timestamp/der.ts";
import {
  readTimestampResponse,
  requestTimestamp,
  type TimestampGrant,
  verifyTimestampResponse,
} from "../shared/src/timestamp/index.ts";
import { decodeToken } from "../shared/src/timestamp/response.ts";
import { opensslTsVerify } from "./support/openssl-tsa.ts";

let dir: string;
let tsaDir: string;
let tsa: DevTsa;
let server: ReturnType<typeof Bun.serve>;
let grant: TimestampGrant;
const manifest = new TextEncoder().encode(
  '{\n  "format": "logmaster-chunk/1",\n  "hotel_id": "grand-antalya"\n}\n',
);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "timestamp-dev-tsa-"));
  tsaDir = join(dir, "dev-tsa");
  tsa = await loadOrCreateDevTsa(tsaDir, { keyBits: 2048 });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: tsa.handler });
  grant = await requestTimestamp({
    url: `http://127.0.0.1:${server.port}/tsa`,
    data: manifest,
    timeoutMs: 5_000,
    trustedCaPems: [tsa.caPem],
  });
  writeFileSync(join(dir, "manifest.json"), manifest);
  writeFileSync(join(dir, "manifest.tsr"), grant.tsr);
});
afterAll(async () => {
  await server.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

/** The auditor's command, with the dev TSA's own files as -CAfile and -untrusted. */
function auditorVerify(data = "manifest.json", tsr = "manifest.tsr") {
  return opensslTsVerify({
    data: join(dir, data),
    tsr: join(dir, tsr),
    caFile: join(tsaDir, DEV_TSA_FILES.caCertificate),
    untrusted: join(tsaDir, DEV_TSA_FILES.signerCertificate),
  });
}

describe("a dev TSA token", () => {
  test("verifies with our verifier", async () => {
    expect(grant.policy).toBe(tsa.policy);
    const result = await verifyTimestampResponse({
      tsr: grant.tsr,
      data: manifest,
      trustedCaPems: [tsa.caPem],
      untrustedPems: [tsa.signerPem],
      expectedPolicy: tsa.policy,
    });
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.name)).toEqual([
      "response_format",
      "status",
      "token_format",
      "imprint_algorithm",
      "imprint",
      "policy",
      "signer_certificate",
      "signer_eku",
      "signer_cert_id",
      "signature",
      "chain",
      "gen_time",
    ]);
  });

  test("verifies with `openssl ts -verify -CAfile dev-tsa-ca.pem -untrusted dev-tsa-signer.pem`", async () => {
    const result = await auditorVerify();
    expect(result.output).toContain("Verification: OK");
    expect(result.ok).toBe(true);
  });

  test("the in-process fetch (zero-setup mode, no socket) gives the same kind of token", async () => {
    const inProcess = await requestTimestamp({
      url: "http://dev-tsa.invalid/tsa",
      fetchImpl: tsa.fetch,
      data: manifest,
      timeoutMs: 5_000,
      trustedCaPems: [tsa.caPem],
    });
    expect(inProcess.policy).toBe(grant.policy);
    expect(inProcess.serialNumber).not.toBe(grant.serialNumber);
  });
});

describe("tampering is caught", () => {
  test("changed data: imprint_mismatch, and openssl fails", async () => {
    const changed = new TextEncoder().encode(
      new TextDecoder().decode(manifest).replace("antalya", "ankara!"),
    );
    const result = await verifyTimestampResponse({
      tsr: grant.tsr,
      data: changed,
      trustedCaPems: [tsa.caPem],
    });
    expect(result).toMatchObject({ ok: false, reason: "imprint_mismatch" });
    writeFileSync(join(dir, "changed.json"), changed);
    const openssl = await auditorVerify("changed.json");
    expect(openssl.ok).toBe(false);
    expect(openssl.output).toContain("message imprint mismatch");
  });

  test("a changed token (serial number edited): bad_signature, and openssl fails", async () => {
    const { token } = readTimestampResponse(grant.tsr);
    const serial = Buffer.from(
      new Uint8Array(
        decodeToken(token as NonNullable<typeof token>).tstInfo.serialNumber.valueBlock
          .valueHexView,
      ),
    );
    const at = Buffer.from(grant.tsr).indexOf(serial);
    expect(hexOf(serial)).toContain(grant.serialNumber);
    const edited = new Uint8Array(grant.tsr);
    edited[at + serial.length - 1] = (edited[at + serial.length - 1] ?? 0) ^ 0x01;
    const result = await verifyTimestampResponse({
      tsr: edited,
      data: manifest,
      trustedCaPems: [tsa.caPem],
    });
    expect(result).toMatchObject({ ok: false, reason: "bad_signature" });
    writeFileSync(join(dir, "edited.tsr"), edited);
    expect((await auditorVerify("manifest.json", "edited.tsr")).ok).toBe(false);
  });

  test("another policy than required: wrong_policy", async () => {
    const result = await verifyTimestampResponse({
      tsr: grant.tsr,
      data: manifest,
      trustedCaPems: [tsa.caPem],
      expectedPolicy: "1.3.6.1.4.1.99999.1",
    });
    expect(result).toMatchObject({ ok: false, reason: "wrong_policy" });
  });

  test("trusting the signer certificate instead of its CA is refused with a hint", async () => {
    const result = await verifyTimestampResponse({
      tsr: grant.tsr,
      data: manifest,
      trustedCaPems: [tsa.signerPem],
    });
    expect(result).toMatchObject({ ok: false, reason: "untrusted_chain" });
    expect(result.checks.find((check) => check.name === "chain")?.detail).toContain(
      "trust the CA that issued it instead",
    );
  });
});

describe("a TSA that answers with a bare token", () => {
  test("is wrapped into a TimeStampResp openssl reads; the body is kept as received", async () => {
    // Some services (and the files some Kamu SM clients save) are the token alone.
    const bareTokenTsa = async (input: string, init: RequestInit) => {
      const response = await tsa.fetch(input, init);
      const { token } = readTimestampResponse(new Uint8Array(await response.arrayBuffer()));
      const tokenDer = new Uint8Array((token as NonNullable<typeof token>).toSchema().toBER());
      return new Response(tokenDer, { headers: { "content-type": "application/timestamp-reply" } });
    };
    const wrapped = await requestTimestamp({
      url: "http://bare-token.invalid/",
      fetchImpl: bareTokenTsa,
      data: manifest,
      timeoutMs: 5_000,
      trustedCaPems: [tsa.caPem],
    });
    expect(wrapped.rawBody).toBeInstanceOf(Uint8Array);
    expect(wrapped.tsr.byteLength).toBeGreaterThan(wrapped.rawBody?.byteLength ?? 0);
    writeFileSync(join(dir, "wrapped.tsr"), wrapped.tsr);
    copyFileSync(join(dir, "manifest.json"), join(dir, "wrapped.json"));
    expect((await auditorVerify("wrapped.json", "wrapped.tsr")).ok).toBe(true);
  });
});
