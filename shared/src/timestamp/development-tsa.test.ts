import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type * as pkijs from "pkijs";
import { testDevTsa } from "../../../tests/support/bundles.ts";
import {
  type OpensslTsa,
  startOpensslTsa,
  TEST_TSA_POLICY_OID,
} from "../../../tests/support/openssl-tsa.ts";
import { certificatesFromPems } from "./der.ts";
import {
  certificatePolicyOids,
  DEVELOPMENT_TSA_POLICY_OID,
  developmentTimestampsSummary,
  isDevelopmentTimestamp,
} from "./development-tsa.ts";

let devSigner: pkijs.Certificate;
let devRoot: pkijs.Certificate;
let otherTsa: OpensslTsa;
let otherChain: pkijs.Certificate[];

beforeAll(async () => {
  const [devTsa, openssl] = await Promise.all([testDevTsa(), startOpensslTsa()]);
  [devSigner, devRoot] = certificatesFromPems([devTsa.signerPem, devTsa.caPem]) as [
    pkijs.Certificate,
    pkijs.Certificate,
  ];
  otherTsa = openssl;
  otherChain = certificatesFromPems([otherTsa.pki.chainPem, otherTsa.pki.caPem]);
}, 60_000);
afterAll(() => otherTsa?.stop());

describe("isDevelopmentTimestamp", () => {
  test("the development policy in the token: every development token, whatever its certificates", () => {
    // The development root carries no marker, like signers made before the marker was added.
    expect(certificatePolicyOids(devRoot)).toEqual([]);
    expect(isDevelopmentTimestamp(DEVELOPMENT_TSA_POLICY_OID, [devRoot])).toBe(true);
    expect(isDevelopmentTimestamp(DEVELOPMENT_TSA_POLICY_OID, otherChain)).toBe(true);
  });

  test("the marker in a chain certificate: a development key is caught under any policy", () => {
    expect(isDevelopmentTimestamp("1.2.3.4.5", [devSigner, devRoot])).toBe(true);
  });

  test("another TSA under its own policy: not the development TSA, whatever its names say", () => {
    expect(isDevelopmentTimestamp(TEST_TSA_POLICY_OID, otherChain)).toBe(false);
    expect(isDevelopmentTimestamp(TEST_TSA_POLICY_OID, [devRoot])).toBe(false);
  });
});

test("developmentTimestampsSummary: one sentence, singular or plural", () => {
  expect(developmentTimestampsSummary(1)).toBe(
    "1 time-stamp is by LogMaster's built-in development TSA and has no legal value; configure TSA_URL with a qualified TSA (e.g. Kamu SM)",
  );
  expect(developmentTimestampsSummary(3)).toStartWith("3 time-stamps are by ");
  expect(developmentTimestampsSummary(3)).toContain(" and have no legal value; ");
});
