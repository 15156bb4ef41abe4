/**
 * A day export end to end: a real agent (its clock set to a past UTC day)
 * sends two hours to a real hub on PostgreSQL; the hub verifies, time-stamps
 * and exports the day with its signed, time-stamped roll-up; `logmaster
 * verify` checks the roll-up against the bundles. Then what only the roll-up
 * can show: the day's last chunk removed from the export (the hash chain
 * cannot see that), a changed roll-up, a roll-up without its time-stamp.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningAgent, startAgent } from "../agent/src/agent.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import { DEVELOPMENT_TSA_WARNING } from "../shared/src/timestamp/development-tsa.ts";
import { runCli } from "./support/bundles.ts";
import {
  offerDatagrams,
  startTestHub,
  type TestHub,
  tempDir,
  waitFor,
} from "./support/pipeline.ts";
import { filesBelow, runInBash, shellBlocks } from "./support/verify-md.ts";

interface JsonCheck {
  name: string;
  status: string;
  detail: string;
  code?: string;
}
interface JsonReport {
  verdict: string;
  bundles: { checks: JsonCheck[] }[];
  chains: { checks: JsonCheck[] }[];
  day: { day: string; hotel_id: string; checks: JsonCheck[] } | null;
}

const DAY = "2026-11-01";
const HOUR_US = 3_600_000_000;
const DAY_START_US = Date.parse(`${DAY}T00:00:00Z`) * 1000;

let testHub: TestHub;
let agent: RunningAgent | undefined;
const agentDir = tempDir("day-agent");
const exportDir = tempDir("day-export");
const scratch = tempDir("day-tampered");

async function verifyJson(dir: string): Promise<{ exitCode: number; report: JsonReport }> {
  const { exitCode, stdout, stderr } = await runCli(["verify", dir, "--json"]);
  if (!stdout) throw new Error(`verify printed nothing: ${stderr}`);
  return { exitCode, report: JSON.parse(stdout) as JsonReport };
}

function dayCheck(report: JsonReport, name: string): JsonCheck | undefined {
  return report.day?.checks.find((check) => check.name === name);
}

/** A copy of the export to change. */
function copyOfExport(name: string): string {
  const dir = join(scratch.path, name);
  cpSync(exportDir.path, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  testHub = await startTestHub();
  const { hub } = testHub;
  await hub.admin.addHotel({ name: "Otel Gün", id: "otel-gun" });
  const { token } = await hub.admin.createToken({
    hotel: "otel-gun",
    ttl_ms: 60_000,
    actor: "cli:test",
  });
  await enrollAgent({ token, dataDir: agentDir.path, hub: hub.ingestUrl });
  let nowUs = DAY_START_US + 10 * HOUR_US + 1_000_000; // 10:00:01 on DAY
  agent = await startAgent(
    {
      dataDir: agentDir.path,
      udp: { listen: "127.0.0.1:0" },
      tcp: { listen: [] },
      status: { listen: "127.0.0.1:0" },
      wal: { fsyncIntervalMs: 10 },
      hub: { url: hub.ingestUrl, batchMaxDelayMs: 50, retryBaseMs: 20, retryMaxMs: 200 },
    },
    { nowUs: () => nowUs, log: () => {} },
  );
  const running = agent;
  await offerDatagrams(running.udpPort, 30, 1000);
  await waitFor("30 received", () => running.status().receive.received === 30);
  nowUs = DAY_START_US + 11 * HOUR_US + 1_000_000; // 11:00:01: the next datagrams are hour 11's
  await offerDatagrams(running.udpPort, 20, 1000, 30);
  await waitFor("50 received", () => running.status().receive.received === 50);
  // Exactly 12:00: seals hours 10 and 11 whole (an early seal at 12:00:00 splits nothing).
  nowUs = DAY_START_US + 12 * HOUR_US;
  expect((await running.seal()).sealed).toEqual([`${DAY}T10`, `${DAY}T11`]);
  await waitFor(
    "both hours verified and time-stamped at the hub",
    async () => {
      const chunks = (await hub.admin.listChunks({ limit: 10 })).filter(
        (chunk) => chunk.hotel_id === "otel-gun",
      );
      return (
        chunks.length >= 2 &&
        chunks.every((chunk) => chunk.status === "verified" && chunk.timestamp === "timestamped")
      );
    },
    60_000,
  );
  await hub.admin.exportBundle(
    { hotel: "otel-gun", day: DAY, actor: "cli:test-auditor" },
    exportDir.path,
  );
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await testHub?.destroy();
  for (const dir of [agentDir, exportDir, scratch]) dir.remove();
});

describe("logmaster verify on a day export", () => {
  test("the roll-up verifies: hub signature, time-stamp, exactly the chunks it lists", async () => {
    const { exitCode, report } = await verifyJson(exportDir.path);
    expect(report.day).toMatchObject({ day: DAY, hotel_id: "otel-gun" });
    // The development TSA stamped the roll-up and the chunks: verified, but no legal value.
    expect(report.day?.checks.map((check) => [check.name, check.status])).toEqual([
      ["day_manifest", "PASS"],
      ["day_signature", "PASS"],
      ["day_timestamp", "WARN"],
      ["day_coverage", "PASS"],
    ]);
    expect(dayCheck(report, "day_timestamp")).toMatchObject({
      code: "development_tsa",
      detail: expect.stringContaining(`${DEVELOPMENT_TSA_WARNING}; genTime `),
    });
    for (const bundle of report.bundles)
      expect(bundle.checks.filter((check) => check.status !== "PASS")).toEqual([
        expect.objectContaining({ name: "timestamp", status: "WARN", code: "development_tsa" }),
      ]);
    expect(dayCheck(report, "day_coverage")?.detail).toContain("all 2 chunk(s)");
    expect(report.verdict).toBe("WARN");
    expect(exitCode).toBe(0);

    const text = await runCli(["verify", exportDir.path]);
    expect(text.stdout).toContain(`day roll-up ${exportDir.path} (hotel otel-gun, UTC day ${DAY})`);
    expect(text.stdout).toContain("1 day roll-up");
    expect(text.stdout).toMatch(/^VERDICT: PASS with warnings /m);
    // Two chunks and the roll-up.
    expect(text.stdout).toMatch(
      /^WARNING: 3 time-stamps are by LogMaster's built-in development TSA and have no legal value; /m,
    );
    expect(text.exitCode).toBe(0);
  }, 60_000);

  test("the root VERIFY.md, followed literally with openssl and sha256sum", async () => {
    const verifyMd = readFileSync(join(exportDir.path, "VERIFY.md"), "utf8");
    expect(verifyMd).toContain(`# Verifying hotel otel-gun, UTC day ${DAY}`);
    expect(verifyMd).toContain("logmaster verify .");
    const standardTools = shellBlocks(verifyMd).at(-1) ?? "";
    const before = filesBelow(exportDir.path);
    const { code, output } = await runInBash(standardTools, exportDir.path);
    expect({ code, output }).toMatchObject({ code: 0 });
    // Following VERIFY.md adds nothing to the export (its scratch files go to mktemp -d).
    expect(filesBelow(exportDir.path)).toEqual(before);
    if (output.includes("is not a CA cert"))
      expect(verifyMd).toContain("rightly is no CA. Expected and harmless.");
    expect(output).toContain("hub.pem: OK");
    expect(output).toContain("URI:urn:logmaster:default:hub");
    expect(output).toContain("Verified OK");
    expect(output).toContain("Verification: OK");
    // Each listed chunk's manifest hashes to what the roll-up lists.
    const roll = JSON.parse(readFileSync(join(exportDir.path, "day-manifest.json"), "utf8"));
    for (const agent of roll.agents)
      for (const chunk of agent.chunks)
        expect(output).toContain(
          `${chunk.manifest_sha256}  ${agent.agent_id}/${chunk.chunk}/manifest.json`,
        );
    expect(output).toMatch(/^\s*2$/m); // ls -d */*/ | wc -l
  }, 60_000);

  test("the day's last chunk removed: the chain cannot tell, the roll-up does", async () => {
    const dir = copyOfExport("last-removed");
    const { stdout } = await runCli(["verify", dir, "--json"]);
    const agentId = (JSON.parse(stdout) as { bundles: { agent_id: string }[] }).bundles[0]
      ?.agent_id;
    rmSync(join(dir, agentId ?? "", `${DAY}T11`), { recursive: true });
    const { exitCode, report } = await verifyJson(dir);
    expect(report.chains[0]?.checks.every((check) => check.status === "PASS")).toBe(true);
    expect(dayCheck(report, "day_coverage")).toMatchObject({ status: "FAIL" });
    expect(dayCheck(report, "day_coverage")?.detail).toContain(
      `listed but not in the export: ${agentId}/${DAY}T11`,
    );
    expect(exitCode).toBe(1);
  }, 60_000);

  test("a changed roll-up, and one without its time-stamp, fail the right checks", async () => {
    const changed = copyOfExport("changed");
    const path = join(changed, "day-manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"verified"', '"failed"'));
    const afterChange = await verifyJson(changed);
    expect(dayCheck(afterChange.report, "day_signature")).toMatchObject({ status: "FAIL" });
    expect(dayCheck(afterChange.report, "day_signature")?.detail).toContain(
      "day-manifest.sig does not verify",
    );
    expect(dayCheck(afterChange.report, "day_timestamp")).toMatchObject({ status: "FAIL" });
    expect(afterChange.exitCode).toBe(1);

    const unstamped = copyOfExport("unstamped");
    rmSync(join(unstamped, "day-manifest.tsr"));
    const withoutStamp = await verifyJson(unstamped);
    expect(dayCheck(withoutStamp.report, "day_timestamp")).toMatchObject({ status: "FAIL" });
    expect(dayCheck(withoutStamp.report, "day_timestamp")?.detail).toContain(
      "not time-stamped (no day-manifest.tsr)",
    );
    expect(withoutStamp.exitCode).toBe(1);
  }, 60_000);

  test("a day the hub held nothing of: the roll-up alone verifies, and says so", async () => {
    const emptyDir = join(scratch.path, "empty-day");
    const summary = await testHub.hub.admin.exportBundle(
      { hotel: "otel-gun", day: "2026-10-31", actor: "cli:test-auditor" },
      emptyDir,
    );
    expect(summary.chunks).toHaveLength(0);
    expect(summary.rollup_files).toContain("day-manifest.json");
    const { exitCode, report } = await verifyJson(emptyDir);
    expect(report.day?.checks.map((check) => [check.name, check.status, check.code])).toEqual([
      ["day_manifest", "PASS", undefined],
      ["day_signature", "PASS", undefined],
      ["day_timestamp", "WARN", "development_tsa"],
      ["day_coverage", "PASS", undefined],
    ]);
    expect(report.verdict).toBe("WARN");
    expect(dayCheck(report, "day_coverage")?.detail).toContain("all 0 chunk(s)");
    expect(exitCode).toBe(0);
    const verifyMd = readFileSync(join(emptyDir, "VERIFY.md"), "utf8");
    const before = filesBelow(emptyDir);
    const { code, output } = await runInBash(shellBlocks(verifyMd).at(-1) ?? "", emptyDir);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(filesBelow(emptyDir)).toEqual(before);
    expect(output).toContain("Verified OK");
  }, 60_000);
});
