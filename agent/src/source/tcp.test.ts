/**
 * The TCP receiver over a real loopback connection. Framing itself is proven
 * in shared/src/syslog/framing; here: frames become datagrams with the peer as
 * source, and what the decoder drops reaches the agent's rejection count.
 */
import { expect, test } from "bun:test";
import net from "node:net";
import { parseListenAddress } from "../config/index.ts";
import { ReceiveClock } from "./clock.ts";
import type { ReceivedDatagram } from "./datagram.ts";
import { startTcpReceiver } from "./tcp.ts";

/** Send `pieces` on one connection (a pause between them), close it, and return what the receiver made of them. */
async function receive(maxFrameBytes: number, pieces: string[]) {
  const datagrams: ReceivedDatagram[] = [];
  const rejected: { reason: string; detail: Record<string, unknown> }[] = [];
  const receiver = await startTcpReceiver(
    parseListenAddress("127.0.0.1:0"),
    maxFrameBytes,
    new ReceiveClock(),
    (datagram) => datagrams.push(datagram),
    (reason, detail) => rejected.push({ reason, detail }),
  );
  const client = net.connect(receiver.port, "127.0.0.1");
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  const clientPort = client.localPort;
  for (const piece of pieces) {
    client.write(piece);
    await Bun.sleep(20);
  }
  // The receiver has handled the end of the stream once it closes its side.
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  client.end();
  client.resume();
  await closed;
  await receiver.close();
  const texts = datagrams.map((datagram) => new TextDecoder().decode(datagram.bytes));
  return { datagrams, texts, rejected, clientPort };
}

test("octet-counted and LF frames on one connection, split across reads, each a datagram from the peer", async () => {
  const before = new ReceiveClock().nowUs();
  const { datagrams, texts, rejected, clientPort } = await receive(100, [
    "5 hello<13>l",
    "ine one\r\n11 <13>has\nLF!<14>tail",
  ]);
  expect(texts).toEqual(["hello", "<13>line one", "<13>has\nLF!", "<14>tail"]);
  for (const datagram of datagrams) {
    expect(datagram).toMatchObject({ src: "127.0.0.1", port: clientPort, transport: "tcp" });
    expect(datagram.receivedAtUs).toBeGreaterThanOrEqual(before);
  }
  expect(rejected).toEqual([]);
});

test("an over-long frame is rejected as frame_too_long and the stream resynchronises", async () => {
  const { texts, rejected, clientPort } = await receive(8, ["<13>much too long\n<13>ok\n"]);
  expect(texts).toEqual(["<13>ok"]);
  expect(rejected).toEqual([
    {
      reason: "frame_too_long",
      detail: { src: "127.0.0.1", port: clientPort, droppedBytes: "<13>much too long".length },
    },
  ]);
});

test("an octet-counted frame cut short by the close is rejected as invalid_frame, not stored", async () => {
  const { texts, rejected } = await receive(100, ["<13>whole\n", "40 <13>cut short"]);
  expect(texts).toEqual(["<13>whole"]);
  expect(rejected.map((rejection) => rejection.reason)).toEqual(["invalid_frame"]);
});
