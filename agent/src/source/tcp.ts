import net from "node:net";
import type { ListenAddress } from "../config/index.ts";
import type { ReceiveClock } from "./clock.ts";
import type { DatagramSink } from "./datagram.ts";
import { SyslogFrameDecoder } from "./framing.ts";

/** A listening TCP syslog server. */
export interface TcpReceiver {
  readonly address: ListenAddress;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listen for syslog over TCP (RFC 6587: octet counting or LF framing, detected
 * per frame). Every frame becomes one datagram with the connection's peer as
 * source; a frame's receive time is when its last byte arrived.
 *
 * @example
 * const tcp = await startTcpReceiver(parseListenAddress("0.0.0.0:514"), 65536, clock, wal.append, onReject);
 */
export function startTcpReceiver(
  address: ListenAddress,
  maxFrameBytes: number,
  clock: ReceiveClock,
  sink: DatagramSink,
  onReject: (reason: string, detail: Record<string, unknown>) => void,
): Promise<TcpReceiver> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    const decoder = new SyslogFrameDecoder(maxFrameBytes);
    const src = socket.remoteAddress ?? "0.0.0.0";
    const port = socket.remotePort ?? 0;
    const deliver = (events: ReturnType<SyslogFrameDecoder["push"]>) => {
      if (events.length === 0) return;
      const receivedAtUs = clock.nowUs();
      for (const event of events) {
        if (event.kind === "frame")
          sink({ receivedAtUs, src, port, transport: "tcp", bytes: event.bytes });
        else onReject(event.reason, { src, port, droppedBytes: event.droppedBytes });
      }
    };
    socket.on("data", (chunk: Buffer | string) =>
      deliver(decoder.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)),
    );
    socket.on("end", () => deliver(decoder.finish()));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => connections.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: address.port, host: address.host, ipv6Only: address.ipv6 }, () => {
      server.off("error", reject);
      const bound = server.address();
      resolve({
        address,
        port: typeof bound === "object" && bound ? bound.port : address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of connections) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
