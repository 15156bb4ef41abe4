/**
 * The `timestamp` check: manifest.tsr is an RFC 3161 time-stamp over
 * manifest.json by a TSA that chains to tsa-ca.pem (verifyTimestampResponse
 * does the cryptography, with the chain judged at genTime).
 *
 * A TimeStampResp also holds bytes that no signature covers: the status
 * around the token, the SignedData's version and digest algorithm list, the
 * certificates embedded for convenience, the signer's identifier, the name
 * of the signature algorithm. Verifying the signature alone would let any of
 * those bytes change unseen, and an auditor must be able to rely on "a
 * changed byte fails". So the token's envelope must also be the one a TSA
 * writes: consistent with its signed parts (RFC 5652 §5), embedding only
 * certificates of the verified chain; and tsa-chain.pem / tsa-ca.pem hold
 * only certificates of that chain, intact.
 *
 * A token of LogMaster's built-in development TSA verifies like any other but
 * has no legal value: it is a WARN with code `development_tsa`, never a plain
 * PASS (recognised by OIDs it signs, see
 * shared/src/timestamp/development-tsa.ts).
 */
import type { X509Certificate } from "node:crypto";
import { certificatesFromPems, OID, pemBlocks } from "../timestamp/der.ts";
import { DEVELOPMENT_TSA_WARNING, isDevelopmentTimestamp } from "../timestamp/development-tsa.ts";
import { grantedResponse, verifyTimestampResponse } from "../timestamp/index.ts";
import { BUNDLE_FILES } from "./bundle.ts";
import { oneLineName, rootProblem } from "./certificates.ts";
import { type Check, fail, messageOf, pass, skip, warn } from "./checks.ts";
import {
  BundleFileError,
  type DerNode,
  derBytes,
  derChildren,
  derContent,
  derFramingProblem,
  derRoot,
  oidText,
  readCertificatesFile,
} from "./encoding.ts";

/** The checks that verify an RFC 3161 time-stamp: a bundle's, a day roll-up's. */
export type TimestampCheckName = "timestamp" | "day_timestamp";

export interface TimestampReading<Name extends TimestampCheckName = "timestamp"> {
  check: Check<Name>;
  /** The token's time, when it verified. */
  genTime: Date | undefined;
}

/** The names a time-stamp check reports under, and the files it reads, as they are called on disk. */
export interface TimestampNames<Name extends TimestampCheckName> {
  check: Name;
  tsr: string;
  raw: string;
  tsaChain: string;
  tsaCa: string;
  /** The file the time-stamp is over. */
  data: string;
  /** What a missing time-stamp leaves the auditor with. */
  unstamped: string;
}

/** A bundle's manifest.tsr over manifest.json (§8). */
export const BUNDLE_TIMESTAMP_NAMES: TimestampNames<"timestamp"> = {
  check: "timestamp",
  tsr: BUNDLE_FILES.timestamp,
  raw: BUNDLE_FILES.timestampRaw,
  tsaChain: BUNDLE_FILES.tsaChain,
  tsaCa: BUNDLE_FILES.tsaCa,
  data: BUNDLE_FILES.manifest,
  unstamped: "nothing but the agent's clock says when this manifest existed",
};

export interface TimestampFiles {
  tsr: Uint8Array | undefined;
  /** manifest.tsr.raw: the bare token a TSA sent, when it did not send a TimeStampResp. */
  raw?: Uint8Array | undefined;
  tsaChain: Uint8Array | undefined;
  tsaCa: Uint8Array | undefined;
}

/** Signature algorithms of a SignerInfo: the hash they imply (undefined: the digestAlgorithm's). */
const SIGNER_ALGORITHMS: Record<string, string | undefined> = {
  "1.2.840.113549.1.1.1": undefined, // rsaEncryption: RFC 3370 §3.2, the hash is digestAlgorithm's
  "1.2.840.113549.1.1.11": OID.sha256,
  "1.2.840.113549.1.1.12": OID.sha384,
  "1.2.840.113549.1.1.13": OID.sha512,
  "1.2.840.10045.4.3.2": OID.sha256,
  "1.2.840.10045.4.3.3": OID.sha384,
  "1.2.840.10045.4.3.4": OID.sha512,
};
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const DIGESTS: ReadonlySet<string> = new Set([OID.sha256, OID.sha384, OID.sha512]);

// DER identifier bytes of what the envelope holds.
const SEQUENCE = 0x30;
const SET = 0x31;
const CONTEXT_0 = 0xa0;
const CONTEXT_1 = 0xa1;
const CONTEXT_0_PRIMITIVE = 0x80;

function derKey(der: Uint8Array): string {
  return Buffer.from(der).toString("base64");
}

/** An AlgorithmIdentifier: its OID, and whether its parameters are absent or NULL. */
function algorithmOf(der: Uint8Array, node: DerNode): { oid: string; plain: boolean } {
  const [oid, params, ...more] = derChildren(der, node);
  const nullParams = params?.tag === 0x05 && params.end === params.contentStart;
  return {
    oid: oid ? oidText(derContent(der, oid)) : "",
    plain: more.length === 0 && (params === undefined || nullParams),
  };
}

/** The issuer and serial number (DER) of a certificate. */
function issuerAndSerialOf(certificate: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } {
  const [tbs] = derChildren(certificate, derRoot(certificate));
  const fields = tbs ? derChildren(certificate, tbs) : [];
  const [serial, , issuer] = fields[0]?.tag === CONTEXT_0 ? fields.slice(1) : fields;
  if (!serial || !issuer)
    throw new BundleFileError("the signer certificate has no issuer or serial");
  return { issuer: derBytes(certificate, issuer), serial: derBytes(certificate, serial) };
}

/**
 * What in the token's unsigned envelope is not as a TSA writes it (problems),
 * and what is legitimate but worth reading (notes). Read from the DER itself
 * (the response already verified, so its shape is known), comparing bytes,
 * not re-encodings.
 */
function envelopeFindings(
  tsr: Uint8Array,
  signerDer: Uint8Array,
  chainDers: ReadonlySet<string>,
): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const children = (node: DerNode | undefined) => (node ? derChildren(tsr, node) : []);
  const [statusInfo, token] = children(derRoot(tsr));
  const [status] = children(statusInfo);
  if (status && derContent(tsr, status)[0] === 1)
    notes.push("the TSA granted the request with modifications (grantedWithMods)");
  const [, explicit] = children(token);
  const [signedData] = children(explicit);
  const [version, digestSet, , ...rest] = children(signedData);
  // RFC 5652 §5.1: version 3 whenever the content is not id-data (a TSTInfo never is).
  const versionBytes = version ? derContent(tsr, version) : new Uint8Array();
  if (versionBytes.length !== 1 || versionBytes[0] !== 3)
    problems.push("the token's SignedData version is not 3, which RFC 5652 requires");
  const certificates = rest.find((node) => node.tag === CONTEXT_0);
  const crls = rest.find((node) => node.tag === CONTEXT_1);
  const signerInfos = rest.at(-1);
  if (rest.some((node) => node !== certificates && node !== crls && node !== signerInfos))
    problems.push("the token's SignedData holds an unexpected field");
  for (const certificate of children(certificates)) {
    if (certificate.tag !== SEQUENCE || !chainDers.has(derKey(derBytes(tsr, certificate))))
      problems.push(
        "the token embeds a certificate that is not one of the verified TSA chain (altered or unrelated)",
      );
  }
  if (crls) notes.push("the token carries revocation data, which is not checked");
  const [signerInfo] = signerInfos?.tag === SET ? children(signerInfos) : [];
  const [siVersion, sid, digestNode, ...afterDigest] = children(signerInfo);
  if (!siVersion || !sid || !digestNode) return { problems: [...problems, "no signer"], notes };
  // RFC 5652 §5.3: version 1 names the signer by issuer and serial, version 3 by key identifier.
  const expectedVersion = sid.tag === SEQUENCE ? 1 : sid.tag === CONTEXT_0_PRIMITIVE ? 3 : -1;
  const siVersionBytes = derContent(tsr, siVersion);
  if (siVersionBytes.length !== 1 || siVersionBytes[0] !== expectedVersion)
    problems.push("the SignerInfo's version does not fit its signer identifier");
  if (sid.tag === SEQUENCE) {
    // The signer was found by a lenient name comparison: the identifier must be the certificate's, byte for byte.
    const [issuer, serial] = children(sid);
    const signer = issuerAndSerialOf(signerDer);
    const sameIssuer = issuer && Buffer.from(derBytes(tsr, issuer)).equals(signer.issuer);
    const sameSerial = serial && Buffer.from(derBytes(tsr, serial)).equals(signer.serial);
    if (!sameIssuer || !sameSerial)
      problems.push("the SignerInfo names its signer differently from the signer certificate");
  }
  const digest = algorithmOf(tsr, digestNode);
  if (!DIGESTS.has(digest.oid) || !digest.plain)
    problems.push(`the signer's digest algorithm (${digest.oid}) is not a plain SHA-2`);
  const listed = children(digestSet).map((node) => algorithmOf(tsr, node));
  if (!listed.some((algorithm) => algorithm.oid === digest.oid))
    problems.push(`the token's digest algorithm list lacks the signer's (${digest.oid})`);
  if (listed.some((algorithm) => !DIGESTS.has(algorithm.oid) || !algorithm.plain))
    problems.push("the token's digest algorithm list names something other than plain SHA-2");
  const signatureNode = afterDigest.find((node) => node.tag === SEQUENCE);
  const signature = signatureNode ? algorithmOf(tsr, signatureNode) : { oid: "", plain: false };
  if (signature.oid !== RSASSA_PSS) {
    if (!(signature.oid in SIGNER_ALGORITHMS))
      problems.push(
        `the SignerInfo's signature algorithm ${signature.oid} is not one this verifier knows`,
      );
    else if ((SIGNER_ALGORITHMS[signature.oid] ?? digest.oid) !== digest.oid)
      problems.push(
        "the SignerInfo's signature algorithm names another hash than its digest algorithm",
      );
    if (!signature.plain) problems.push("the SignerInfo's signature algorithm carries parameters");
  }
  if (afterDigest.at(-1)?.tag === CONTEXT_1)
    notes.push("the SignerInfo carries unsigned attributes, which nothing covers");
  return { problems, notes };
}

/**
 * manifest.tsr.raw is kept so nothing the TSA sent is lost; the hub made
 * manifest.tsr from it with grantedResponse, so doing that again must give
 * manifest.tsr byte for byte (else one of the two was changed).
 */
function rawTokenProblem(
  raw: Uint8Array,
  tsr: Uint8Array,
  names: TimestampNames<TimestampCheckName>,
): string | undefined {
  try {
    if (Buffer.from(grantedResponse(raw)).equals(tsr)) return undefined;
  } catch (error) {
    return `${names.raw} is not a time-stamp token: ${messageOf(error)}`;
  }
  return `${names.raw} is not the token that ${names.tsr} wraps`;
}

function readTsaCertificates(
  bytes: Uint8Array | undefined,
  file: string,
): { certificates: X509Certificate[] } | { problem: string } {
  if (!bytes) return { problem: `${file} is missing` };
  try {
    return { certificates: readCertificatesFile(bytes, file) };
  } catch (error) {
    return { problem: messageOf(error) };
  }
}

/**
 * Verify manifest.tsr over manifest.json (see the module comment for what
 * beyond the signature is checked). Absent: FAIL "not time-stamped", or a
 * warning when `allowUnstamped`.
 *
 * @example
 * const { check, genTime } = await checkTimestamp(
 *   { tsr: files.timestamp, tsaChain: files.tsaChain, tsaCa: files.tsaCa },
 *   files.manifest,
 *   { allowUnstamped: false },
 * );
 */
export async function checkTimestamp<Name extends TimestampCheckName = "timestamp">(
  files: TimestampFiles,
  manifestBytes: Uint8Array | undefined,
  options: { allowUnstamped: boolean },
  names: TimestampNames<Name> = BUNDLE_TIMESTAMP_NAMES as TimestampNames<Name>,
): Promise<TimestampReading<Name>> {
  const failed = (detail: string) => ({ check: fail(names.check, detail), genTime: undefined });
  if (!files.tsr) {
    const detail = `not time-stamped (no ${names.tsr}): ${names.unstamped}`;
    return options.allowUnstamped
      ? {
          check: warn(names.check, `${detail}; accepted with --allow-unstamped`),
          genTime: undefined,
        }
      : failed(detail);
  }
  if (!manifestBytes)
    return { check: skip(names.check, `needs ${names.data}`), genTime: undefined };
  const tsaCa = readTsaCertificates(files.tsaCa, names.tsaCa);
  if ("problem" in tsaCa) return failed(tsaCa.problem);
  const tsaChain = readTsaCertificates(files.tsaChain, names.tsaChain);
  if ("problem" in tsaChain) return failed(tsaChain.problem);
  for (const root of tsaCa.certificates) {
    const problem = rootProblem(root);
    if (problem) return failed(`${names.tsaCa}: ${problem}`);
  }
  const framing = derFramingProblem(files.tsr);
  if (framing) return failed(`${names.tsr} is not well-formed DER (${framing})`);

  const caText = Buffer.from(files.tsaCa as Uint8Array).toString("latin1");
  const chainText = Buffer.from(files.tsaChain as Uint8Array).toString("latin1");
  let result: Awaited<ReturnType<typeof verifyTimestampResponse>>;
  try {
    result = await verifyTimestampResponse({
      tsr: files.tsr,
      data: manifestBytes,
      trustedCaPems: [caText],
      untrustedPems: [chainText],
    });
  } catch (error) {
    return failed(`cannot be checked: ${messageOf(error)}`);
  }
  if (!result.ok) {
    const failures = result.checks.filter((check) => !check.ok);
    return failed(
      `does not verify over ${names.data}: ${failures.map((check) => `${check.name}: ${check.detail}`).join("; ")}`,
    );
  }
  const chainDers = new Set(
    [...result.chainPems, result.trustAnchorPem].flatMap((pem) => pemBlocks(pem)).map(derKey),
  );
  for (const certificate of tsaChain.certificates) {
    if (!chainDers.has(derKey(new Uint8Array(certificate.raw))))
      return failed(
        `${names.tsaChain} holds ${oneLineName(certificate.subject)}, which is not on the token's verified chain (altered or unrelated)`,
      );
  }
  const [signerDer] = pemBlocks(result.chainPems[0] ?? "");
  let findings: ReturnType<typeof envelopeFindings>;
  try {
    findings = envelopeFindings(files.tsr, signerDer ?? new Uint8Array(), chainDers);
  } catch (error) {
    return failed(`${names.tsr}: ${messageOf(error)}`);
  }
  if (findings.problems.length > 0)
    return failed(
      `${names.tsr}: ${findings.problems.join("; ")}: the token was altered outside its signature`,
    );
  const wrapped = files.raw ? rawTokenProblem(files.raw, files.tsr, names) : undefined;
  if (wrapped) return failed(wrapped);
  const { token } = result;
  const accuracy = token.accuracyMs === undefined ? "" : ` ±${token.accuracyMs} ms`;
  const [anchor] = pemBlocks(result.trustAnchorPem);
  const anchorSha256 = new Bun.CryptoHasher("sha256").update(anchor ?? "").digest("hex");
  const raw = files.raw ? `; wraps the bare token the TSA sent (${names.raw})` : "";
  const detail = `genTime ${token.genTime.toISOString()}${accuracy} by ${token.tsaName ?? token.signerName ?? "the TSA"}, serial 0x${token.serialNumber}, policy ${token.policy}; chains to ${names.tsaCa} (SHA-256 ${anchorSha256})${raw}`;
  const notes = findings.notes.length > 0 ? `; ${findings.notes.join("; ")}` : "";
  const development = isDevelopmentTimestamp(
    token.policy,
    certificatesFromPems([...result.chainPems, result.trustAnchorPem], "the verified TSA chain"),
  );
  return {
    check: development
      ? warn(names.check, `${DEVELOPMENT_TSA_WARNING}; ${detail}${notes}`, "development_tsa")
      : notes
        ? warn(names.check, `${detail}${notes}`)
        : pass(names.check, detail),
    genTime: token.genTime,
  };
}
