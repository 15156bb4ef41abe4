/**
 * A hub (embedded PGlite, as `bun run start` runs it) and an agent, started
 * on data dirs an operator made 0755: both dirs end up 0700 with a
 * `DataDirTightened` warning naming the dir and its old mode, and after a
 * short real run (enroll, records, a seal the hub verifies and archives)
 * nothing either of them wrote is open to group or others: keys, the
 * database files, the WAL, the archive. The hub CLI then reads the stopped
 * hub's dir (its marker says it holds a hub).
 */
import { afterAll, expect, test } from "bun:test";
import dgram from "node:dgram";
import { chmodSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import { startHub } from "../hub/src/index.ts";
import { octalMode } from "../shared/src/data-dir/index.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { waitFor } from "../shared/src/testing/wait-for.ts";
import { repoRoot, tempDir } from "./support/pipeline.ts";

const hubDir = tempDir("perm-hub");
const agentDir = tempDir("perm-agent");
afterAll(() => {
  hubDir.remove();
  agentDir.remove();
});

/** Every file and directory below `dir` whose mode lets group or others in, as `mode path`. */
function openEntries(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => (statSync(path).mode & 0o077) !== 0)
    .map((path) => `${octalMode(statSync(path).mode)} ${path}`);
}

function logged(lines: string[], event: string): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line)).filter((entry) => entry.event === event);
}

test("data dirs made 0755 are tightened to 0700 at start, and nothing the hub or agent writes is open to others", async () => {
  chmodSync(hubDir.path, 0o755);
  chmodSync(agentDir.path, 0o755);
  const hubLog: string[] = [];
  const agentLog: string[] = [];
  const hub = await startHub(
    {
      dataDir: hubDir.path,
      ingest: "127.0.0.1:0",
      http: "127.0.0.1:0",
      caKeyBits: 2048,
      quiet: true,
    },
    { log: (line) => hubLog.push(line) },
  );
  const sender = dgram.createSocket("udp4");
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    expect(statSync(hubDir.path).mode & 0o777).toBe(0o700);
    expect(logged(hubLog, "DataDirTightened")).toEqual([
      expect.objectContaining({ dir: hubDir.path, oldMode: "0755" }),
    ]);

    const hotel = await hub.admin.addHotel({ name: "Otel Modes", id: "modes" });
    const { token } = await hub.admin.createToken({
      hotel: hotel.id,
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const { agentId } = await enrollAgent({ token, dataDir: agentDir.path });
    agent = await startAgent(
      {
        dataDir: agentDir.path,
        udp: { listen: "127.0.0.1:0" },
        tcp: { listen: [] },
        status: { listen: "127.0.0.1:0" },
        wal: { fsyncIntervalMs: 10 },
        hub: { batchMaxDelayMs: 20, retryBaseMs: 20, retryMaxMs: 100 },
      },
      { log: (line) => agentLog.push(line) },
    );
    expect(statSync(agentDir.path).mode & 0o777).toBe(0o700);
    expect(logged(agentLog, "DataDirTightened")).toEqual([
      expect.objectContaining({ level: "warn", dir: agentDir.path, oldMode: "0755" }),
    ]);

    const running = agent;
    for (let i = 0; i < 20; i++)
      sender.send(`<134>firewall,info forward seq=${i}`, running.udpPort, "127.0.0.1");
    await waitFor("20 datagrams", () => running.status().receive.received === 20, 10_000, 20);
    expect((await running.seal()).sealed).toHaveLength(1);
    await waitFor(
      "the hub to verify the sealed chunk",
      async () =>
        (await hub.admin.listChunks({ limit: 10 })).some(
          (chunk) => chunk.agent_id === agentId && chunk.status === "verified",
        ),
      20_000,
      50,
    );
  } finally {
    sender.close();
    await agent?.stop();
    await hub.stop();
  }

  // What the run wrote is there, so the walk below covers it.
  const hubFiles = readdirSync(hubDir.path, { recursive: true }).map(String);
  expect(hubFiles).toContain(join("ca", "ca.key.pem"));
  expect(hubFiles).toContain(join("pglite", "PG_VERSION"));
  expect(hubFiles.filter((name) => name.startsWith(join("archive", "modes")))).toContainEqual(
    expect.stringMatching(/records\.jsonl$/),
  );
  expect(readdirSync(join(agentDir.path, "identity"))).toContain("key.pem");
  expect(readdirSync(join(agentDir.path, "chunks")).length).toBeGreaterThan(0);
  expect(openEntries(hubDir.path)).toEqual([]);
  expect(openEntries(agentDir.path)).toEqual([]);

  // The stopped hub's dir holds a hub: the CLI reads it instead of refusing
  // (its embedded database, not the test services' PostgreSQL).
  const { exitCode, stdout, stderr } = await runProcess([
    "env",
    "-u",
    "DATABASE_URL",
    "bun",
    join(repoRoot, "hub/src/cli/main.ts"),
    "chunk",
    "list",
    "--data-dir",
    hubDir.path,
  ]);
  expect(stderr).not.toContain("no hub in");
  expect(exitCode).toBe(0);
  expect(stdout).toContain("verified");
}, 60_000);
