/**
 * The one grammar of a listen address, for every listener the project opens
 * (agent: `udp.listen`, `tcp.listen`, `status.listen`; hub: `--ingest`,
 * `--http`):
 *
 *   HOST:PORT     `0.0.0.0:514`, `127.0.0.1:8080`, `hub.example:8443`
 *   [IPv6]:PORT   `[::]:514`, `[::1]:8080`
 *   :PORT         every IPv4 interface, the same as `0.0.0.0:PORT`
 *
 * The port is 0..65535; 0 asks the OS for a free one (tests). An IPv6 address
 * must be in brackets, so the last colon always starts the port.
 */
import { BlockList, isIPv6 } from "node:net";
import { z } from "zod";

/** A listen address split into host and port. */
export interface ListenAddress {
  /** What the socket binds: a name, an IPv4 address or an IPv6 address (without brackets). */
  host: string;
  port: number;
  /** True when the host was given in brackets (`[::]:514`): an IPv6 socket (udp6, IPv6-only). */
  ipv6: boolean;
}

const ALL_INTERFACES = "0.0.0.0";
const MAX_PORT = 65_535;
const GRAMMAR = "HOST:PORT, [IPv6]:PORT or :PORT";
/** `[IPv6]` | `HOST` | nothing, then `:PORT`. */
const LISTEN_ADDRESS = /^(?:\[([^\]]*)\]|([^:[\]\s]*)):(\d{1,5})$/;

/** The address `text` names, or the reason it names none. */
function readListenAddress(text: string): ListenAddress | { problem: string } {
  const match = LISTEN_ADDRESS.exec(text);
  if (!match) return { problem: "" };
  const [, bracketed, host, portText] = match;
  const port = Number(portText);
  if (port > MAX_PORT) return { problem: `port ${port} is above ${MAX_PORT}` };
  if (bracketed !== undefined) {
    if (!isIPv6(bracketed)) return { problem: `"${bracketed}" is not an IPv6 address` };
    return { host: bracketed, port, ipv6: true };
  }
  return { host: host || ALL_INTERFACES, port, ipv6: false };
}

function problemMessage(text: string, problem: string, option?: string, example?: string): string {
  const subject = option ? `${option} ` : "";
  const eg = example ? ` (e.g. ${example})` : "";
  return `${subject}must be ${GRAMMAR}${eg}, got "${text}"${problem ? `: ${problem}` : ""}`;
}

/**
 * A zod schema that turns a listen address into `{ host, port, ipv6 }`. Its
 * error names `option` (when given) and shows `example`; leave `option` out
 * where the caller already prefixes the option's path (the agent's config).
 *
 * @example
 * listenAddressSchema("--http", "127.0.0.1:8080").parse(":8080");
 * // { host: "0.0.0.0", port: 8080, ipv6: false }
 * listenAddressSchema("--http", "127.0.0.1:8080").parse("8080");
 * // ZodError: --http must be HOST:PORT, [IPv6]:PORT or :PORT (e.g. 127.0.0.1:8080), got "8080"
 */
export function listenAddressSchema(option?: string, example?: string) {
  return z.string().transform((text, context): ListenAddress => {
    const read = readListenAddress(text);
    if ("problem" in read) {
      context.addIssue({
        code: "custom",
        message: problemMessage(text, read.problem, option, example),
      });
      return z.NEVER;
    }
    return read;
  });
}

/**
 * The same check as `listenAddressSchema`, keeping the text as written (a
 * config that shows the address back to its operator, like the agent's).
 *
 * @example
 * listenAddressTextSchema(undefined, "0.0.0.0:514").parse("[::]:514"); // "[::]:514"
 */
export function listenAddressTextSchema(option?: string, example?: string) {
  return z.string().superRefine((text, context) => {
    const read = readListenAddress(text);
    if ("problem" in read) {
      context.addIssue({
        code: "custom",
        message: problemMessage(text, read.problem, option, example),
      });
    }
  });
}

/**
 * Split a listen address; throws an Error with the schema's message (naming
 * `option` when given) on anything else.
 *
 * @example
 * parseListenAddress("[::]:514"); // { host: "::", port: 514, ipv6: true }
 * parseListenAddress(":8080"); // { host: "0.0.0.0", port: 8080, ipv6: false }
 */
export function parseListenAddress(text: string, option?: string): ListenAddress {
  const read = readListenAddress(text);
  if ("problem" in read) throw new Error(problemMessage(text, read.problem, option));
  return read;
}

/**
 * The address as it is written back (`HOST:PORT`, `[IPv6]:PORT`).
 *
 * @example
 * formatListenAddress({ host: "::", port: 514, ipv6: true }); // "[::]:514"
 */
export function formatListenAddress(address: Pick<ListenAddress, "host" | "port">): string {
  return `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True when only this machine can reach the address: 127.0.0.0/8, ::1 (also
 * written out, or as ::ffff:127.x.x.x) or `localhost`. Any other name counts
 * as reachable from the network, since what it resolves to is not known here.
 *
 * @example
 * isLoopbackAddress(parseListenAddress("127.0.0.1:8080")); // true
 * isLoopbackAddress(parseListenAddress(":8080")); // false
 */
export function isLoopbackAddress(address: Pick<ListenAddress, "host">): boolean {
  const host = address.host.toLowerCase();
  if (host === "localhost") return true;
  if (isIPv6(host)) return LOOPBACK.check(host, "ipv6");
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && LOOPBACK.check(host, "ipv4");
}
