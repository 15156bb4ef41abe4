/**
 * Building blocks for the cross-part tests: a real hub (in this process, on
 * real PostgreSQL), a real agent (a child process running the CLI, so it can
 * be killed with -9), enrollment through the real protocol, and helpers to
 * offer UDP traffic and to wait for conditions.
 */

import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HubConfigInput } from "../../hub/src/config/index.ts";
import { type RunningHub, startHub } from "../../hub/src/index.ts";
import { listChunks } from "../../hub/src/store/index.ts";
import { createScratchDatabase } from "../../hub/src/store/testing.ts";
import { isGapRecord, parseRecordLine, type RecordLine } from "../../shared/src/custody/index.ts";
import { runProcess } from "../../shared/src/testing/run-process.ts";
import { waitFor } from "../../shared/src/testing/wait-for.ts";

export { waitFor };

export const repoRoot = new URL("../..", import.meta.url).pathname;

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `logmaster-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A TCP port that was free a moment ago (the hub must come back on the same one). */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const probe = createSocket("udp4");
  await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", () => resolve()));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface TestHub {
  hub: RunningHub;
  dataDir: string;
  databaseUrl: string;
  ingestPort: number;
  /** Stop the hub (listeners and database connections); its data stays. */
  stop(): Promise<void>;
  /** Start it again on the same data dir, database and ingest port. */
  restart(): Promise<RunningHub>;
  /** Stop and remove the data dir and scratch database. */
  destroy(): Promise<void>;
}

/** A hub on a scratch PostgreSQL database with a 2048-bit CA (fast to make). */
export async function startTestHub(settings: Partial<HubConfigInput> = {}): Promise<TestHub> {
  const dir = tempDir("hub");
  const scratch = await createScratchDatabase();
  const ingestPort = freePort();
  const start = () =>
    startHub({
      dataDir: dir.path,
      ingest: `127.0.0.1:${ingestPort}`,
      http: "127.0.0.1:0",
      databaseUrl: scratch.url,
      caKeyBits: 2048,
      quiet: true,
      ...settings,
    });
  const testHub: TestHub = {
    hub: await start(),
    dataDir: dir.path,
    databaseUrl: scratch.url,
    ingestPort,
    stop: () => testHub.hub.stop(),
    async restart() {
      testHub.hub = await start();
      return testHub.hub;
    },
    async destroy() {
      await testHub.hub.stop().catch(() => {});
      await scratch.drop();
      dir.remove();
    },
  };
  return testHub;
}

/**
 * Run a `logmaster-agent` CLI command to completion; throws with its output on
 * failure. Asynchronous on purpose: the hub under test runs in this process
 * and must keep answering while the CLI talks to it.
 */
export async function agentCli(...args: string[]): Promise<string> {
  const { exitCode, stdout, stderr } = await runProcess([
    "bun",
    join(repoRoot, "agent/src/cli/main.ts"),
    ...args,
  ]);
  if (exitCode !== 0) throw new Error(`logmaster-agent ${args[0]} failed:\n${stdout}${stderr}`);
  return stdout;
}

/** Add a hotel, make a token and enroll an agent data dir with the real CLI. */
export async function enrollAgent(
  hub: RunningHub,
  agentDir: string,
  hotel = "Otel Test",
): Promise<void> {
  const hotels = await hub.admin.listHotels();
  const existing = hotels.find((row) => row.name === hotel);
  const hotelId = existing?.id ?? (await hub.admin.addHotel({ name: hotel })).id;
  const { token } = await hub.admin.createToken({
    hotel: hotelId,
    ttl_ms: 600_000,
    actor: "cli:test",
  });
  await agentCli("enroll", "--token", token, "--data-dir", agentDir);
}

export interface AgentProcess {
  udpPort: number;
  statusUrl: string;
  process: Bun.Subprocess;
  /** The running agent's status document. */
  status(): Promise<AgentStatusDocument>;
  kill(signal?: NodeJS.Signals | number): Promise<void>;
}

/** The parts of `GET /status` the tests and benchmarks read. */
export interface AgentStatusDocument {
  receive: { received: number; udp: Array<{ kernelDrops: number | null }> };
  wal: { lastSeq: number; openChunk: string | null };
  forward: { connected: boolean; unsentBytes: number; chunksPendingSeal: number };
}

export interface SpawnAgentOptions {
  dataDir: string;
  /** The hub's ingest URL; without it the agent only receives and writes its WAL. */
  hubUrl?: string;
  /** UDP port to listen on (127.0.0.1); default a free one. Pass the last one to restart on it. */
  udpPort?: number;
}

/** How much of the agent's stderr is kept to explain an early exit. */
const STDERR_TAIL_CHARS = 16_384;

/**
 * Start `logmaster-agent run` as a child process (TCP off, status on a free
 * port) and wait until its status server answers.
 *
 * @example
 * const agent = await spawnAgent({ dataDir, hubUrl: testHub.hub.ingestUrl });
 * await offerDatagrams(agent.udpPort, 1000, 5000);
 * await agent.kill("SIGKILL");
 */
export async function spawnAgent(options: SpawnAgentOptions): Promise<AgentProcess> {
  const udpPort = options.udpPort ?? (await freeUdpPort());
  const statusPort = freePort();
  const child = Bun.spawn(
    [
      "bun",
      join(repoRoot, "agent/src/cli/main.ts"),
      "run",
      "--data-dir",
      options.dataDir,
      "--udp",
      `127.0.0.1:${udpPort}`,
      "--tcp",
      "off",
      "--status",
      `127.0.0.1:${statusPort}`,
      ...(options.hubUrl ? ["--hub", options.hubUrl] : []),
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  // Drain stderr all along (a full pipe would block the agent's logging); keep its tail.
  let stderrTail = "";
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const piece of child.stderr) {
      stderrTail = (stderrTail + decoder.decode(piece, { stream: true })).slice(-STDERR_TAIL_CHARS);
    }
  })().catch(() => {});
  const statusUrl = `http://127.0.0.1:${statusPort}`;
  const status = async () =>
    (await (await fetch(`${statusUrl}/status`)).json()) as AgentStatusDocument;
  await waitFor("the agent's status server", async () => {
    if (child.exitCode !== null) {
      await stderrDone;
      throw new Error(`agent exited with ${child.exitCode}: ${stderrTail}`);
    }
    return (await status().catch(() => undefined)) !== undefined;
  });
  return {
    udpPort,
    statusUrl,
    process: child,
    status,
    async kill(signal = "SIGTERM") {
      child.kill(signal);
      await child.exited;
    },
  };
}

/**
 * Send `count` numbered datagrams (`... seq=N`) to a UDP port at about
 * `ratePerS`, from this process. Resolves with the number sent.
 */
export async function offerDatagrams(
  port: number,
  count: number,
  ratePerS: number,
  firstNumber = 0,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  const socket = createSocket("udp4");
  const started = performance.now();
  let sent = 0;
  try {
    while (sent < count && !shouldStop()) {
      const due = (sent / ratePerS) * 1000 - (performance.now() - started);
      if (due > 1) await Bun.sleep(due);
      const burstEnd = Math.min(count, sent + 100);
      let lastSent: Promise<void> = Promise.resolve();
      for (; sent < burstEnd; sent++) {
        const n = firstNumber + sent;
        const datagram = `<134>Nov 22 10:30:45 otel-gw firewall,info forward: in:vlan20 out:ether1, proto UDP, 10.20.${(n >> 8) & 255}.${n & 255}:5353->8.8.8.8:53, len 60 seq=${n}`;
        lastSent = new Promise((resolve) =>
          socket.send(datagram, port, "127.0.0.1", () => resolve()),
        );
      }
      // Sends are queued; closing before the last callback would drop the tail of the burst.
      await lastSent;
    }
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return sent;
}

/** Every chunk directory of an agent data dir (`chunks/<id>`), sorted. */
export function agentChunkIds(agentDir: string): string[] {
  const chunksDir = join(agentDir, "chunks");
  return existsSync(chunksDir) ? readdirSync(chunksDir).sort() : [];
}

/** The bytes of one agent chunk's records.jsonl. */
export function agentRecords(agentDir: string, chunkId: string): Buffer {
  return readFileSync(join(agentDir, "chunks", chunkId, "records.jsonl"));
}

/** Agent chunks that have been sealed (their manifest.json is written). */
export function agentSealedChunkIds(agentDir: string): string[] {
  return agentChunkIds(agentDir).filter((id) =>
    existsSync(join(agentDir, "chunks", id, "manifest.json")),
  );
}

/**
 * Every whole record line in an agent data dir's WAL, sealed chunks and the
 * open one, in chunk order. A line torn by a kill -9 (no newline yet) is left
 * out: it was never counted as received.
 */
export function agentWalRecords(agentDir: string): RecordLine[] {
  const out: RecordLine[] = [];
  for (const chunkId of agentChunkIds(agentDir)) {
    // A part opened by a seal has no records.jsonl until its first record.
    if (!existsSync(join(agentDir, "chunks", chunkId, "records.jsonl"))) continue;
    const bytes = agentRecords(agentDir, chunkId);
    for (
      let at = 0, end = bytes.indexOf(0x0a);
      end !== -1;
      at = end + 1, end = bytes.indexOf(0x0a, at)
    ) {
      out.push(parseRecordLine(new Uint8Array(bytes.subarray(at, end + 1))));
    }
  }
  return out;
}

/** How many datagrams a WAL's records hold, and how many its gap records say were lost. */
export function countWalRecords(records: RecordLine[]): { datagrams: number; gapLost: number } {
  let datagrams = 0;
  let gapLost = 0;
  for (const record of records) {
    if (isGapRecord(record)) gapLost += record.gap.lost;
    else datagrams++;
  }
  return { datagrams, gapLost };
}

/** How long the agent's count must stand still before a test takes it as final. */
const RECEIVE_QUIET_MS = 2_000;

/**
 * After a flood of `sent` datagrams, wait until the agent has taken from its
 * socket all it will: its count plus the kernel's drops reach `sent`, or the
 * count stood still for 2 s. Resolves with the count, and reports (never
 * asserts) how much of the flood arrived: a loaded machine may drop some, and
 * loss figures are bench/receive-vs-rsyslog.ts's business. Tests compare
 * this count with what the WAL and the hub hold, not with `sent`.
 *
 * @example
 * const sent = await offerDatagrams(agent.udpPort, 100_000, 25_000);
 * const counted = await awaitReceiveSettled(agent, sent, "the flood");
 */
export async function awaitReceiveSettled(
  agent: AgentProcess,
  sent: number,
  what: string,
): Promise<number> {
  let last = await agent.status();
  let lastChangeMs = performance.now();
  while (performance.now() - lastChangeMs < RECEIVE_QUIET_MS) {
    const drops = last.receive.udp.reduce((sum, udp) => sum + (udp.kernelDrops ?? 0), 0);
    if (last.receive.received + drops >= sent) break;
    await Bun.sleep(100);
    const next = await agent.status();
    if (next.receive.received !== last.receive.received) lastChangeMs = performance.now();
    last = next;
  }
  const { received } = last.receive;
  const drops = last.receive.udp.map((udp) => udp.kernelDrops ?? "not measurable").join(", ");
  console.log(
    `${what}: the agent counted ${received.toLocaleString("en")} of ${sent.toLocaleString("en")} sent (${((received / Math.max(1, sent)) * 100).toFixed(2)}%), kernel drops ${drops}`,
  );
  return received;
}

/** `logmaster-agent wal --json` of a data dir (works with the agent stopped). */
export async function walSummary(
  agentDir: string,
): Promise<{ records: number; first_seq: number; last_seq: number }> {
  return JSON.parse(await agentCli("wal", "--data-dir", agentDir, "--json"));
}

/** The `seq` of every data record line, in file order, across chunks. */
export function recordSeqs(records: Buffer): number[] {
  return records
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { seq: number }).seq);
}

/** The hub's chunk rows of one hotel, in seq order. */
export async function hotelChunks(testHub: TestHub, hotelId: string) {
  return (await listChunks(testHub.hub.db, 1000))
    .filter((row) => row.hotelId === hotelId)
    .sort(
      (a, b) =>
        (a.firstSeq ?? 0) - (b.firstSeq ?? 0) || a.hourStart.getTime() - b.hourStart.getTime(),
    );
}

/** Seal the agent's open chunk and wait until the hub has verified every sealed chunk. */
export async function sealAndAwaitVerified(
  testHub: TestHub,
  agentDir: string,
  hotelId: string,
): Promise<void> {
  await agentCli("seal", "--data-dir", agentDir);
  await waitFor(
    "the hub to verify every sealed chunk",
    async () => {
      const sealed = agentSealedChunkIds(agentDir).length;
      const rows = await hotelChunks(testHub, hotelId);
      const failed = rows.find((row) => row.status === "failed");
      if (failed) throw new Error(`chunk failed at the hub: ${failed.reason}`);
      return sealed > 0 && rows.filter((row) => row.status === "verified").length === sealed;
    },
    60_000,
  );
}

/** Every verified chunk's archived records.jsonl of a hotel, in chunk order, joined. */
export async function hubArchivedRecords(testHub: TestHub, hotelId: string): Promise<Buffer> {
  const rows = (await hotelChunks(testHub, hotelId)).filter((row) => row.status === "verified");
  return Buffer.concat(
    rows.map((row) => readFileSync(join(row.archivePath ?? "", "records.jsonl"))),
  );
}

export function agentSealedRecords(agentDir: string): Buffer {
  return Buffer.concat(agentSealedChunkIds(agentDir).map((id) => agentRecords(agentDir, id)));
}

/** The numbers `seq=N` our sender put at the end of each datagram, as received. */
export function sentNumbers(records: Buffer): number[] {
  return [...records.toString("utf8").matchAll(/ seq=(\d+)"/g)].map((match) => Number(match[1]));
}

/**
 * Enroll an agent for `hotelName`, record one hour in two parts (an early
 * seal, then more datagrams and another seal), and wait until the hub has
 * verified and time-stamped both: the starting point of the export tests.
 */
export async function agentWithTwoStampedParts(
  testHub: TestHub,
  agentDir: string,
  hotelName: string,
  hotelId: string,
): Promise<AgentProcess> {
  const { hub } = testHub;
  await enrollAgent(hub, agentDir, hotelName);
  const agent = await spawnAgent({ dataDir: agentDir, hubUrl: hub.ingestUrl });
  await offerDatagrams(agent.udpPort, 200, 10_000);
  await sealAndAwaitVerified(testHub, agentDir, hotelId);
  await offerDatagrams(agent.udpPort, 100, 10_000, 200);
  await sealAndAwaitVerified(testHub, agentDir, hotelId);
  await waitFor(
    "the worker to time-stamp both chunks",
    async () => {
      const sealed = (await hub.admin.listChunks({ limit: 10 })).filter(
        (chunk) => chunk.hotel_id === hotelId && chunk.status === "verified",
      );
      return sealed.length >= 2 && sealed.every((chunk) => chunk.timestamp === "timestamped");
    },
    20_000,
  );
  return agent;
}
