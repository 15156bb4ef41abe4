import { dlopen, read } from "bun:ffi";

/**
 * The few libc calls the batched UDP receiver makes through `bun:ffi`, and the
 * layouts of the structs it hands them. Linux only, 64-bit glibc (x86_64 and
 * aarch64): both use the generic socket ABI, so the constants and the struct
 * offsets below are the same on the two. Anything else gets the `node:dgram`
 * receiver (see {@link loadLibc}).
 */

/** `<sys/socket.h>`, `<netinet/in.h>`, `<errno.h>`: the values shared by x86_64 and aarch64 Linux. */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
/** Like SO_RCVBUF but past net.core.rmem_max; needs CAP_NET_ADMIN. */
export const SO_RCVBUFFORCE = 33;
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const EINTR = 4;
export const EAGAIN = 11;
export const EPERM = 1;

/**
 * Offsets in bytes, 64-bit Linux (LP64: pointers and size_t are 8 bytes):
 *
 *   struct iovec   { void *iov_base; size_t iov_len; }                       16 bytes
 *   struct msghdr  { void *msg_name; socklen_t msg_namelen; (pad 4)
 *                    struct iovec *msg_iov; size_t msg_iovlen;
 *                    void *msg_control; size_t msg_controllen; int msg_flags; (pad 4) }  56 bytes
 *   struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; (pad 4) }  64 bytes
 *   struct sockaddr_in  { u16 family; u16 port (BE); u8 addr[4]; u8 zero[8] }            16 bytes
 *   struct sockaddr_in6 { u16 family; u16 port (BE); u32 flowinfo; u8 addr[16]; u32 scope_id }  28 bytes
 */
export const IOVEC_BYTES = 16;
export const MMSGHDR_BYTES = 64;
export const MSG_NAME = 0;
export const MSG_NAMELEN = 8;
export const MSG_IOV = 16;
export const MSG_IOVLEN = 24;
export const MSG_FLAGS = 48;
export const MSG_LEN = 56;
export const SOCKADDR_IN_BYTES = 16;
export const SOCKADDR_IN6_BYTES = 28;
/** Room for either sockaddr, rounded to 8. */
export const SOCKADDR_SLOT_BYTES = 32;
export const SIN_PORT = 2;
export const SIN_ADDR = 4;
export const SIN6_ADDR = 8;
export const SIN6_SCOPE_ID = 24;

const INET6_ADDRSTRLEN = 46;
const IF_NAMESIZE = 16;

const symbols = {
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  bind: { args: ["i32", "ptr", "u32"], returns: "i32" },
  getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  recvmmsg: { args: ["i32", "ptr", "u32", "i32", "ptr"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  inet_pton: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  inet_ntop: { args: ["i32", "ptr", "ptr", "u32"], returns: "ptr" },
  if_indextoname: { args: ["u32", "ptr"], returns: "ptr" },
  strerror: { args: ["i32"], returns: "cstring" },
  __errno_location: { args: [], returns: "ptr" },
} as const;

/** The bound libc functions (see `symbols`). */
export type LibcCalls = ReturnType<typeof dlopen<typeof symbols>>["symbols"];

/** libc with the helpers the receiver needs; one per process. */
export interface Libc {
  readonly calls: LibcCalls;
  /** This thread's errno, read right after a call returned -1. */
  errno(): number;
  /** `EADDRINUSE (Address already in use)`-style text for an errno. */
  describeErrno(errno: number): string;
  /** Address text as inet_ntop prints it (`192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1`). */
  formatAddress(family: number, addressBytes: Uint8Array): string;
  /** The interface name of an IPv6 scope id, or the number as text when it has none. */
  interfaceName(scopeId: number): string;
  /** The 4 or 16 bytes of an IPv4 or IPv6 address written as text, or undefined. */
  parseAddress(family: number, text: string): Uint8Array | undefined;
}

/** Why the batched receiver cannot run here, or undefined when it can. */
export function unsupportedReason(): string | undefined {
  if (process.platform !== "linux") return `platform ${process.platform} (recvmmsg is Linux only)`;
  if (process.arch !== "x64" && process.arch !== "arm64")
    return `arch ${process.arch} (struct layouts known for x64 and arm64 only)`;
  return undefined;
}

let loaded: Libc | undefined;

/**
 * Open libc through `bun:ffi` (once). Throws when this is not 64-bit Linux
 * with glibc's `libc.so.6`, or when dlopen fails: the caller then uses the
 * `node:dgram` receiver.
 *
 * @example
 * const libc = loadLibc();
 * const fd = libc.calls.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
 * if (fd < 0) throw new Error(libc.describeErrno(libc.errno()));
 */
export function loadLibc(): Libc {
  if (loaded) return loaded;
  const unsupported = unsupportedReason();
  if (unsupported) throw new Error(`batched UDP receive unsupported: ${unsupported}`);
  const calls = dlopen("libc.so.6", symbols).symbols;
  // Passed as the array itself, never as a pointer kept from an earlier ptr():
  // JSC may move a small typed array's storage.
  const text = new Uint8Array(Math.max(INET6_ADDRSTRLEN, IF_NAMESIZE) + 1);
  const decoder = new TextDecoder();
  const cString = () => decoder.decode(text.subarray(0, Math.max(0, text.indexOf(0))));
  loaded = {
    calls,
    errno: () => {
      const at = calls.__errno_location();
      return at === null ? 0 : read.i32(at, 0);
    },
    describeErrno: (errno) => `errno ${errno} (${calls.strerror(errno)})`,
    formatAddress(family, addressBytes) {
      text.fill(0);
      if (calls.inet_ntop(family, addressBytes, text, INET6_ADDRSTRLEN) === null)
        throw new Error(`inet_ntop failed for family ${family}`);
      return cString();
    },
    interfaceName(scopeId) {
      text.fill(0);
      return calls.if_indextoname(scopeId, text) === null ? String(scopeId) : cString();
    },
    parseAddress(family, addressText) {
      const out = new Uint8Array(16);
      const input = Buffer.from(`${addressText}\0`, "latin1");
      if (calls.inet_pton(family, input, out) !== 1) return undefined;
      return family === AF_INET ? out.subarray(0, 4) : out;
    },
  };
  return loaded;
}
