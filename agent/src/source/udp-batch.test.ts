import { afterEach, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { parseListenAddress } from "../config/index.ts";
import type { DatagramBytesSink } from "./datagram.ts";
import { unsupportedReason } from "./linux/libc.ts";
import { openUdpReceiver, type UdpReceiver } from "./udp.ts";
import { type BatchUdpReceiverOptions, startBatchUdpReceiver } from "./udp-batch.ts";

interface Received {
  receivedAtUs: number;
  src: string;
  port: number;
  bytes: Buffer;
}

/** A sink that keeps a copy of each datagram (the receiver reuses its buffer). */
function collectingSink(): DatagramBytesSink & { received: Received[]; flushes: number } {
  const sink = {
    received: [] as Received[],
    flushes: 0,
    appendBytes(
      receivedAtUs: number,
      src: string,
      port: number,
      _transport: string,
      buffer: Uint8Array,
      offset: number,
      length: number,
    ) {
      sink.received.push({
        receivedAtUs,
        src,
        port,
        bytes: Buffer.from(buffer.subarray(offset, offset + length)),
      });
    },
    flush() {
      sink.flushes++;
    },
  };
  return sink;
}

const open: UdpReceiver[] = [];
const senders: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  for (const socket of senders.splice(0)) socket.close();
});

async function start(
  listen: string,
  sink: DatagramBytesSink,
  extra: Partial<BatchUdpReceiverOptions> = {},
): Promise<UdpReceiver> {
  const receiver = await startBatchUdpReceiver({
    address: parseListenAddress(listen),
    recvBufferBytes: 1024 * 1024,
    nowUs: () => 1_795_334_400_123_456,
    sink,
    onError: (error) => {
      throw error;
    },
    onTruncated: () => {},
    ...extra,
  });
  open.push(receiver);
  return receiver;
}

async function sender(type: "udp4" | "udp6", host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket(type);
  senders.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return socket;
}

function send(socket: dgram.Socket, bytes: Uint8Array, port: number, host: string) {
  return new Promise<void>((resolve, reject) =>
    socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())),
  );
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe.skipIf(unsupportedReason() !== undefined)("recvmmsg receiver (Linux)", () => {
  test("IPv4: exact bytes, sender address and port, the batch's receive time, one flush per poll", async () => {
    const sink = collectingSink();
    const receiver = await start("127.0.0.1:0", sink);
    expect(receiver.path).toBe("recvmmsg");
    expect(receiver.boundAddress).toBe("127.0.0.1");
    expect(receiver.port).toBeGreaterThan(0);
    const socket = await sender("udp4", "127.0.0.1");
    const sent = [
      Buffer.from("<134>dhcp,info assigned 10.0.0.7"),
      Buffer.from([0x3c, 0x31, 0x3e, 0xff, 0x00, 0x0a]),
      Buffer.alloc(0),
    ];
    for (const bytes of sent) await send(socket, bytes, receiver.port, "127.0.0.1");
    await until(() => sink.received.length === sent.length, "3 datagrams");
    expect(sink.received.map((datagram) => datagram.bytes)).toEqual(sent);
    for (const datagram of sink.received) {
      expect(datagram.src).toBe("127.0.0.1");
      expect(datagram.port).toBe(socket.address().port);
      expect(datagram.receivedAtUs).toBe(1_795_334_400_123_456);
    }
    expect(sink.flushes).toBeGreaterThan(0);
  });

  test("IPv6: an IPv6-only socket, the sender's address as the OS prints it", async () => {
    const sink = collectingSink();
    const receiver = await start("[::1]:0", sink);
    expect(receiver.boundAddress).toBe("::1");
    const socket = await sender("udp6", "::1");
    await send(socket, Buffer.from("over IPv6"), receiver.port, "::1");
    await until(() => sink.received.length === 1, "1 datagram");
    expect(sink.received[0]).toMatchObject({
      src: "::1",
      port: socket.address().port,
      bytes: Buffer.from("over IPv6"),
    });
    // IPv6-only: the IPv4 port of the same number is not ours.
    const v4 = await start(`127.0.0.1:${receiver.port}`, collectingSink());
    expect(v4.port).toBe(receiver.port);
  });

  test("more datagrams than one recvmmsg takes arrive whole and in order", async () => {
    const sink = collectingSink();
    const receiver = await start("127.0.0.1:0", sink, { batch: 8 });
    const socket = await sender("udp4", "127.0.0.1");
    for (let i = 0; i < 500; i++)
      await send(socket, Buffer.from(`<13>line ${i}`), receiver.port, "127.0.0.1");
    await until(() => sink.received.length === 500, "500 datagrams");
    expect(sink.received.map((datagram) => datagram.bytes.toString())).toEqual(
      Array.from({ length: 500 }, (_, i) => `<13>line ${i}`),
    );
  });

  test("the largest IPv4 datagram (65,507 bytes) fits a default slot, byte for byte", async () => {
    const sink = collectingSink();
    const receiver = await start("127.0.0.1:0", sink);
    const socket = await sender("udp4", "127.0.0.1");
    const big = Buffer.alloc(65_507);
    for (let i = 0; i < big.byteLength; i++) big[i] = (i * 31) & 0xff;
    await send(socket, big, receiver.port, "127.0.0.1");
    await until(() => sink.received.length === 1, "the big datagram");
    expect(Buffer.compare(sink.received[0]?.bytes ?? Buffer.alloc(0), big)).toBe(0);
  });

  test("a datagram longer than a slot is reported as truncated, not recorded cut", async () => {
    const sink = collectingSink();
    const truncated: { src: string; port: number; keptBytes: number }[] = [];
    const receiver = await start("127.0.0.1:0", sink, {
      slotBytes: 1024,
      onTruncated: (detail) => truncated.push(detail),
    });
    const socket = await sender("udp4", "127.0.0.1");
    await send(socket, Buffer.alloc(3000, 0x61), receiver.port, "127.0.0.1");
    await send(socket, Buffer.from("after"), receiver.port, "127.0.0.1");
    await until(() => sink.received.length === 1, "the datagram after");
    expect(sink.received[0]?.bytes.toString()).toBe("after");
    expect(truncated).toEqual([{ src: "127.0.0.1", port: socket.address().port, keptBytes: 1024 }]);
  });

  test("reports the receive buffer the kernel granted (forced past rmem_max when permitted)", async () => {
    const receiver = await start("127.0.0.1:0", collectingSink(), {
      recvBufferBytes: 256 * 1024,
    });
    expect(receiver.recvBufferRequestedBytes).toBe(256 * 1024);
    // Linux doubles what it grants (bookkeeping overhead): 2 x the request, or 2 x rmem_max.
    expect(receiver.recvBufferEffectiveBytes).toBeGreaterThan(0);
    expect(receiver.recvBufferCapped).toBe(receiver.recvBufferEffectiveBytes < 256 * 1024);
  });

  test.skipIf(process.getuid?.() !== 0 || !Bun.which("setpriv"))(
    "without CAP_NET_ADMIN the buffer stays at 2 x rmem_max and is reported capped",
    async () => {
      const rmemMax = Number((await Bun.file("/proc/sys/net/core/rmem_max").text()).trim());
      const request = rmemMax * 4;
      const script = `
        const { startBatchUdpReceiver } = await import(${JSON.stringify(`${import.meta.dir}/udp-batch.ts`)});
        const r = await startBatchUdpReceiver({
          address: { host: "127.0.0.1", port: 0, ipv6: false }, recvBufferBytes: ${request},
          nowUs: () => 0, sink: { appendBytes() {}, flush() {} }, onError() {}, onTruncated() {},
        });
        console.log(JSON.stringify([r.recvBufferEffectiveBytes, r.recvBufferCapped]));
        await r.close();`;
      const run = (prefix: string[]) =>
        Bun.spawnSync([...prefix, process.execPath, "-e", script])
          .stdout.toString()
          .trim();
      expect(JSON.parse(run([]))).toEqual([request * 2, false]);
      const dropped = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin"];
      expect(JSON.parse(run(dropped))).toEqual([rmemMax * 2, true]);
    },
  );

  test("close takes what is still in the socket, then frees the port", async () => {
    const sink = collectingSink();
    const receiver = await start("127.0.0.1:0", sink);
    const socket = await sender("udp4", "127.0.0.1");
    await send(socket, Buffer.from("last words"), receiver.port, "127.0.0.1");
    await Bun.sleep(0);
    await receiver.close();
    open.splice(open.indexOf(receiver), 1);
    expect(sink.received.map((datagram) => datagram.bytes.toString())).toEqual(["last words"]);
    const again = dgram.createSocket("udp4");
    senders.push(again);
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.bind(receiver.port, "127.0.0.1", () => resolve());
    });
  });

  test("a port in use is an error, not a fallback", async () => {
    const first = await start("127.0.0.1:0", collectingSink());
    await expect(
      openUdpReceiver({
        address: parseListenAddress(`127.0.0.1:${first.port}`),
        recvBufferBytes: 65536,
        nowUs: () => 0,
        sink: collectingSink(),
        onError: () => {},
        onTruncated: () => {},
      }),
    ).rejects.toThrow(/bind failed: errno 98/);
  });
});

describe("openUdpReceiver", () => {
  test("auto takes recvmmsg where it runs; node:dgram when forced, still through the bytes sink", async () => {
    const base = {
      recvBufferBytes: 65536,
      nowUs: () => 42,
      onError: () => {},
      onTruncated: () => {},
    };
    const auto = await openUdpReceiver({
      ...base,
      address: parseListenAddress("127.0.0.1:0"),
      sink: collectingSink(),
    });
    open.push(auto.receiver);
    expect(auto.receiver.path).toBe(unsupportedReason() ? "node:dgram" : "recvmmsg");

    const sink = collectingSink();
    const forced = await openUdpReceiver({
      ...base,
      address: parseListenAddress("127.0.0.1:0"),
      sink,
      path: "node:dgram",
    });
    open.push(forced.receiver);
    expect(forced.receiver.path).toBe("node:dgram");
    expect(forced.fallbackReason).toBe("forced by udp.receivePath");
    const socket = await sender("udp4", "127.0.0.1");
    await send(socket, Buffer.from("via dgram"), forced.receiver.port, "127.0.0.1");
    await until(() => sink.received.length === 1, "1 datagram");
    expect(sink.received[0]).toMatchObject({
      receivedAtUs: 42,
      src: "127.0.0.1",
      port: socket.address().port,
      bytes: Buffer.from("via dgram"),
    });
  });
});
