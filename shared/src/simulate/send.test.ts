import { expect, test } from "bun:test";
import dgram from "node:dgram";
import { parseSyslog } from "../syslog/index.ts";
import { sendTraffic } from "./index.ts";

test("sends the simulation over UDP at the asked rate, and every datagram is one line", async () => {
  // A big buffer: sender and receiver share this process's event loop.
  const receiver = dgram.createSocket({ type: "udp4", recvBufferSize: 8 * 1024 * 1024 });
  const received: string[] = [];
  receiver.on("message", (message) => received.push(message.toString("utf8")));
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
  const { port } = receiver.address();
  try {
    const summary = await sendTraffic({
      host: "127.0.0.1",
      port,
      eps: 5000,
      hotels: 3,
      seed: 9,
      count: 2000,
    });
    const deadline = Date.now() + 2000;
    while (received.length < summary.lines && Date.now() < deadline) await Bun.sleep(10);
    expect(summary.lines).toBe(2000);
    expect(Object.values(summary.by_kind).reduce((sum, count) => sum + count, 0)).toBe(2000);
    expect(Object.keys(summary.by_hotel)).toEqual(["otel-1-gw", "otel-2-gw", "otel-3-gw"]);
    // 2,000 lines at 5,000/s take ~0.4 s, not a burst.
    expect(summary.seconds).toBeGreaterThan(0.3);
    // UDP on a loaded machine may drop a few even on loopback (the kernel caps the
    // buffer at net.core.rmem_max); what is received must be whole lines.
    expect(received.length).toBeGreaterThan(1900);
    for (const datagram of received) {
      expect(datagram).not.toContain("\n");
      expect(parseSyslog(datagram)["log.syslog.hostname"]).toMatch(/^otel-[123]-gw$/);
    }
  } finally {
    receiver.close();
  }
});

test("stops when aborted and says what went out", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const summary = await sendTraffic({
    host: "127.0.0.1",
    port: 9, // nobody listens: the refusals are ignored
    eps: 1000,
    hotels: 1,
    durationMs: 10_000,
    signal: controller.signal,
  });
  expect(summary.lines).toBeGreaterThan(0);
  expect(summary.lines).toBeLessThan(1000);
});
