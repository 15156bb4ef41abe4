/**
 * Revocation at the signing time, from the chain CA's revocation list in the
 * bundle (`chain-ca.crl.pem`, RFC 5280 CRL). A certificate revoked after a
 * chunk was signed does not taint the chunk: the key was still the agent's
 * when it signed. pkijs reads the CRL; node:crypto checks its signature.
 */
import { constants, verify, type X509Certificate } from "node:crypto";
import * as pkijs from "pkijs";
import { fromDer, integerValue, toDer } from "../timestamp/der.ts";
import { BUNDLE_FILES } from "./bundle.ts";
import { type ChainCaReading, describeSigningTime, type SigningTime } from "./certificates.ts";
import { type Check, fail, messageOf, pass, skip, warn } from "./checks.ts";
import { BundleFileError, derFramingProblem, readPemFile } from "./encoding.ts";

/** One revoked serial. */
export interface Revocation {
  revokedAt: Date;
  /** The CRL entry's reason code, when it gives one (e.g. `keyCompromise`). */
  reason: string | undefined;
}

/** A revocation list whose signature verified with the chain CA's key. */
export interface RevocationList {
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** By serial number. */
  revoked: Map<bigint, Revocation>;
}

/** RFC 5280 §5.3.1 CRLReason by value. */
const REASONS = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  undefined,
  "removeFromCRL",
  "privilegeWithdrawn",
  "aACompromise",
];

/** Signature algorithms a chain CA may sign with, and node:crypto's verify options for them. */
const SIGNATURE_ALGORITHMS: Record<string, { hash: string; rsa: boolean }> = {
  "1.2.840.113549.1.1.11": { hash: "sha256", rsa: true },
  "1.2.840.113549.1.1.12": { hash: "sha384", rsa: true },
  "1.2.840.113549.1.1.13": { hash: "sha512", rsa: true },
  "1.2.840.10045.4.3.2": { hash: "sha256", rsa: false },
  "1.2.840.10045.4.3.3": { hash: "sha384", rsa: false },
  "1.2.840.10045.4.3.4": { hash: "sha512", rsa: false },
};

const REASON_CODE_OID = "2.5.29.21";
const DELTA_CRL_INDICATOR_OID = "2.5.29.27";

function reasonOf(entry: pkijs.RevokedCertificate): string | undefined {
  const extension = entry.crlEntryExtensions?.extensions.find(
    (candidate) => candidate.extnID === REASON_CODE_OID,
  );
  const value = extension?.parsedValue as { valueBlock?: { valueDec?: number } } | undefined;
  const code = value?.valueBlock?.valueDec;
  return code === undefined ? undefined : (REASONS[code] ?? `reason ${code}`);
}

/**
 * Read a PEM revocation list and check it is the chain CA's: a complete
 * (not delta) CRL, issued under the CA's name, signed by its key with the
 * algorithm the CRL names inside its signed part. Throws BundleFileError
 * naming the problem.
 *
 * @example
 * const crl = readRevocationList(await Bun.file("chain-ca.crl.pem").bytes(), chainCa);
 * crl.revoked.get(BigInt(`0x${agent.serialNumber}`)) // { revokedAt, reason } or undefined
 */
export function readRevocationList(bytes: Uint8Array, ca: X509Certificate): RevocationList {
  const file = BUNDLE_FILES.chainCrl;
  const [der, ...more] = readPemFile(bytes, "X509 CRL", file);
  if (!der || more.length > 0) throw new BundleFileError(`${file} must hold exactly one CRL`);
  const framing = derFramingProblem(der);
  if (framing) throw new BundleFileError(`${file}: the CRL's DER is malformed (${framing})`);
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = fromDer(pkijs.CertificateRevocationList, der, "the CRL");
  } catch (error) {
    throw new BundleFileError(`${file}: ${messageOf(error)}`);
  }
  const caCertificate = fromDer(pkijs.Certificate, new Uint8Array(ca.raw), "chain-ca.pem");
  if (!Buffer.from(toDer(crl.issuer)).equals(toDer(caCertificate.subject)))
    throw new BundleFileError(`${file} was not issued under chain-ca.pem's name`);
  // RFC 5280 §5.1.1.2: the algorithm outside the signed part must be the one inside it.
  const algorithm = toDer(crl.signatureAlgorithm);
  if (!Buffer.from(algorithm).equals(toDer(crl.signature)))
    throw new BundleFileError(`${file}: its two signature algorithm fields differ`);
  const scheme = SIGNATURE_ALGORITHMS[crl.signatureAlgorithm.algorithmId];
  if (!scheme)
    throw new BundleFileError(
      `${file} is signed with ${crl.signatureAlgorithm.algorithmId}, which this verifier does not support`,
    );
  if (crl.signatureValue.valueBlock.unusedBits !== 0)
    throw new BundleFileError(`${file}: its signature is not a whole number of bytes`);
  const signed = verify(
    scheme.hash,
    crl.tbsView,
    scheme.rsa ? { key: ca.publicKey, padding: constants.RSA_PKCS1_PADDING } : ca.publicKey,
    crl.signatureValue.valueBlock.valueHexView,
  );
  if (!signed)
    throw new BundleFileError(
      `${file}'s signature does not verify with chain-ca.pem's key: altered, or not this CA's`,
    );
  if (
    crl.crlExtensions?.extensions.some((extension) => extension.extnID === DELTA_CRL_INDICATOR_OID)
  )
    throw new BundleFileError(`${file} is a delta CRL; a complete CRL is needed`);
  const revoked = new Map<bigint, Revocation>();
  for (const entry of crl.revokedCertificates ?? []) {
    revoked.set(integerValue(entry.userCertificate), {
      revokedAt: entry.revocationDate.value,
      reason: reasonOf(entry),
    });
  }
  return { thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value, revoked };
}

/**
 * Was agent.pem revoked at the signing time? Without a CRL in the bundle
 * this cannot be told (a warning); revoked on or before the signing time is
 * a failure; revoked later passes, with a note.
 *
 * @example
 * checkRevocation(bundle.files.chainCrl, agent.certificate, readChainCa(bundle.files.chainCa), signingTime)
 */
export function checkRevocation(
  crlBytes: Uint8Array | undefined,
  agent: X509Certificate | undefined,
  chainCa: ChainCaReading,
  time: SigningTime | undefined,
): Check<"revocation"> {
  if (!agent) return skip("revocation", `needs a readable ${BUNDLE_FILES.agentCertificate}`);
  if (!crlBytes)
    return warn(
      "revocation",
      `no revocation list in the bundle (${BUNDLE_FILES.chainCrl}): whether the chain CA revoked agent.pem is not known`,
    );
  if (!chainCa.ca) return skip("revocation", `needs a usable ${BUNDLE_FILES.chainCa}`);
  let crl: RevocationList;
  try {
    crl = readRevocationList(crlBytes, chainCa.ca);
  } catch (error) {
    if (error instanceof BundleFileError) return fail("revocation", error.message);
    throw error;
  }
  if (!time) return skip("revocation", "needs a signing time");
  const serial = agent.serialNumber.toLowerCase();
  const revocation = crl.revoked.get(BigInt(`0x${serial}`));
  const when = describeSigningTime(time);
  const because = revocation?.reason ? ` (${revocation.reason})` : "";
  // CRL times are whole seconds (RFC 5280 §5.1.2.4): a revocation in the signing time's
  // own second cannot be put before or after it.
  const signingSecondMs = Math.floor(time.at.getTime() / 1000) * 1000;
  if (revocation && revocation.revokedAt.getTime() === signingSecondMs)
    return warn(
      "revocation",
      `agent.pem (serial ${serial}) was revoked at ${revocation.revokedAt.toISOString()}${because}, in the same second as the signing time ${when}: the CRL's one-second precision cannot tell which came first; ask the chain for its revocation record`,
    );
  if (revocation && revocation.revokedAt <= time.at)
    return fail(
      "revocation",
      `agent.pem (serial ${serial}) was revoked at ${revocation.revokedAt.toISOString()}${because}, before the signing time ${when}`,
    );
  if (revocation)
    return pass(
      "revocation",
      `agent.pem (serial ${serial}) was revoked at ${revocation.revokedAt.toISOString()}${because}, after the signing time ${when}: it was valid when it signed this chunk`,
    );
  const listed =
    crl.revoked.size === 0
      ? `the chain CA's CRL of ${crl.thisUpdate.toISOString()} revokes no certificate`
      : `agent.pem (serial ${serial}) is not among the ${crl.revoked.size} serial${crl.revoked.size === 1 ? "" : "s"} the chain CA's CRL of ${crl.thisUpdate.toISOString()} revokes`;
  // A CRL of the signing time's second covers it.
  if (crl.thisUpdate.getTime() < signingSecondMs)
    return warn(
      "revocation",
      `${listed}, but that CRL is older than the signing time ${when}: a revocation after ${crl.thisUpdate.toISOString()} would not show`,
    );
  return pass("revocation", listed);
}
