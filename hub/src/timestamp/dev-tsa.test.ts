import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certificatesFromPems } from "../../../shared/src/timestamp/der.ts";
import { certificatePolicyOids } from "../../../shared/src/timestamp/development-tsa.ts";
import {
  buildTimestampRequest,
  parseTimestampToken,
  readTimestampResponse,
  timestampSignerProblem,
  verifyTimestampResponse,
} from "../../../shared/src/timestamp/index.ts";
import {
  DEV_TSA_FILES,
  DEV_TSA_POLICY_NOTICE,
  DEV_TSA_POLICY_OID,
  DEV_TSA_SIGNER_NAME,
  type DevTsa,
  loadOrCreateDevTsa,
} from "./index.ts";

let root: string;
let dir: string;
let tsa: DevTsa;
const data = new TextEncoder().encode('{"format": "logmaster-chunk/1"}\n');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dev-tsa-"));
  dir = join(root, "tsa");
  tsa = await loadOrCreateDevTsa(dir, { keyBits: 2048 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  tsa.handler(
    new Request("http://hub/tsa", {
      method: "POST",
      body,
      headers: { "content-type": "application/timestamp-query", ...headers },
    }),
  );

describe("the files", () => {
  test("key 0600 in a 0700 directory, CA key not kept, same TSA on reload", async () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, DEV_TSA_FILES.signerKey)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateDevTsa(dir);
    expect(again.caPem).toBe(tsa.caPem);
    expect(again.signerPem).toBe(tsa.signerPem);
  });

  test("the signer is a TSA certificate that says it has no legal value", () => {
    const [signer] = certificatesFromPems([tsa.signerPem]);
    expect(signer && timestampSignerProblem(signer)).toBeUndefined();
    expect(tsa.signerPem).not.toBe(tsa.caPem);
    const text = Bun.spawnSync(
      ["openssl", "x509", "-noout", "-subject", "-ext", "extendedKeyUsage"],
      {
        stdin: new TextEncoder().encode(tsa.signerPem),
      },
    ).stdout.toString();
    expect(text).toContain(DEV_TSA_SIGNER_NAME);
    expect(text).toContain("X509v3 Extended Key Usage: critical\n    Time Stamping");
  });

  test("the signer names the development policy in certificatePolicies, the marker verifiers read", () => {
    const [signer] = certificatesFromPems([tsa.signerPem]);
    if (!signer) throw new Error("no signer certificate");
    expect(certificatePolicyOids(signer)).toEqual([DEV_TSA_POLICY_OID]);
    const text = Bun.spawnSync(["openssl", "x509", "-noout", "-ext", "certificatePolicies"], {
      stdin: new TextEncoder().encode(tsa.signerPem),
    }).stdout.toString();
    expect(text).toContain(`Policy: ${DEV_TSA_POLICY_OID}`);
    expect(text).toContain(`Explicit Text: ${DEV_TSA_POLICY_NOTICE}`);
  });

  test("a half-made directory is reported, not silently replaced", async () => {
    const broken = join(root, "broken");
    await loadOrCreateDevTsa(broken, { keyBits: 2048 });
    unlinkSync(join(broken, DEV_TSA_FILES.signerKey));
    await expect(loadOrCreateDevTsa(broken)).rejects.toThrow(`but not ${DEV_TSA_FILES.signerKey}`);
  });
});

describe("respond", () => {
  test("stamps under the development policy, echoing the nonce", async () => {
    const request = buildTimestampRequest({ data });
    const info = parseTimestampToken(await tsa.respond(request.der));
    expect(info.policy).toBe(DEV_TSA_POLICY_OID);
    expect(info.nonce).toBe(request.nonce);
    expect(info.accuracyMs).toBe(1000);
    expect(info.tsaName).toContain(DEV_TSA_SIGNER_NAME);
    expect(Math.abs(info.genTime.getTime() - Date.now())).toBeLessThan(5000);
  });

  test("without certReq the token carries no certificate; the chain file supplies it", async () => {
    const request = buildTimestampRequest({ data, certReq: false });
    const tsr = await tsa.respond(request.der);
    const trustedCaPems = [tsa.caPem];
    const bare = await verifyTimestampResponse({ tsr, data, trustedCaPems });
    expect(bare).toMatchObject({ ok: false, reason: "signer_certificate_missing" });
    const withChain = await verifyTimestampResponse({
      tsr,
      data,
      trustedCaPems,
      untrustedPems: [tsa.signerPem],
    });
    expect(withChain.ok).toBe(true);
  });

  test("the chain is judged at genTime, not today", async () => {
    // A token dated before the signer certificate existed must not verify, even though the
    // certificate is valid now; conversely, tokens stay valid after the certificate expires.
    const tsr = await tsa.respond(
      buildTimestampRequest({ data }).der,
      new Date("2001-01-01T00:00:00Z"),
    );
    const result = await verifyTimestampResponse({ tsr, data, trustedCaPems: [tsa.caPem] });
    expect(result).toMatchObject({ ok: false, reason: "untrusted_chain" });
    expect(result.checks.find((check) => check.name === "chain")?.detail).toContain(
      "at 2001-01-01T00:00:00.000Z",
    );
  });

  test.each([
    ["not DER at all", () => new Uint8Array([1, 2, 3]), "badDataFormat"],
    [
      "another policy",
      () => buildTimestampRequest({ data, reqPolicy: "1.2.3.4" }).der,
      "unacceptedPolicy",
    ],
  ] as const)("refuses %s with a rejection response", async (_name, query, failure) => {
    const { status, token } = readTimestampResponse(await tsa.respond(query()));
    expect(status).toMatchObject({ status: 2, failInfo: [failure] });
    expect(token).toBeUndefined();
  });

  test("refuses a SHA-1 imprint (badAlg)", async () => {
    writeFileSync(join(root, "data"), data);
    const query = Bun.spawnSync(
      ["openssl", "ts", "-query", "-data", join(root, "data"), "-sha1", "-cert"],
      { stdout: "pipe" },
    ).stdout;
    const { status } = readTimestampResponse(await tsa.respond(new Uint8Array(query)));
    expect(status).toMatchObject({ status: 2, failInfo: ["badAlg"] });
  });
});

describe("handler (HTTP, RFC 3161 §3.4)", () => {
  test("answers a query with application/timestamp-reply", async () => {
    const response = await post(buildTimestampRequest({ data }).der);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/timestamp-reply");
    expect(readTimestampResponse(new Uint8Array(await response.arrayBuffer())).status.status).toBe(
      0,
    );
  });

  test("refuses other methods, types and sizes at the HTTP level", async () => {
    expect((await tsa.handler(new Request("http://hub/tsa"))).status).toBe(405);
    expect((await post("x", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post(new Uint8Array(64 * 1024))).status).toBe(413);
  });
});
