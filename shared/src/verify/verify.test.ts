import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BundleRun, makeBundleRun } from "../../../tests/support/bundles.ts";
import { BUNDLE_CHECKS } from "./checks.ts";
import { verifyBundle, verifyBundles } from "./verify.ts";

let run: BundleRun;
let work: string;
beforeAll(async () => {
  run = await makeBundleRun({ stamp: false });
  work = mkdtempSync(join(tmpdir(), "verify-bundle-"));
}, 60_000);
afterAll(() => {
  run?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function copyOfFirst(name: string): string {
  const dir = join(work, name);
  cpSync(run.bundles[0]?.dir as string, dir, { recursive: true });
  return dir;
}

describe("verifyBundle", () => {
  test("reports every check, in order, and never throws for a bad bundle", async () => {
    const dir = copyOfFirst("far-future");
    const path = join(dir, "manifest.json");
    // created_at in year 3026: still a valid manifest field (the signature no longer holds).
    writeFileSync(path, readFileSync(path, "utf8").replace(/"created_at": "2/, '"created_at": "3'));
    const { report } = await verifyBundle(dir, { allowUnstamped: true });
    expect(report.checks.map((check) => check.name)).toEqual(
      Object.keys(BUNDLE_CHECKS) as (keyof typeof BUNDLE_CHECKS)[],
    );
    expect(report.signingTime?.at.getUTCFullYear()).toBe(3026);
    expect(report.checks.find((check) => check.name === "signature")?.status).toBe("FAIL");
    expect(report.checks.find((check) => check.name === "certificate_chain")?.status).toBe("FAIL");
  });

  test("without a time-stamp the certificate is judged at created_at; --at overrides both", async () => {
    const dir = run.bundles[0]?.dir as string;
    const unstamped = await verifyBundle(dir, { allowUnstamped: true });
    expect(unstamped.report.signingTime).toMatchObject({
      source: "created_at",
      reason: "no manifest.tsr",
    });
    expect(unstamped.report.verdict).toBe("WARN");
    const at = new Date("2020-01-01T00:00:00Z");
    const judged = await verifyBundle(dir, { allowUnstamped: true, at });
    expect(judged.report.signingTime).toEqual({ at, source: "option" });
    expect(judged.report.verdict).toBe("FAIL");
  });

  test("a file that cannot be read is its check's failure", async () => {
    const dir = copyOfFirst("unreadable");
    rmSync(join(dir, "chain-ca.crl.pem"));
    mkdirSync(join(dir, "chain-ca.crl.pem"));
    const { report } = await verifyBundle(dir, { allowUnstamped: true });
    expect(report.checks.find((check) => check.name === "revocation")).toMatchObject({
      status: "FAIL",
      detail: "chain-ca.crl.pem cannot be read: it is not a file",
    });
  });
});

describe("verifyBundles", () => {
  test("bundles whose manifest cannot be read are left out of the chain, and listed", async () => {
    const dir = copyOfFirst("no-manifest");
    rmSync(join(dir, "manifest.json"));
    const report = await verifyBundles([dir, ...run.bundles.slice(1).map((b) => b.dir)], {
      allowUnstamped: true,
    });
    expect(report.unchained).toEqual([dir]);
    expect(report.chains[0]?.chunks).toHaveLength(run.bundles.length - 1);
    expect(report.verdict).toBe("FAIL");
    expect(report.counts.FAIL).toBeGreaterThan(0);
  });
});
