import { isIP } from "node:net";
import { z } from "zod";
import { CustodyError } from "./errors.ts";

/**
 * The `src` of a data record: the sender's IP address as text.
 *
 * - IPv4 dotted decimal; IPv6 as the OS prints it (lower case, `::`
 *   compression), without brackets; a link-local IPv6 address keeps its zone
 *   (`fe80::1%eth0`) because without the interface it names no one.
 * - An IPv4 sender seen through a dual-stack socket arrives as
 *   `::ffff:192.0.2.1`; it is written `192.0.2.1`. The datagram crossed the
 *   wire as IPv4, and an investigator searches for the IPv4 address.
 *
 * Only these characters can occur, so `src` never needs JSON escaping.
 */

const IPV4_MAPPED_PREFIX = "::ffff:";
/** Interface names we accept in a zone; wider sets would need JSON escaping. */
const ZONE_PATTERN = /^[0-9A-Za-z._-]{1,64}$/;

function isValidAddressText(text: string): boolean {
  const zoneAt = text.indexOf("%");
  if (zoneAt === -1) return isIP(text) !== 0;
  return isIP(text.slice(0, zoneAt)) === 6 && ZONE_PATTERN.test(text.slice(zoneAt + 1));
}

function mappedIpv4Of(text: string): string | undefined {
  if (text.length <= IPV4_MAPPED_PREFIX.length) return undefined;
  if (text.slice(0, IPV4_MAPPED_PREFIX.length).toLowerCase() !== IPV4_MAPPED_PREFIX)
    return undefined;
  const ipv4 = text.slice(IPV4_MAPPED_PREFIX.length);
  return isIP(ipv4) === 4 ? ipv4 : undefined;
}

// A site has a handful of senders, and validating IPv6 text costs ~0.7 µs:
// remember the answers for the addresses seen recently.
const CACHE_LIMIT = 4096;
const normalizedByReceived = new Map<string, string>();

/**
 * The `src` text for an address as the socket reported it.
 * Throws `invalid_argument` for text that is not an IP address.
 *
 * @example
 * normalizeSourceAddress("::ffff:192.168.88.1") // "192.168.88.1"
 */
export function normalizeSourceAddress(received: string): string {
  const cached = normalizedByReceived.get(received);
  if (cached !== undefined) return cached;
  const normalized = mappedIpv4Of(received) ?? received;
  if (!isValidAddressText(normalized)) {
    throw new CustodyError(
      "invalid_argument",
      `src ${JSON.stringify(received)} is not an IPv4 or IPv6 address (zone: [0-9A-Za-z._-]{1,64})`,
    );
  }
  if (normalizedByReceived.size >= CACHE_LIMIT) normalizedByReceived.clear();
  normalizedByReceived.set(received, normalized);
  return normalized;
}

/** `src` as a verifier accepts it: a valid address, already normalised. */
export const sourceAddressSchema = z
  .string()
  .refine(isValidAddressText, "must be an IPv4 or IPv6 address (optional %zone on IPv6)")
  .refine((text) => mappedIpv4Of(text) === undefined, "IPv4-mapped IPv6 must be written as IPv4");
