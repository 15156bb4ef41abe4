/**
 * Datagrams the kernel drops on a full UDP receive buffer: a real burst into a
 * small buffer while the agent's event loop is blocked, and the loss must come
 * back exactly as a counted `receive_buffer_overflow` gap record in the WAL.
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import { summarizeChunk } from "../agent/src/chunk/summary.ts";
import { isGapRecord, parseRecordLine } from "../shared/src/custody/index.ts";
import { agentChunkIds, tempDir, waitFor } from "./support/pipeline.ts";

const BURST = 20_000;
const PREFIX = "<134>burst ";

/** Sends BURST datagrams to the port in argv[1]; prints how many the OS accepted. */
const BLASTER = `
import dgram from "node:dgram";
const port = Number(process.argv[2]);
const socket = dgram.createSocket("udp4");
let accepted = 0;
let done = 0;
for (let i = 0; i < ${BURST}; i++) {
  socket.send(${JSON.stringify(PREFIX)} + i + " " + "x".repeat(200), port, "127.0.0.1", (error) => {
    if (!error) accepted++;
    if (++done === ${BURST}) { console.log(accepted); socket.close(); }
  });
}
`;

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

test.skipIf(process.platform !== "linux")(
  "a burst beyond the receive buffer: the kernel's drops become counted gap records, lost = sent - received",
  async () => {
    const dir = tempDir("lm-agent-drops-");
    dirs.push(dir);
    const logs: string[] = [];
    const agent = await startAgent(
      {
        dataDir: dir.path,
        udp: { listen: "127.0.0.1:0", recvBufferBytes: 64 * 1024 },
        tcp: { listen: [] },
        status: { listen: "127.0.0.1:0" },
      },
      { log: (line) => logs.push(line), kernelDropIntervalMs: 100 },
    );
    try {
      const blasterPath = join(dir.path, "blaster.ts");
      await Bun.write(blasterPath, BLASTER);
      // spawnSync blocks this event loop for the whole burst: the agent reads
      // nothing, so everything beyond the socket buffer is dropped by the kernel.
      const blast = Bun.spawnSync([process.execPath, blasterPath, String(agent.udpPort)]);
      expect(blast.exitCode).toBe(0);
      const sent = Number(blast.stdout.toString().trim());
      expect(sent).toBe(BURST);

      const overflow = () =>
        agent.telemetry.count("DatagramRejected", { reason: "receive_buffer_overflow" });
      await waitFor(
        "every datagram of the burst to be received or counted as dropped",
        () => agent.status().receive.received + overflow() === sent,
        5000,
        50,
      );
      const status = agent.status();
      const received = status.receive.received;
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(sent);
      expect(status.receive.rejectedByReason.receive_buffer_overflow).toBe(sent - received);
      expect(status.receive.udp[0]?.kernelDrops).toBe(sent - received);
      expect(status.receive.udp[0]?.lastKernelDropAt).not.toBeNull();
      // Linux x64/arm64 reads with recvmmsg; status says so (and why not, on a fallback).
      if (process.platform === "linux" && ["x64", "arm64"].includes(process.arch))
        expect(status.receive.udp[0]?.path).toBe("recvmmsg");
      const metrics = await (await fetch(`${agent.statusUrl}/metrics`)).text();
      expect(metrics).toContain(
        `logmaster_agent_datagrams_rejected_total{reason="receive_buffer_overflow"} ${sent - received}`,
      );
    } finally {
      await agent.stop();
    }

    const [chunkId, ...others] = agentChunkIds(dir.path);
    expect(others).toEqual([]);
    const chunk = join(dir.path, "chunks", chunkId ?? "");
    const lines = readFileSync(join(chunk, "records.jsonl"), "utf8").split("\n").filter(Boolean);
    const records = lines.map((line) => parseRecordLine(new TextEncoder().encode(`${line}\n`)));
    const data = records.filter((record) => !isGapRecord(record));
    const gaps = records.filter(isGapRecord);
    expect(data.every((record) => "msg" in record && record.msg.startsWith(PREFIX))).toBe(true);
    // The gap takes its seq in order after the datagrams that did arrive.
    expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
    expect(gaps.map((gap) => gap.gap.reason)).toEqual(
      gaps.map(() => "receive_buffer_overflow" as const),
    );
    const lost = gaps.reduce((sum, gap) => sum + gap.gap.lost, 0);
    expect(lost).toBe(BURST - data.length);
    for (const gap of gaps) expect(gap.gap.first_ts <= gap.gap.last_ts).toBe(true);
    // What the manifest's gap_lost will say when this chunk is sealed.
    const summary = await summarizeChunk(join(chunk, "records.jsonl"), join(chunk, "records.idx"));
    expect(summary.gap_lost).toBe(lost);
  },
  20_000,
);
