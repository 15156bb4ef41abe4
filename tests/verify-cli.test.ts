/**
 * `bun run logmaster verify` as an auditor runs it, on bundles made without
 * a hub (tests/support/bundles.ts): a good export passes every check with
 * exit 0, in text and JSON, except the time-stamp, which is the development
 * TSA's and so a WARN (no legal value); wrong arguments exit 2; a failing
 * check exits 1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEVELOPMENT_TSA_WARNING } from "../shared/src/timestamp/development-tsa.ts";
import { BUNDLE_CHECKS, BUNDLE_FILES, CHAIN_CHECKS } from "../shared/src/verify/index.ts";
import { type BundleRun, makeBundleRun, runCli } from "./support/bundles.ts";

let run: BundleRun;
let work: string;

beforeAll(async () => {
  run = await makeBundleRun();
  work = mkdtempSync(join(tmpdir(), "logmaster-verify-cli-"));
}, 60_000);

afterAll(() => {
  run?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The `STATUS  name  detail` of every check line of the text report. */
function checkLines(stdout: string): { status: string; name: string; detail: string }[] {
  return [...stdout.matchAll(/^ {2}(PASS|FAIL|WARN|SKIP) {2}(\w+) +(.*)$/gm)].map((match) => ({
    status: match[1] as string,
    name: match[2] as string,
    detail: match[3] as string,
  }));
}

/** The test bundles are stamped by the development TSA: their one warning says so. */
function onlyDevelopmentTsaWarnings(lines: { status: string; name: string; detail: string }[]) {
  const other = lines.filter((line) => line.status !== "PASS");
  expect(other.map((line) => `${line.status} ${line.name}`)).toEqual(
    other.map(() => "WARN timestamp"),
  );
  for (const line of other) expect(line.detail).toStartWith(DEVELOPMENT_TSA_WARNING);
  return other.length;
}

describe("a good run", () => {
  test("an export directory: every bundle below it, every check PASS but the development time-stamps, exit 0", async () => {
    const { exitCode, stdout, stderr } = await runCli(["verify", run.root]);
    expect(exitCode).toBe(0);
    const lines = checkLines(stdout);
    const perBundle = Object.keys(BUNDLE_CHECKS).length;
    expect(lines).toHaveLength(run.bundles.length * perBundle + Object.keys(CHAIN_CHECKS).length);
    expect(onlyDevelopmentTsaWarnings(lines)).toBe(run.bundles.length);
    for (const bundle of run.bundles)
      expect(stdout).toContain(`bundle ${bundle.dir} (chunk ${bundle.chunkId}`);
    expect(stdout).toMatch(
      /^VERDICT: PASS with warnings \(5 bundles, 1 chain: 52 PASS, 5 WARN\)$/m,
    );
    expect(stdout).toMatch(/^warned: .*: timestamp$/m);
    expect(stdout).toMatch(
      /^WARNING: 5 time-stamps are by LogMaster's built-in development TSA and have no legal value; configure TSA_URL with a qualified TSA \(e\.g\. Kamu SM\)$/m,
    );
    // Not a terminal: no progress bar.
    expect(stderr).not.toContain("\r");
  }, 30_000);

  test("consecutive bundles named one by one, one of them an early-sealed hour's two parts", async () => {
    const dirs = run.bundles.slice(1, 4).map((bundle) => bundle.dir);
    const { exitCode, stdout } = await runCli(["verify", ...dirs]);
    expect(exitCode).toBe(0);
    expect(onlyDevelopmentTsaWarnings(checkLines(stdout))).toBe(dirs.length);
    expect(stdout).toContain(`the chunk before ${run.bundles[1]?.chunkId} was not supplied`);
  }, 30_000);

  test("--json: one document with every check, the chain and the verdict", async () => {
    const { exitCode, stdout } = await runCli(["verify", run.root, "--json"]);
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      format: "logmaster-verify/1",
      verdict: "WARN",
      options: { allow_unstamped: false, at: null },
      counts: { PASS: 52, WARN: 5, FAIL: 0, SKIP: 0 },
      unchained: [],
    });
    expect(report.bundles.map((bundle: { chunk: string }) => bundle.chunk)).toEqual(
      run.bundles.map((bundle) => bundle.chunkId),
    );
    for (const bundle of report.bundles) {
      expect(bundle.checks.map((check: { name: string }) => check.name)).toEqual(
        Object.keys(BUNDLE_CHECKS),
      );
      expect(bundle.signing_time.source).toBe("timestamp");
      expect(bundle.verdict).toBe("WARN");
      for (const check of bundle.checks)
        expect(check).toMatchObject(
          check.name === "timestamp"
            ? {
                status: "WARN",
                code: "development_tsa",
                detail: expect.stringContaining("this time-stamp has no legal value"),
              }
            : { status: "PASS", detail: expect.any(String) },
        );
    }
    expect(report.chains).toHaveLength(1);
    expect(report.chains[0].agent_id).toBe(run.agent.agentId);
    expect(report.chains[0].checks.map((check: { status: string }) => check.status)).toEqual([
      "PASS",
      "PASS",
    ]);
  }, 30_000);
});

describe("options", () => {
  test("--at judges the certificate at another instant, and says so", async () => {
    const dir = run.bundles[0]?.dir as string;
    const before = new Date(run.firstHourMs - 3 * 24 * 3_600_000).toISOString();
    const { exitCode, stdout } = await runCli(["verify", dir, "--at", before]);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(
      /^ {2}FAIL {2}certificate_chain +agent\.pem was not valid at the signing time .* \(given with --at\)/m,
    );
  }, 30_000);

  test("a bundle without manifest.tsr fails, or warns with --allow-unstamped", async () => {
    const dir = join(work, "unstamped");
    cpSync(run.bundles[0]?.dir as string, dir, { recursive: true });
    rmSync(join(dir, BUNDLE_FILES.timestamp));
    const strict = await runCli(["verify", dir]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/^ {2}FAIL {2}timestamp +not time-stamped/m);
    const allowed = await runCli(["verify", dir, "--allow-unstamped"]);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toMatch(/^ {2}WARN {2}timestamp /m);
    // Without a token, the certificate is judged at the agent's created_at, and the report says so.
    expect(allowed.stdout).toContain(
      "(the manifest's created_at, the agent's own clock: no manifest.tsr)",
    );
    expect(allowed.stdout).toMatch(/^VERDICT: PASS with warnings/m);
  }, 30_000);
});

describe("wrong arguments exit 2 with the usage", () => {
  const cases: [string, string[], RegExp][] = [
    ["no bundle", ["verify"], /name at least one bundle directory/],
    ["a path that does not exist", ["verify", "/nonexistent/bundle"], /does not exist/],
    [
      "an --at that is no time",
      ["verify", "tests", "--at", "yesterday"],
      /--at must be an ISO 8601 time/,
    ],
    ["an unknown option", ["verify", "tests", "--fast"], /Unknown option '--fast'/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const { exitCode, stderr } = await runCli(args);
      expect(exitCode).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("Usage: logmaster verify");
    });
  }

  test("several directories that are not all bundles", async () => {
    const { exitCode, stderr } = await runCli(["verify", run.bundles[0]?.dir as string, run.root]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(`not a bundle (no manifest.json): ${run.root}`);
  });

  test("a directory with no bundle below it", async () => {
    const { exitCode, stderr } = await runCli(["verify", join(import.meta.dir, "support")]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain("holds no bundle below it");
  });
});
