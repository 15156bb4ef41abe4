import { type Pointer, ptr } from "bun:ffi";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import {
  AF_INET,
  AF_INET6,
  EAGAIN,
  EINTR,
  IOVEC_BYTES,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  type Libc,
  loadLibc,
  MMSGHDR_BYTES,
  MSG_DONTWAIT,
  MSG_FLAGS,
  MSG_IOV,
  MSG_IOVLEN,
  MSG_LEN,
  MSG_NAME,
  MSG_NAMELEN,
  MSG_TRUNC,
  SIN_ADDR,
  SIN_PORT,
  SIN6_ADDR,
  SIN6_SCOPE_ID,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_IN_BYTES,
  SOCKADDR_IN6_BYTES,
  SOCKADDR_SLOT_BYTES,
  SOL_SOCKET,
} from "./linux/libc.ts";
import type { UdpReceiver, UdpReceiverOptions } from "./udp.ts";

/**
 * The Linux UDP receiver: a socket made through `bun:ffi`, read with
 * `recvmmsg` up to {@link DEFAULT_BATCH} datagrams a call straight into one
 * preallocated buffer, and handed to the WAL without an object, a Buffer or a
 * string per datagram. Why, and what it measured against `node:dgram` and
 * rsyslog: docs/decisions.md, "UDP receive path".
 *
 * Bun's event loop cannot watch a socket it did not open, so the receiver
 * polls: it drains the socket (non-blocking) on a timer whose period follows
 * the rate, aiming at {@link TARGET_PER_POLL} datagrams a poll: every 1 ms in
 * a flood, up to every {@link MAX_POLL_MS} when little or nothing comes (a
 * Bun timer wake costs ~30-75 µs of CPU, so polling an idle socket every 1 ms
 * would cost ~3% of a core). What arrives
 * between two polls waits in the kernel's receive buffer, which this socket
 * forces past `net.core.rmem_max` when the process may (CAP_NET_ADMIN).
 */

/** Datagrams per recvmmsg call. */
export const DEFAULT_BATCH = 64;
/**
 * Bytes per datagram slot: more than the largest UDP payload (65,507 bytes
 * over IPv4, 65,527 over IPv6), so no datagram is ever cut. The kernel only
 * touches the pages a datagram fills, so the 4 MiB of slots cost RSS only as
 * large datagrams arrive.
 */
export const DEFAULT_SLOT_BYTES = 64 * 1024;
/** recvmmsg calls per timer tick before other work (status, fsync) gets a turn. */
const MAX_BATCHES_PER_TICK = 16;
const MIN_POLL_MS = 1;
/**
 * The longest wait between polls (a quiet socket): a burst starting just
 * after a poll waits this long in the kernel buffer, 2,400 datagrams at
 * 300,000/s (~3 MiB of kernel buffer for 226-byte datagrams).
 */
export const MAX_POLL_MS = 8;
/** Datagrams a poll aims to find: the period shrinks when more wait, grows when fewer do. */
export const TARGET_PER_POLL = 64;

/** What {@link startBatchUdpReceiver} needs: the receiver's options, and two for tests. */
export interface BatchUdpReceiverOptions extends Omit<UdpReceiverOptions, "path"> {
  /** Bytes per slot (tests make it small to see truncation). */
  slotBytes?: number;
  /** Datagrams per recvmmsg call. */
  batch?: number;
}

/**
 * Bind a UDP syslog listener read with recvmmsg (Linux, x64/arm64 only; the
 * caller falls back to `node:dgram` when this throws for want of FFI). An IPv6
 * address opens an IPv6-only socket, so `0.0.0.0:514` and `[::]:514` coexist.
 *
 * @example
 * const udp = await startBatchUdpReceiver({
 *   address: parseListenAddress("0.0.0.0:514"), recvBufferBytes: 32 << 20,
 *   nowUs: () => clock.nowUs(), sink: wal, onError, onTruncated,
 * });
 * if (udp.recvBufferCapped) console.warn(rmemHint(32 << 20));
 * await udp.close();
 */
export async function startBatchUdpReceiver(
  options: BatchUdpReceiverOptions,
): Promise<UdpReceiver> {
  const libc = loadLibc();
  const { address, recvBufferBytes } = options;
  const family = address.ipv6 ? AF_INET6 : AF_INET;
  const host = isIP(address.host)
    ? address.host
    : (await lookup(address.host, { family: address.ipv6 ? 6 : 4 })).address;
  const socket = openSocket(libc, family, host, address.port, recvBufferBytes);
  const reader = new BatchReader(libc, socket.fd, options);
  reader.start();
  return {
    address,
    path: "recvmmsg",
    port: socket.port,
    boundAddress: socket.boundAddress,
    recvBufferRequestedBytes: recvBufferBytes,
    recvBufferEffectiveBytes: socket.effectiveBytes,
    recvBufferCapped: socket.effectiveBytes < recvBufferBytes,
    close: () => {
      reader.stop();
      return Promise.resolve();
    },
  };
}

/**
 * The socket itself could not be made, set up or bound (port in use, no such
 * address): `node:dgram` would fail the same way, so this is not a reason to
 * fall back to it.
 */
export class UdpSocketError extends Error {
  override name = "UdpSocketError";
}

interface OpenSocket {
  fd: number;
  port: number;
  boundAddress: string;
  effectiveBytes: number;
}

/** socket + IPV6_V6ONLY + receive buffer + bind; closes the fd on any failure. */
function openSocket(
  libc: Libc,
  family: number,
  host: string,
  port: number,
  recvBufferBytes: number,
): OpenSocket {
  const { calls } = libc;
  const where = family === AF_INET6 ? `[${host}]:${port}` : `${host}:${port}`;
  const fail = (call: string): never => {
    throw new UdpSocketError(`UDP ${where}: ${call} failed: ${libc.describeErrno(libc.errno())}`);
  };
  const fd = calls.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  try {
    const int = new Int32Array(1);
    const setInt = (level: number, name: number, value: number): boolean => {
      int[0] = value;
      return calls.setsockopt(fd, level, name, ptr(int), 4) === 0;
    };
    if (family === AF_INET6 && !setInt(IPPROTO_IPV6, IPV6_V6ONLY, 1)) fail("IPV6_V6ONLY");
    // As rsyslog does: past rmem_max when we may (CAP_NET_ADMIN), else what rmem_max allows.
    if (!setInt(SOL_SOCKET, SO_RCVBUFFORCE, recvBufferBytes)) {
      if (!setInt(SOL_SOCKET, SO_RCVBUF, recvBufferBytes)) fail("SO_RCVBUF");
    }
    const bytes = libc.parseAddress(family, host);
    if (!bytes)
      throw new UdpSocketError(`UDP ${where}: not an IPv${family === AF_INET6 ? 6 : 4} address`);
    const name = new Uint8Array(SOCKADDR_SLOT_BYTES);
    const view = new DataView(name.buffer);
    view.setUint16(0, family, true);
    view.setUint16(SIN_PORT, port, false);
    name.set(bytes, family === AF_INET6 ? SIN6_ADDR : SIN_ADDR);
    const nameBytes = family === AF_INET6 ? SOCKADDR_IN6_BYTES : SOCKADDR_IN_BYTES;
    if (calls.bind(fd, ptr(name), nameBytes) !== 0) fail("bind");
    const length = new Uint32Array([SOCKADDR_SLOT_BYTES]);
    name.fill(0);
    if (calls.getsockname(fd, ptr(name), ptr(length)) !== 0) fail("getsockname");
    const size = new Uint32Array([4]);
    int[0] = 0;
    if (calls.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, ptr(int), ptr(size)) !== 0) fail("getsockopt");
    return {
      fd,
      port: view.getUint16(SIN_PORT, false),
      boundAddress: libc.formatAddress(
        family,
        name.subarray(family === AF_INET6 ? SIN6_ADDR : SIN_ADDR, family === AF_INET6 ? 24 : 8),
      ),
      effectiveBytes: int[0] ?? 0,
    };
  } catch (error) {
    calls.close(fd);
    throw error;
  }
}

/**
 * The poll loop over one socket: recvmmsg into `batch` slots of one buffer,
 * each datagram to the sink, one flush per tick.
 */
class BatchReader {
  readonly #batch: number;
  readonly #slotBytes: number;
  /** Datagram slots, back to back. */
  readonly #data: Buffer;
  /** mmsghdr array, then the sockaddr slots, then the iovecs. */
  readonly #control: Uint8Array;
  readonly #view: DataView;
  readonly #headersPtr: Pointer;
  readonly #namesAt: number;
  readonly #sources: SourceNames;
  /** Re-armed with refresh() while the period stays the same: a flood allocates nothing per tick. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #periodMs = MIN_POLL_MS;
  #stopped = false;
  readonly #tick = () => this.#poll(true);

  constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly options: BatchUdpReceiverOptions,
  ) {
    this.#batch = options.batch ?? DEFAULT_BATCH;
    this.#slotBytes = options.slotBytes ?? DEFAULT_SLOT_BYTES;
    this.#data = Buffer.allocUnsafe(this.#batch * this.#slotBytes);
    this.#namesAt = this.#batch * MMSGHDR_BYTES;
    const iovsAt = this.#namesAt + this.#batch * SOCKADDR_SLOT_BYTES;
    // One ArrayBuffer (not a small typed array JSC may move): the kernel
    // follows the pointers written into it on every call.
    this.#control = new Uint8Array(new ArrayBuffer(iovsAt + this.#batch * IOVEC_BYTES));
    this.#view = new DataView(this.#control.buffer);
    this.#headersPtr = ptr(this.#control);
    const dataPtr = ptr(this.#data);
    for (let i = 0; i < this.#batch; i++) {
      const header = i * MMSGHDR_BYTES;
      const iov = iovsAt + i * IOVEC_BYTES;
      this.#view.setBigUint64(iov, BigInt(dataPtr + i * this.#slotBytes), true);
      this.#view.setBigUint64(iov + 8, BigInt(this.#slotBytes), true);
      this.#view.setBigUint64(
        header + MSG_NAME,
        BigInt(this.#headersPtr + this.#namesAt + i * SOCKADDR_SLOT_BYTES),
        true,
      );
      this.#view.setUint32(header + MSG_NAMELEN, SOCKADDR_SLOT_BYTES, true);
      this.#view.setBigUint64(header + MSG_IOV, BigInt(this.#headersPtr + iov), true);
      this.#view.setBigUint64(header + MSG_IOVLEN, 1n, true);
    }
    this.#sources = new SourceNames(libc, this.#control, this.#view);
  }

  start(): void {
    this.#timer = setTimeout(this.#tick, this.#periodMs);
  }

  /** Stop polling, take what is still in the socket, close it (the port is free after). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#poll(false);
    this.libc.calls.close(this.fd);
  }

  /** Drain up to MAX_BATCHES_PER_TICK batches, flush, and (when `again`) schedule the next poll. */
  #poll(again: boolean): void {
    let received = 0;
    let batches = 0;
    let failed = false;
    try {
      while (batches < MAX_BATCHES_PER_TICK) {
        const count = this.#receiveBatch();
        if (count < 0) {
          failed = true;
          break;
        }
        received += count;
        batches++;
        if (count < this.#batch) break;
      }
    } catch (error) {
      this.options.onError(error as Error);
    }
    if (received > 0) this.options.sink.flush();
    if (!again || this.#stopped) return;
    if (received > 0 && batches === MAX_BATCHES_PER_TICK) {
      setImmediate(this.#tick); // more is waiting: go on after the other work of this turn
      return;
    }
    const wanted =
      received === 0 || failed ? this.#periodMs * 2 : (this.#periodMs * TARGET_PER_POLL) / received;
    const periodMs = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, Math.round(wanted)));
    if (periodMs !== this.#periodMs || this.#timer === undefined) {
      this.#periodMs = periodMs;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(this.#tick, periodMs);
    } else this.#timer.refresh();
  }

  /** One recvmmsg: datagrams handed to the sink, 0 when none waited, -1 on an error (reported). */
  #receiveBatch(): number {
    const view = this.#view;
    const count = this.libc.calls.recvmmsg(
      this.fd,
      this.#headersPtr,
      this.#batch,
      MSG_DONTWAIT,
      null,
    );
    if (count < 0) {
      const errno = this.libc.errno();
      if (errno === EAGAIN || errno === EINTR) return 0;
      this.options.onError(new Error(`recvmmsg failed: ${this.libc.describeErrno(errno)}`));
      return -1;
    }
    if (count === 0) return 0;
    const receivedAtUs = this.options.nowUs();
    const { sink } = this.options;
    for (let i = 0; i < count; i++) {
      const header = i * MMSGHDR_BYTES;
      const length = view.getUint32(header + MSG_LEN, true);
      const nameAt = this.#namesAt + i * SOCKADDR_SLOT_BYTES;
      const src = this.#sources.nameAt(nameAt);
      const port = view.getUint16(nameAt + SIN_PORT, false);
      // msg_namelen is in/out: give the next call the whole slot again.
      view.setUint32(header + MSG_NAMELEN, SOCKADDR_SLOT_BYTES, true);
      if ((view.getInt32(header + MSG_FLAGS, true) & MSG_TRUNC) !== 0) {
        this.options.onTruncated({ src, port, keptBytes: length });
        continue;
      }
      sink.appendBytes(receivedAtUs, src, port, "udp", this.#data, i * this.#slotBytes, length);
    }
    return count;
  }
}

/** Most sender addresses remembered (a site has a handful of routers). */
const SOURCE_CACHE_LIMIT = 4096;

/**
 * The text of a sender's sockaddr, made once per address: a flood from one
 * router costs a Map lookup per datagram, not a string.
 */
class SourceNames {
  readonly #ipv4 = new Map<number, string>();
  /** Keyed by a hash of the 16 address bytes and scope; the entry's words are compared. */
  readonly #ipv6 = new Map<number, { words: Uint32Array; text: string }>();

  constructor(
    private readonly libc: Libc,
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
  ) {}

  /** The address text of the sockaddr at `at` of the control buffer. */
  nameAt(at: number): string {
    const view = this.view;
    if (view.getUint16(at, true) === AF_INET) {
      const ip = view.getUint32(at + SIN_ADDR, false);
      const known = this.#ipv4.get(ip);
      if (known !== undefined) return known;
      const text = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      if (this.#ipv4.size >= SOURCE_CACHE_LIMIT) this.#ipv4.clear();
      this.#ipv4.set(ip, text);
      return text;
    }
    const w0 = view.getUint32(at + SIN6_ADDR, true);
    const w1 = view.getUint32(at + SIN6_ADDR + 4, true);
    const w2 = view.getUint32(at + SIN6_ADDR + 8, true);
    const w3 = view.getUint32(at + SIN6_ADDR + 12, true);
    const scope = view.getUint32(at + SIN6_SCOPE_ID, true);
    const key =
      Math.imul(Math.imul(Math.imul(Math.imul(w0, 31) ^ w1, 31) ^ w2, 31) ^ w3, 31) ^ scope;
    const known = this.#ipv6.get(key);
    if (
      known !== undefined &&
      known.words[0] === w0 &&
      known.words[1] === w1 &&
      known.words[2] === w2 &&
      known.words[3] === w3 &&
      known.words[4] === scope
    )
      return known.text;
    let text = this.libc.formatAddress(
      AF_INET6,
      this.bytes.subarray(at + SIN6_ADDR, at + SIN6_ADDR + 16),
    );
    // A link-local sender keeps its zone: without the interface it names no one.
    if (scope !== 0 && /^fe[89ab]/i.test(text)) text += `%${zoneName(this.libc, scope)}`;
    if (this.#ipv6.size >= SOURCE_CACHE_LIMIT) this.#ipv6.clear();
    this.#ipv6.set(key, { words: Uint32Array.of(w0, w1, w2, w3, scope), text });
    return text;
  }
}

/** The interface name for a zone, or its number when the name has characters `src` may not hold. */
function zoneName(libc: Libc, scopeId: number): string {
  const name = libc.interfaceName(scopeId);
  return /^[0-9A-Za-z._-]{1,64}$/.test(name) ? name : String(scopeId);
}
