import net from "node:net";
import { type FrameError, SyslogFrameDecoder } from "../../../shared/src/syslog/framing/index.ts";
import type { ListenAddress } from "../config/index.ts";
import type { ReceiveClock } from "./clock.ts";
import type { DatagramSink } from "./datagram.ts";

/** A listening TCP syslog server. */
export interface TcpReceiver {
  readonly address: ListenAddress;
  readonly port: number;
  close(): Promise<void>;
}

/** The `DatagramRejected` reason of each frame the decoder drops. */
const REJECT_REASON: Record<FrameError["kind"], string> = {
  oversized: "frame_too_long",
  // The connection closed inside an octet-counted frame.
  truncated: "invalid_frame",
};

/**
 * Listen for syslog over TCP (RFC 6587: octet counting or LF framing, detected
 * per frame, by the shared decoder). Every frame becomes one datagram with the
 * connection's peer as source; a frame's receive time is when its last byte
 * arrived. Frames longer than `maxFrameBytes`, and an octet-counted frame the
 * connection cut short, are not stored: each goes to `onReject` once.
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
    const src = socket.remoteAddress ?? "0.0.0.0";
    const port = socket.remotePort ?? 0;
    let cutShort = false;
    const decoder = new SyslogFrameDecoder({
      maxFrameBytes,
      onFrameError: (error) => {
        if (error.kind === "truncated") cutShort = true;
        onReject(REJECT_REASON[error.kind], { src, port, droppedBytes: error.bytes });
      },
    });
    const deliver = (frames: Uint8Array[]) => {
      if (frames.length === 0) return;
      const receivedAtUs = clock.nowUs();
      for (const bytes of frames) sink({ receivedAtUs, src, port, transport: "tcp", bytes });
    };
    socket.on("data", (chunk: Buffer | string) =>
      deliver(decoder.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)),
    );
    socket.on("end", () => {
      const last = decoder.end();
      // The part of a cut octet-counted frame that arrived was counted as rejected: not stored.
      deliver(cutShort ? [] : last);
    });
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
