import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEVELOPMENT_TSA_WARNING } from "../timestamp/development-tsa.ts";
import { BundleLocationError, findBundleDirs, resolveBundleDirs } from "./bundle.ts";
import { type Check, fail, pass, skip, verdictOf, warn } from "./checks.ts";
import { createProgressBar } from "./progress.ts";
import { renderReport, reportJson } from "./report.ts";
import type { VerifyReport } from "./verify.ts";

const report: VerifyReport = {
  bundles: [
    {
      dir: "export/a1/2026-11-22T08",
      chunk: "2026-11-22T08",
      agentId: "a1",
      signingTime: { at: new Date("2026-11-22T09:00:01.000Z"), source: "timestamp" },
      checks: [
        pass("manifest", "chunk 2026-11-22T08 of agent a1"),
        fail("records_match", "records_sha256: ..."),
      ],
      verdict: "FAIL",
    },
    {
      dir: "export/bad",
      chunk: undefined,
      agentId: undefined,
      signingTime: undefined,
      checks: [
        fail("manifest", "manifest.json is missing"),
        skip("manifest_canonical", "needs manifest.json's fields"),
      ],
      verdict: "FAIL",
    },
  ],
  chains: [
    {
      agentId: "a1",
      chunks: ["2026-11-22T08"],
      dirs: ["export/a1/2026-11-22T08"],
      checks: [pass("hash_chain", "chunk 2026-11-22T08"), warn("completeness", "hour continues")],
    },
  ],
  unchained: ["export/bad"],
  day: undefined,
  verdict: "FAIL",
  counts: { PASS: 2, WARN: 1, FAIL: 2, SKIP: 1 },
};

describe("verdictOf", () => {
  test("FAIL over WARN over PASS; SKIP does not count", () => {
    const checks: Check[] = [pass("manifest", ""), skip("signature", "")];
    expect(verdictOf(checks)).toBe("PASS");
    expect(verdictOf([...checks, warn("revocation", "")])).toBe("WARN");
    expect(verdictOf([...checks, warn("revocation", ""), fail("timestamp", "")])).toBe("FAIL");
  });
});

describe("renderReport", () => {
  test("one line per check, the signing time, the verdict and what failed", () => {
    const text = renderReport(report);
    expect(text).toContain(
      "bundle export/a1/2026-11-22T08 (chunk 2026-11-22T08 of agent a1)\n  PASS  manifest            chunk 2026-11-22T08 of agent a1\n  FAIL  records_match       records_sha256: ...\n  signing time: 2026-11-22T09:00:01.000Z (the time-stamp's genTime)\n  => FAIL\n",
    );
    expect(text).toContain("bundle export/bad (manifest unreadable)");
    expect(text).toContain("chain of agent a1: 2026-11-22T08\n  PASS  hash_chain");
    expect(text).toContain("not in any chain (manifest unreadable): export/bad");
    expect(text).toContain(
      "VERDICT: FAIL (2 bundles, 1 chain: 2 PASS, 1 WARN, 2 FAIL, 1 SKIP)\nfailed: export/a1/2026-11-22T08: records_match; export/bad: manifest\nwarned: chain of agent a1: completeness\n",
    );
  });
});

describe("development time-stamps", () => {
  const stamped = (dir: string) => ({
    dir,
    chunk: "2026-11-22T08",
    agentId: "a1",
    signingTime: { at: new Date("2026-11-22T09:00:01.000Z"), source: "timestamp" as const },
    checks: [
      pass("manifest", "chunk 2026-11-22T08 of agent a1"),
      warn("timestamp", `${DEVELOPMENT_TSA_WARNING}; genTime ...`, "development_tsa"),
    ],
    verdict: "WARN" as const,
  });
  const development: VerifyReport = {
    bundles: [stamped("export/a1/2026-11-22T08")],
    chains: [],
    unchained: [],
    day: {
      dir: "export",
      day: "2026-11-22",
      hotelId: "h1",
      signingTime: undefined,
      checks: [warn("day_timestamp", DEVELOPMENT_TSA_WARNING, "development_tsa")],
      verdict: "WARN",
    },
    verdict: "WARN",
    counts: { PASS: 1, WARN: 2, FAIL: 0, SKIP: 0 },
  };

  test("never a plain PASS: the verdict warns, names where, and says they have no legal value", () => {
    const text = renderReport(development);
    expect(text).toContain(`  WARN  timestamp           ${DEVELOPMENT_TSA_WARNING}; genTime ...\n`);
    expect(text).toContain("  => PASS with warnings\n");
    expect(text).toEndWith(
      [
        "VERDICT: PASS with warnings (1 bundle, 0 chains, 1 day roll-up: 1 PASS, 2 WARN)",
        "warned: export/a1/2026-11-22T08: timestamp; day roll-up export: day_timestamp",
        "WARNING: 2 time-stamps are by LogMaster's built-in development TSA and have no legal value; configure TSA_URL with a qualified TSA (e.g. Kamu SM)",
        "",
      ].join("\n"),
    );
    expect(renderReport(report)).not.toContain("no legal value");
  });

  test("in JSON: verdict WARN, and the checks carry code development_tsa", () => {
    expect(reportJson(development)).toMatchObject({
      verdict: "WARN",
      bundles: [
        {
          verdict: "WARN",
          checks: [
            { name: "manifest", status: "PASS" },
            {
              name: "timestamp",
              status: "WARN",
              code: "development_tsa",
              detail: expect.stringContaining("no legal value"),
            },
          ],
        },
      ],
      day: { checks: [{ name: "day_timestamp", status: "WARN", code: "development_tsa" }] },
    });
    const [manifestCheck] =
      (reportJson(development) as { bundles: { checks: object[] }[] }).bundles[0]?.checks ?? [];
    expect(manifestCheck).not.toHaveProperty("code");
  });
});

describe("a day export's roll-up", () => {
  const withDay: VerifyReport = {
    ...report,
    day: {
      dir: "export",
      day: "2026-11-22",
      hotelId: "h1",
      signingTime: { at: new Date("2026-11-23T00:05:01.000Z"), source: "timestamp" },
      checks: [
        pass("day_manifest", "hotel h1, UTC day 2026-11-22"),
        fail("day_coverage", "listed but not in the export: a1/2026-11-22T09"),
      ],
      verdict: "FAIL",
    },
  };

  test("its own section, counted in the summary and named among the failures", () => {
    const text = renderReport(withDay);
    expect(text).toContain(
      "day roll-up export (hotel h1, UTC day 2026-11-22)\n  PASS  day_manifest        hotel h1, UTC day 2026-11-22\n  FAIL  day_coverage        listed but not in the export: a1/2026-11-22T09\n  signing time: 2026-11-23T00:05:01.000Z (the time-stamp's genTime)\n  => FAIL\n",
    );
    expect(text).toContain("(2 bundles, 1 chain, 1 day roll-up: ");
    expect(text).toContain("; day roll-up export: day_coverage\n");
  });

  test("in JSON under day (null without one)", () => {
    expect((reportJson(report) as { day: unknown }).day).toBeNull();
    expect(reportJson(withDay)).toMatchObject({
      day: {
        dir: "export",
        hotel_id: "h1",
        day: "2026-11-22",
        verdict: "FAIL",
        signing_time: { at: "2026-11-23T00:05:01.000Z", source: "timestamp" },
      },
    });
  });
});

describe("reportJson", () => {
  test("snake_case, checks as they are", () => {
    const json = reportJson(report, {
      allowUnstamped: true,
      at: new Date("2026-11-22T10:00:00Z"),
    }) as Record<string, unknown>;
    expect(json).toMatchObject({
      format: "logmaster-verify/1",
      verdict: "FAIL",
      options: { allow_unstamped: true, at: "2026-11-22T10:00:00.000Z" },
      bundles: [
        {
          dir: "export/a1/2026-11-22T08",
          chunk: "2026-11-22T08",
          agent_id: "a1",
          signing_time: { at: "2026-11-22T09:00:01.000Z", source: "timestamp" },
        },
        { chunk: null, agent_id: null, signing_time: null },
      ],
      chains: [{ agent_id: "a1", chunks: ["2026-11-22T08"] }],
      unchained: ["export/bad"],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe("createProgressBar", () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, isTTY, columns: 80, write: (text: string) => written.push(text) };
  };

  test("draws on a terminal, at most every interval, and clears", () => {
    let now = 0;
    const out = stream(true);
    const bar = createProgressBar(out, { minTotalBytes: 100, intervalMs: 100, now: () => now });
    bar.update("bundle", 10, 1000);
    bar.update("bundle", 20, 1000); // too soon
    now = 150;
    bar.update("bundle", 500, 1000);
    bar.clear();
    expect(out.written).toHaveLength(3);
    const ERASE_LINE = "\r\x1b[2K";
    expect(out.written[1]?.startsWith(ERASE_LINE)).toBe(true);
    expect(out.written[1]?.slice(ERASE_LINE.length)).toMatch(
      /^bundle \[#+\.+\] 0\.0\/0\.0 MiB 50%$/,
    );
    expect(out.written[2]).toBe("\r\x1b[2K");
  });

  test("draws nothing when not a terminal, or for small files", () => {
    const pipe = stream(false);
    createProgressBar(pipe).update("bundle", 1, 1 << 30);
    const small = stream(true);
    createProgressBar(small).update("bundle", 1, 1000);
    expect([...pipe.written, ...small.written]).toEqual([]);
  });
});

describe("resolveBundleDirs", () => {
  test("one directory with bundles below it, at any depth, in path order", () => {
    const root = mkdtempSync(join(tmpdir(), "verify-find-"));
    try {
      for (const dir of ["a1/2026-11-22T09", "a1/2026-11-22T08", "deeper/a2/2026-11-22T08"]) {
        mkdirSync(join(root, dir), { recursive: true });
        writeFileSync(join(root, dir, "manifest.json"), "{}");
      }
      mkdirSync(join(root, "empty"));
      const expected = ["a1/2026-11-22T08", "a1/2026-11-22T09", "deeper/a2/2026-11-22T08"].map(
        (d) => join(root, d),
      );
      expect(findBundleDirs(root)).toEqual(expected);
      expect(resolveBundleDirs([root])).toEqual({ dirs: expected, discovered: true });
      expect(resolveBundleDirs(expected.slice(0, 2))).toEqual({
        dirs: expected.slice(0, 2),
        discovered: false,
      });
      expect(() => resolveBundleDirs([join(root, "empty")])).toThrow(BundleLocationError);
      expect(() => resolveBundleDirs([expected[0] as string, root])).toThrow(/not a bundle/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
