/**
 * Who signed, and whether they were allowed to: agent.pem is the certificate
 * the manifest names, its key made manifest.sig, and the chain CA issued it
 * and it was valid when the chunk was signed. X.509 through node:crypto
 * (OpenSSL), so the verdicts are `openssl verify`'s.
 */

import type { X509Certificate } from "node:crypto";
import { agentUrn, subjectAltNameUris } from "../custody/certificate-names.ts";
import {
  CustodyError,
  certificateSha256,
  type Manifest,
  verifyManifestSignature,
} from "../custody/index.ts";
import { BUNDLE_FILES } from "./bundle.ts";
import { type Check, fail, messageOf, pass, skip } from "./checks.ts";
import { readCertificatesFile } from "./encoding.ts";

/**
 * The instant certificates are judged at. The time-stamp's genTime is
 * independent evidence; created_at is only the agent's word, so it is used
 * (and said to be used) when there is no verified time-stamp.
 */
export interface SigningTime {
  at: Date;
  /** created_at: a bundle's manifest (the agent's clock); rollup_created_at: a day roll-up's (the hub's). */
  source: "timestamp" | "created_at" | "rollup_created_at" | "option";
  /** Why created_at: the time-stamp is missing or did not verify. */
  reason?: string;
}

/**
 * The signing time in words, naming its source.
 *
 * @example
 * describeSigningTime({ at, source: "timestamp" }) // "2026-11-22T12:00:01.234Z (the time-stamp's genTime)"
 */
export function describeSigningTime(time: SigningTime): string {
  const at = time.at.toISOString();
  if (time.source === "timestamp") return `${at} (the time-stamp's genTime)`;
  if (time.source === "option") return `${at} (given with --at)`;
  const whose =
    time.source === "rollup_created_at"
      ? "the roll-up's created_at, the hub's own clock"
      : "the manifest's created_at, the agent's own clock";
  return `${at} (${whose}: ${time.reason ?? "no verified time-stamp"})`;
}

/** A distinguished name on one line. */
export function oneLineName(name: string): string {
  return name.split("\n").join(", ");
}

function sha256Of(certificate: X509Certificate): string {
  return certificateSha256(new Uint8Array(certificate.raw));
}

/**
 * Why a certificate is not an intact self-signed root (undefined when it is).
 * A trust anchor's bytes are covered by nothing but its own signature, so a
 * root that is not self-signed, or whose self-signature fails, cannot be
 * told apart from an altered one. chain-ca.pem and tsa-ca.pem are roots (§9).
 */
export function rootProblem(certificate: X509Certificate): string | undefined {
  if (certificate.subject !== certificate.issuer)
    return `${oneLineName(certificate.subject)} is not a self-signed root (its issuer is ${oneLineName(certificate.issuer)})`;
  return certificate.verify(certificate.publicKey)
    ? undefined
    : "its self-signature does not verify: the certificate was altered";
}

export interface AgentCertificateReading {
  check: Check<"agent_certificate">;
  certificate: X509Certificate | undefined;
}

/** The SAN URI by which the hub's CA names the manifest's agent (§6). */
function manifestAgentUrn(manifest: Manifest): string {
  return agentUrn({
    chainId: manifest.chain_id,
    hotelId: manifest.hotel_id,
    agentId: manifest.agent_id,
  });
}

/**
 * agent.pem: one certificate, not a CA, with SHA-256(DER) = the manifest's
 * agent_cert_sha256, naming the manifest's chain, hotel and agent.
 *
 * @example
 * const { check, certificate } = checkAgentCertificate(bundle.files.agentCertificate, manifest);
 */
export function checkAgentCertificate(
  bytes: Uint8Array | undefined,
  manifest: Manifest | undefined,
): AgentCertificateReading {
  const failed = (detail: string) => ({
    check: fail("agent_certificate", detail),
    certificate: undefined,
  });
  if (!bytes) return failed(`${BUNDLE_FILES.agentCertificate} is missing`);
  let certificates: X509Certificate[];
  try {
    certificates = readCertificatesFile(bytes, BUNDLE_FILES.agentCertificate);
  } catch (error) {
    return failed(messageOf(error));
  }
  const [certificate] = certificates;
  if (!certificate || certificates.length !== 1)
    return failed(
      `${BUNDLE_FILES.agentCertificate} holds ${certificates.length} certificates; it must hold the agent's alone`,
    );
  const sha256 = sha256Of(certificate);
  const names = `${oneLineName(certificate.subject)}, serial ${certificate.serialNumber.toLowerCase()}`;
  if (!manifest) {
    return {
      check: skip("agent_certificate", `read (${names}); needs manifest.json's fields to compare`),
      certificate,
    };
  }
  const problems: string[] = [];
  if (sha256 !== manifest.agent_cert_sha256)
    problems.push(
      `its SHA-256 is ${sha256} but the manifest names ${manifest.agent_cert_sha256}: not the certificate of the signing agent`,
    );
  const uris = subjectAltNameUris(certificate);
  if (!uris.includes(manifestAgentUrn(manifest)))
    problems.push(
      `it names ${uris.join(", ") || "no agent URI"}, not ${manifestAgentUrn(manifest)} of the manifest`,
    );
  if (certificate.ca) problems.push("it is a CA certificate, not an agent's");
  if (problems.length > 0)
    return { check: fail("agent_certificate", `agent.pem: ${problems.join("; ")}`), certificate };
  return {
    check: pass(
      "agent_certificate",
      `SHA-256 ${sha256} = agent_cert_sha256; ${names}; names ${manifestAgentUrn(manifest)}`,
    ),
    certificate,
  };
}

/**
 * manifest.sig over the exact bytes of manifest.json, with agent.pem's key
 * (RSA >= 2048 bits, PKCS#1 v1.5, SHA-256).
 *
 * @example
 * checkSignature(bundle.files.manifest, bundle.files.signature, agent.certificate)
 */
export function checkSignature(
  manifestBytes: Uint8Array | undefined,
  signature: Uint8Array | undefined,
  agent: X509Certificate | undefined,
): Check<"signature"> {
  if (!manifestBytes) return skip("signature", `needs ${BUNDLE_FILES.manifest}`);
  if (!signature) return fail("signature", `${BUNDLE_FILES.signature} is missing`);
  if (!agent) return skip("signature", `needs a readable ${BUNDLE_FILES.agentCertificate}`);
  try {
    const bits = agent.publicKey.asymmetricKeyDetails?.modulusLength;
    return verifyManifestSignature(manifestBytes, signature, agent.publicKey)
      ? pass(
          "signature",
          `RSA-${bits} PKCS#1 v1.5 SHA-256 over the ${manifestBytes.byteLength} bytes of manifest.json verifies with agent.pem's key`,
        )
      : fail(
          "signature",
          "does not verify with agent.pem's key: manifest.json or manifest.sig altered, or signed by someone else",
        );
  } catch (error) {
    if (error instanceof CustodyError) return fail("signature", `agent.pem: ${error.message}`);
    throw error;
  }
}

/** chain-ca.pem read: the CA, or why it cannot be used. */
export type ChainCaReading = { ca: X509Certificate } | { ca: undefined; problem: string };

/**
 * chain-ca.pem: one CA certificate, an intact self-signed root (the hub's
 * chain CA is one).
 *
 * @example
 * const chainCa = readChainCa(bundle.files.chainCa);
 */
export function readChainCa(bytes: Uint8Array | undefined): ChainCaReading {
  if (!bytes) return { ca: undefined, problem: `${BUNDLE_FILES.chainCa} is missing` };
  let certificates: X509Certificate[];
  try {
    certificates = readCertificatesFile(bytes, BUNDLE_FILES.chainCa);
  } catch (error) {
    return { ca: undefined, problem: messageOf(error) };
  }
  const [ca] = certificates;
  if (!ca || certificates.length !== 1)
    return {
      ca: undefined,
      problem: `${BUNDLE_FILES.chainCa} holds ${certificates.length} certificates; it must hold the chain CA alone`,
    };
  if (!ca.ca) return { ca: undefined, problem: `${BUNDLE_FILES.chainCa} is not a CA certificate` };
  const problem = rootProblem(ca);
  if (problem) return { ca: undefined, problem: `${BUNDLE_FILES.chainCa}: ${problem}` };
  return { ca };
}

export function validityProblem(
  certificate: X509Certificate,
  file: string,
  time: SigningTime,
): string | undefined {
  const from = certificate.validFromDate;
  const to = certificate.validToDate;
  if (time.at >= from && time.at <= to) return undefined;
  return `${file} was not valid at the signing time ${describeSigningTime(time)}: it is valid from ${from.toISOString()} to ${to.toISOString()}`;
}

/**
 * agent.pem was issued by chain-ca.pem (names and signature) and both were
 * valid at the signing time.
 *
 * @example
 * checkCertificateChain(agent.certificate, readChainCa(bundle.files.chainCa), signingTime)
 */
export function checkCertificateChain(
  agent: X509Certificate | undefined,
  chainCa: ChainCaReading,
  time: SigningTime | undefined,
): Check<"certificate_chain"> {
  if (!agent) return skip("certificate_chain", `needs a readable ${BUNDLE_FILES.agentCertificate}`);
  if (!chainCa.ca) return fail("certificate_chain", chainCa.problem);
  const { ca } = chainCa;
  if (agent.issuer !== ca.subject)
    return fail(
      "certificate_chain",
      `agent.pem was issued by ${oneLineName(agent.issuer)}, not by chain-ca.pem (${oneLineName(ca.subject)}): not an enrolled agent`,
    );
  // Same name; checkIssued also compares the key identifiers, verify the signature itself.
  if (!agent.checkIssued(ca) || !agent.verify(ca.publicKey))
    return fail(
      "certificate_chain",
      "agent.pem's issuer has chain-ca.pem's name, but its signature does not verify with chain-ca.pem's key: issued by another CA of that name, or altered",
    );
  const issuer = `issued by ${oneLineName(ca.subject)} (chain-ca.pem SHA-256 ${sha256Of(ca)}: compare it with the chain's published CA fingerprint)`;
  if (!time)
    return skip(
      "certificate_chain",
      `${issuer}; validity not judged: no signing time (neither a verified time-stamp nor a readable manifest)`,
    );
  const problem =
    validityProblem(agent, BUNDLE_FILES.agentCertificate, time) ??
    validityProblem(ca, BUNDLE_FILES.chainCa, time);
  if (problem) return fail("certificate_chain", problem);
  return pass(
    "certificate_chain",
    `${issuer}; agent.pem valid ${agent.validFromDate.toISOString()} to ${agent.validToDate.toISOString()}, so at the signing time ${describeSigningTime(time)}`,
  );
}
