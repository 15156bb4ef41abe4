/**
 * The agent as a process: real UDP/TCP datagrams on loopback into the WAL,
 * byte for byte, and a kill -9 during a flood that loses nothing it counted.
 */
import { afterEach, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import { datagramBytes, isGapRecord } from "../shared/src/custody/index.ts";
import {
  agentWalRecords,
  countWalRecords,
  spawnAgent,
  waitFor,
  walSummary,
} from "./support/pipeline.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lm-agent-"));
  dirs.push(dir);
  return dir;
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

  const records = agentWalRecords(dataDir).filter((record) => !isGapRecord(record));
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

test("kill -9 during a flood: every datagram counted as received is in the WAL, and seq continues", async () => {
  const dataDir = tempDir();
  const first = await spawnAgent({ dataDir });
  const udpPort = first.udpPort;
  const sender = dgram.createSocket("udp4");
  let flooding = true;
  let sentCount = 0;
  const flood = (async () => {
    while (flooding) {
      for (let i = 0; i < 200; i++) sender.send(`<134>flood ${sentCount++}`, udpPort, "127.0.0.1");
      await Bun.sleep(1);
    }
  })();
  // The window ends on a count as well as a clock, so a loaded machine only makes it longer.
  let counted = 0;
  const until = Date.now() + 1500;
  const deadline = Date.now() + 20_000;
  while ((Date.now() < until || counted <= 100) && Date.now() < deadline) {
    counted = (await first.status()).receive.received;
    await Bun.sleep(50);
  }
  await first.kill(9);
  flooding = false;
  await flood;
  expect(counted).toBeGreaterThan(100);
  console.log(`kill -9 during a flood: ${counted} counted of about ${sentCount} sent`);

  const second = await spawnAgent({ dataDir, udpPort });
  const afterRestart = await second.status();
  expect(afterRestart.wal.lastSeq).toBeGreaterThanOrEqual(counted);
  sender.send("<134>after restart", udpPort, "127.0.0.1");
  await waitFor("the restarted agent to count its first datagram", async () => {
    return (await second.status()).receive.received >= 1;
  });
  await second.kill("SIGTERM");
  sender.close();

  const inventory = await walSummary(dataDir);
  expect(inventory.records).toBeGreaterThanOrEqual(counted + 1);
  expect(inventory.first_seq).toBe(1);
  expect(inventory.last_seq).toBe(inventory.records);
  const records = agentWalRecords(dataDir);
  // Every datagram counted before the kill is a data record in the WAL, not just a seq.
  const beforeRestart = records.filter((record) => record.seq <= afterRestart.wal.lastSeq);
  expect(countWalRecords(beforeRestart).datagrams).toBeGreaterThanOrEqual(counted);
  expect(records.at(-1)).toMatchObject({
    seq: afterRestart.wal.lastSeq + 1,
    msg: "<134>after restart",
  });
  expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
}, 30_000);
