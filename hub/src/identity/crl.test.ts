import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../../../shared/src/testing/run-process.ts";
import { createChainCa } from "./ca.ts";
import { buildChainCaCrl } from "./crl.ts";

async function openssl(args: string[], cwd: string) {
  const { exitCode, stdout, stderr } = await runProcess(["openssl", ...args], { cwd });
  return { code: exitCode, output: stdout + stderr };
}

describe("chain CA CRL", () => {
  const dir = mkdtempSync(join(tmpdir(), "logmaster-crl-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ca = createChainCa({ chainId: "test", keyBits: 2048 });
  const other = createChainCa({ chainId: "other", keyBits: 2048 });

  test("openssl crl -verify accepts it with the chain CA; it lists serials and times", async () => {
    const revokedAt = new Date("2026-11-20T10:11:12Z");
    const pem = await buildChainCaCrl(ca, [
      { serialHex: "0A1B2C3D4E5F", revokedAt },
      { serialHex: "0a1b2c3d4e5f", revokedAt }, // the same certificate twice: listed once
      {
        serialHex: "7f00000000000000000000000000000001",
        revokedAt: new Date("2026-11-21T00:00:00Z"),
      },
    ]);
    expect(pem).toStartWith("-----BEGIN X509 CRL-----\n");
    writeFileSync(join(dir, "chain-ca.crl.pem"), pem);
    writeFileSync(join(dir, "chain-ca.pem"), ca.certificatePem);
    writeFileSync(join(dir, "other-ca.pem"), other.certificatePem);
    const verified = await openssl(
      ["crl", "-in", "chain-ca.crl.pem", "-CAfile", "chain-ca.pem", "-noout", "-verify"],
      dir,
    );
    expect(verified.output).toContain("verify OK");
    const text = (await openssl(["crl", "-in", "chain-ca.crl.pem", "-noout", "-text"], dir)).output;
    expect(text.match(/Serial Number: 0A1B2C3D4E5F/g)?.length).toBe(1);
    expect(text).toContain("Revocation Date: Nov 20 10:11:12 2026 GMT");
    expect(text).toContain("7F00000000000000000000000000000001");
    expect(text).toContain("X509v3 CRL Number");
    expect(text).toContain("X509v3 Authority Key Identifier");
    const wrongCa = await openssl(
      ["crl", "-in", "chain-ca.crl.pem", "-CAfile", "other-ca.pem", "-noout", "-verify"],
      dir,
    );
    expect(wrongCa.output).not.toContain("verify OK");
  });

  test("an empty CRL is still a signed CRL", async () => {
    writeFileSync(join(dir, "empty.crl.pem"), await buildChainCaCrl(ca, []));
    writeFileSync(join(dir, "chain-ca.pem"), ca.certificatePem);
    const verified = await openssl(
      ["crl", "-in", "empty.crl.pem", "-CAfile", "chain-ca.pem", "-noout", "-verify"],
      dir,
    );
    expect(verified.output).toContain("verify OK");
    expect(
      (await openssl(["crl", "-in", "empty.crl.pem", "-noout", "-text"], dir)).output,
    ).toContain("No Revoked Certificates");
  });
});
