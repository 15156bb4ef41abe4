/**
 * The agent as a process: real UDP/TCP datagrams on loopback into the WAL,
 * byte for byte, and a kill -9 during a flood that loses nothing it counted.
 */
import { afterEach, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import { datagramBytes, isGapRecord, parseRecordLine } from "../shared/src/custody/index.ts";

const repoRoot = new URL("..", import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lm-agent-"));
  dirs.push(dir);
  return dir;
}

function readAllRecords(dataDir: string) {
  const out = [];
  for (const hour of readdirSync(join(dataDir, "chunks")).sort()) {
    const text = readFileSync(join(dataDir, "chunks", hour, "records.jsonl"));
    let at = 0;
    while (at < text.byteLength) {
      const end = text.indexOf(0x0a, at);
      out.push(parseRecordLine(new Uint8Array(text.subarray(at, end + 1))));
      at = end + 1;
    }
  }
  return out;
}

test("UDP and TCP datagrams land in records.jsonl byte-identical, with sender and transport", async () => {
  const dataDir = tempDir();
  const agent = await startAgent(
    {
      dataDir,
      udp: { listen: "127.0.0.1:0" },
      tcp: { listen: "127.0.0.1:0" },
      status: { listen: "127.0.0.1:0" },
    },
    { log: () => {} },
  );
  const sent = [
    "<134>Jan 15 10:30:45 MikroTik dhcp,info defconf assigned 192.168.88.254 to AA:BB:CC:DD:EE:FF",
    'quote " backslash \\ tab \t unicode ğüşİ',
    "",
  ].map((text) => new TextEncoder().encode(text));
  sent.push(new Uint8Array([0x3c, 0x31, 0x3e, 0xff, 0x00, 0x0a, 0x80]));
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const senderPort = socket.address().port;
  for (const bytes of sent) socket.send(bytes, agent.udpPort, "127.0.0.1");
  const tcp = net.connect(agent.tcpPort ?? 0, "127.0.0.1");
  await new Promise<void>((resolve) => tcp.once("connect", () => resolve()));
  tcp.write("11 <13>counted<14>lf framed\n");
  tcp.end();
  const deadline = Date.now() + 5000;
  while (agent.status().receive.received < sent.length + 2 && Date.now() < deadline)
    await Bun.sleep(20);
  await agent.stop();
  socket.close();

  const records = readAllRecords(dataDir).filter((record) => !isGapRecord(record));
  const udp = records.filter((record) => "transport" in record && record.transport === "udp");
  expect(udp.map((record) => (isGapRecord(record) ? [] : [...datagramBytes(record)]))).toEqual(
    sent.map((bytes) => [...bytes]),
  );
  expect(udp[0]).toMatchObject({ seq: 1, src: "127.0.0.1", port: senderPort });
  const tcpRecords = records.filter(
    (record) => "transport" in record && record.transport === "tcp",
  );
  expect(tcpRecords.map((record) => ("msg" in record ? record.msg : ""))).toEqual([
    "<13>counted",
    "<14>lf framed",
  ]);
  expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
});

async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", () => resolve()));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function spawnAgent(dataDir: string, udpPort: number) {
  return Bun.spawn(
    [
      "bun",
      "agent/src/cli/main.ts",
      "run",
      "--data-dir",
      dataDir,
      "--udp",
      `127.0.0.1:${udpPort}`,
      "--tcp",
      "off",
      "--status",
      "127.0.0.1:0",
    ],
    { cwd: repoRoot, stdout: "ignore", stderr: "ignore" },
  );
}

async function waitForStatus(dataDir: string, since: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const info = JSON.parse(readFileSync(join(dataDir, "agent.json"), "utf8")) as {
        statusUrl: string;
        startedAt: string;
      };
      if (Date.parse(info.startedAt) >= since && (await fetch(`${info.statusUrl}/healthz`)).ok)
        return info.statusUrl;
    } catch {
      // not up yet
    }
    await Bun.sleep(50);
  }
  throw new Error("agent did not start");
}

test("kill -9 during a flood: every datagram counted as received is in the WAL, and seq continues", async () => {
  const dataDir = tempDir();
  const udpPort = await freeUdpPort();
  const first = spawnAgent(dataDir, udpPort);
  const statusUrl = await waitForStatus(dataDir, Date.now() - 1000);
  const sender = dgram.createSocket("udp4");
  let flooding = true;
  let sentCount = 0;
  const flood = (async () => {
    while (flooding) {
      for (let i = 0; i < 200; i++) sender.send(`<134>flood ${sentCount++}`, udpPort, "127.0.0.1");
      await Bun.sleep(1);
    }
  })();
  let counted = 0;
  const until = Date.now() + 1500;
  while (Date.now() < until) {
    const status = (await (await fetch(`${statusUrl}/status`)).json()) as {
      receive: { received: number };
    };
    counted = status.receive.received;
    await Bun.sleep(50);
  }
  first.kill(9);
  await first.exited;
  flooding = false;
  await flood;
  expect(counted).toBeGreaterThan(100);

  const restartedAt = Date.now();
  const second = spawnAgent(dataDir, udpPort);
  const secondUrl = await waitForStatus(dataDir, restartedAt);
  const afterRestart = (await (await fetch(`${secondUrl}/status`)).json()) as {
    wal: { lastSeq: number };
  };
  expect(afterRestart.wal.lastSeq).toBeGreaterThanOrEqual(counted);
  sender.send("<134>after restart", udpPort, "127.0.0.1");
  await Bun.sleep(200);
  second.kill("SIGTERM");
  await second.exited;
  sender.close();

  const inventory = JSON.parse(
    Bun.spawnSync(["bun", "agent/src/cli/main.ts", "wal", "--data-dir", dataDir, "--json"], {
      cwd: repoRoot,
    }).stdout.toString(),
  ) as { records: number; last_seq: number; first_seq: number };
  expect(inventory.records).toBeGreaterThanOrEqual(counted + 1);
  expect(inventory.first_seq).toBe(1);
  expect(inventory.last_seq).toBe(inventory.records);
  const records = readAllRecords(dataDir);
  expect(records.at(-1)).toMatchObject({
    seq: afterRestart.wal.lastSeq + 1,
    msg: "<134>after restart",
  });
  expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
}, 30_000);
