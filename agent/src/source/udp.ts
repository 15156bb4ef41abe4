import dgram from "node:dgram";
import type { ListenAddress } from "../config/index.ts";
import type { ReceiveClock } from "./clock.ts";
import type { DatagramBytesSink, DatagramSink } from "./datagram.ts";
import { unsupportedReason } from "./linux/libc.ts";
import { startBatchUdpReceiver, UdpSocketError } from "./udp-batch.ts";

/** A bound UDP syslog socket and what the kernel granted it. */
export interface UdpReceiver {
  readonly address: ListenAddress;
  /** How it reads: recvmmsg through FFI (Linux), or node:dgram (elsewhere, or when FFI failed). */
  readonly path: UdpReceivePath;
  /** The port actually bound (differs from the config when it asked for 0). */
  readonly port: number;
  /** The IP address actually bound (a host name in the config resolved), e.g. for /proc/net/udp. */
  readonly boundAddress: string;
  readonly recvBufferRequestedBytes: number;
  /** What the kernel reports (Linux doubles the request, or 2 × net.core.rmem_max when capped). */
  readonly recvBufferEffectiveBytes: number;
  /** True when the kernel gave less than asked: a burst may overflow it. */
  readonly recvBufferCapped: boolean;
  close(): Promise<void>;
}

/** The two ways the agent reads a UDP socket. */
export type UdpReceivePath = "recvmmsg" | "node:dgram";

/** The `sysctl` an operator runs when the receive buffer was capped. */
export function rmemHint(requestedBytes: number): string {
  return `sysctl -w net.core.rmem_max=${requestedBytes} (and add net.core.rmem_max=${requestedBytes} to /etc/sysctl.d/90-logmaster.conf)`;
}

/** What {@link openUdpReceiver} needs. */
export interface UdpReceiverOptions {
  address: ListenAddress;
  /** Receive buffer to ask the kernel for (forced past rmem_max when permitted). */
  recvBufferBytes: number;
  /** Receive time, µs since the epoch. */
  nowUs: () => number;
  sink: DatagramBytesSink;
  onError: (error: Error) => void;
  /** A datagram arrived cut (longer than a receive slot); it is not recorded. */
  onTruncated: (detail: { src: string; port: number; keptBytes: number }) => void;
  /** `auto` (default): recvmmsg where it runs, else node:dgram; the others force one. */
  path?: UdpReceivePath | "auto";
}

/**
 * Bind one UDP syslog listener the fastest way this system allows: recvmmsg
 * through `bun:ffi` on 64-bit Linux, `node:dgram` elsewhere or when the FFI
 * path cannot start (no glibc, dlopen refused). `fallbackReason` says why the
 * slower path was taken, for the log.
 *
 * @example
 * const { receiver, fallbackReason } = await openUdpReceiver({
 *   address: parseListenAddress("0.0.0.0:514"), recvBufferBytes: 32 << 20,
 *   nowUs: () => clock.nowUs(), sink: wal, onError, onTruncated,
 * });
 */
export async function openUdpReceiver(
  options: UdpReceiverOptions,
): Promise<{ receiver: UdpReceiver; fallbackReason?: string }> {
  const path = options.path ?? "auto";
  let fallbackReason = path === "node:dgram" ? "forced by udp.receivePath" : unsupportedReason();
  if (fallbackReason === undefined) {
    try {
      return { receiver: await startBatchUdpReceiver(options) };
    } catch (error) {
      // A socket error (port in use, no such address) is the same on either path: report it.
      if (path === "recvmmsg" || error instanceof UdpSocketError) throw error;
      fallbackReason = `recvmmsg unavailable: ${(error as Error).message}`;
    }
  }
  const { sink } = options;
  const receiver = await startUdpReceiver(
    options.address,
    options.recvBufferBytes,
    { nowUs: options.nowUs },
    (datagram) =>
      sink.appendBytes(
        datagram.receivedAtUs,
        datagram.src,
        datagram.port,
        datagram.transport,
        datagram.bytes,
        0,
        datagram.bytes.byteLength,
      ),
    options.onError,
  );
  return { receiver, fallbackReason };
}

/**
 * Bind one UDP syslog listener with `node:dgram`; each datagram goes to
 * `sink` with its receive time, sender and exact bytes. An IPv6 address opens an IPv6-only socket so
 * that `0.0.0.0:514` and `[::]:514` can coexist.
 *
 * @example
 * const udp = await startUdpReceiver(parseListenAddress("0.0.0.0:514"), 32 << 20, clock, wal.append, onError);
 * if (udp.recvBufferCapped) console.warn(rmemHint(32 << 20));
 */
export function startUdpReceiver(
  address: ListenAddress,
  recvBufferBytes: number,
  clock: Pick<ReceiveClock, "nowUs">,
  sink: DatagramSink,
  onError: (error: Error) => void,
): Promise<UdpReceiver> {
  const socket = dgram.createSocket({
    type: address.ipv6 ? "udp6" : "udp4",
    ipv6Only: address.ipv6,
    recvBufferSize: recvBufferBytes,
  });
  socket.on("message", (bytes, rinfo) => {
    sink({
      receivedAtUs: clock.nowUs(),
      src: rinfo.address,
      port: rinfo.port,
      transport: "udp",
      bytes,
    });
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(address.port, address.host, () => {
      socket.off("error", reject);
      socket.on("error", onError);
      let effective = 0;
      try {
        effective = socket.getRecvBufferSize();
      } catch {
        effective = 0;
      }
      resolve({
        address,
        path: "node:dgram",
        port: socket.address().port,
        boundAddress: socket.address().address,
        recvBufferRequestedBytes: recvBufferBytes,
        recvBufferEffectiveBytes: effective,
        recvBufferCapped: effective < recvBufferBytes,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
