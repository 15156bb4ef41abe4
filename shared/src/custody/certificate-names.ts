/**
 * How the chain CA names who a certificate belongs to (docs/custody-format.md
 * §6, §15): a SAN URI per agent and one for the hub. The hub writes them when
 * it issues certificates and reads them to learn the tenant; the verifier
 * compares them with the manifests.
 */
import type { X509Certificate } from "node:crypto";

/** The SAN URI of an agent: `urn:logmaster:<chain>:<hotel>:<agent>`. */
export function agentUrn(identity: { chainId: string; hotelId: string; agentId: string }): string {
  return `urn:logmaster:${identity.chainId}:${identity.hotelId}:${identity.agentId}`;
}

/** The SAN URI of the hub's signing certificate (§15). */
export function hubUrn(chainId: string): string {
  return `urn:logmaster:${chainId}:hub`;
}

/**
 * The URIs among a certificate's subject alternative names.
 *
 * @example
 * subjectAltNameUris(new X509Certificate(pem)) // ["urn:logmaster:default:hub"]
 */
export function subjectAltNameUris(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? "")
    .split(", ")
    .filter((entry) => entry.startsWith("URI:"))
    .map((entry) => entry.slice(4));
}
