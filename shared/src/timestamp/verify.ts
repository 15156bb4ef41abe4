/**
 * Verify an RFC 3161 TimeStampResp over some bytes, naming each check the way
 * an auditor's `openssl ts -verify` would fail it, so the hub (at stamping
 * time) and `logmaster verify` (years later, offline) give the same verdicts.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  certificatesFromPems,
  certificateToPem,
  digestOf,
  ensureCryptoEngine,
  imprintHashByOid,
  MalformedDerError,
  normalizeOid,
  OID,
  sameBytes,
  toArrayBuffer,
  toDer,
} from "./der.ts";
import {
  type DecodedToken,
  decodeToken,
  describeStatus,
  findSignerCertificate,
  isGranted,
  readTimestampResponse,
  type TimestampStatus,
  type TimestampTokenInfo,
} from "./response.ts";

/** The checks, in the order they run and are reported. */
export type TimestampCheckName =
  | "response_format"
  | "status"
  | "token_format"
  | "imprint_algorithm"
  | "imprint"
  | "nonce"
  | "policy"
  | "signer_certificate"
  | "signer_eku"
  | "signer_cert_id"
  | "signature"
  | "chain"
  | "gen_time";

/** Why a response does not verify; callers branch on these. */
export type TimestampFailureReason =
  /** Not a DER TimeStampResp at all. */
  | "malformed_response"
  /** The TSA did not grant the request; the text is its statusString or status name. */
  | `status_rejected:${string}`
  /** Granted, but the token is not SignedData over a TSTInfo with one signer. */
  | "not_a_timestamp_token"
  /** The imprint uses a hash we do not accept (e.g. SHA-1). */
  | "unsupported_imprint_algorithm"
  /** The token is about other bytes. */
  | "imprint_mismatch"
  /** The token's nonce is absent or not the one we sent: not an answer to our request. */
  | "wrong_nonce"
  | "wrong_policy"
  /** Neither the token nor `untrustedPems` holds the certificate that signed it. */
  | "signer_certificate_missing"
  /** The signer certificate lacks a critical, timeStamping-only extendedKeyUsage (RFC 3161 §2.3). */
  | "signer_not_tsa"
  /** The signed ESS signing-certificate attribute is missing or names another certificate. */
  | "signer_cert_id_mismatch"
  /** The CMS signature or its signed attributes do not verify. */
  | "bad_signature"
  /** The signer does not chain to a trusted CA, valid at genTime. */
  | "untrusted_chain";

export interface TimestampCheck {
  name: TimestampCheckName;
  ok: boolean;
  /** What was found, in a sentence (shown by `logmaster verify`). */
  detail: string;
  /** Set when `ok` is false. */
  reason?: TimestampFailureReason;
}

export type TimestampVerification =
  | {
      ok: true;
      checks: TimestampCheck[];
      status: TimestampStatus;
      token: TimestampTokenInfo;
      /** Signer certificate then intermediates (PEM), up to but without the trust anchor: `tsa-chain.pem`. */
      chainPems: string[];
      /** The trusted CA the chain ends at: `tsa-ca.pem`. */
      trustAnchorPem: string;
    }
  | {
      ok: false;
      /** The first failed check's reason. */
      reason: TimestampFailureReason;
      checks: TimestampCheck[];
      status?: TimestampStatus;
      token?: TimestampTokenInfo;
    };

export interface VerifyTimestampOptions {
  /** The DER TimeStampResp (`manifest.tsr`). */
  tsr: Uint8Array;
  /** The time-stamped bytes (`manifest.json`). */
  data: Uint8Array;
  /** PEM texts (each may be a bundle) of the TSA roots to trust (`tsa-ca.pem`). */
  trustedCaPems: readonly string[];
  /** The nonce of our request; checked only when given (a stored .tsr has no request beside it). */
  expectedNonce?: bigint;
  /** The policy OID the token must carry, when the caller requires one. */
  expectedPolicy?: string;
  /** Extra certificates to find the signer and intermediates in (`tsa-chain.pem`). */
  untrustedPems?: readonly string[];
}

function failureOf(checks: TimestampCheck[]): TimestampFailureReason | undefined {
  return checks.find((check) => !check.ok)?.reason;
}

function fail(
  checks: TimestampCheck[],
  extra: { status?: TimestampStatus; token?: TimestampTokenInfo } = {},
): TimestampVerification {
  return { ok: false, reason: failureOf(checks) ?? "malformed_response", checks, ...extra };
}

/**
 * RFC 3161 §2.3: the TSA's certificate has exactly one extendedKeyUsage
 * extension, critical, with id-kp-timeStamping. Like OpenSSL we also refuse
 * other purposes beside it and a keyUsage beyond digitalSignature /
 * nonRepudiation, so that what we accept, `openssl ts -verify` accepts too.
 */
export function timestampSignerProblem(certificate: pkijs.Certificate): string | undefined {
  const extensions = certificate.extensions ?? [];
  const eku = extensions.filter((extension) => extension.extnID === OID.extKeyUsage);
  if (eku.length === 0) return "the signer certificate has no extendedKeyUsage extension";
  if (eku.length > 1) return "the signer certificate has more than one extendedKeyUsage extension";
  const [extension] = eku as [pkijs.Extension];
  const purposes =
    extension.parsedValue instanceof pkijs.ExtKeyUsage ? extension.parsedValue.keyPurposes : [];
  if (!purposes.includes(OID.kpTimeStamping))
    return `the signer certificate's extendedKeyUsage (${purposes.join(", ") || "unreadable"}) lacks timeStamping`;
  if (purposes.length > 1)
    return `the signer certificate's extendedKeyUsage has purposes besides timeStamping (${purposes.join(", ")})`;
  if (!extension.critical) return "the signer certificate's extendedKeyUsage is not critical";
  const keyUsage = extensions.find((ext) => ext.extnID === OID.keyUsage);
  if (keyUsage?.parsedValue instanceof asn1js.BitString) {
    const [first = 0, second = 0] = keyUsage.parsedValue.valueBlock.valueHexView;
    // digitalSignature (0x80) and nonRepudiation (0x40) are the only uses a TSA key may have.
    if ((first & 0x3f) !== 0 || second !== 0 || (first & 0xc0) === 0)
      return "the signer certificate's keyUsage allows more than digitalSignature/nonRepudiation";
  }
  return undefined;
}

function signedAttribute(signerInfo: pkijs.SignerInfo, type: string): pkijs.Attribute | undefined {
  return signerInfo.signedAttrs?.attributes.find((attribute) => attribute.type === type);
}

async function digestByOid(oid: string, data: Uint8Array): Promise<Uint8Array | undefined> {
  const algorithm = pkijs.getCrypto(true).getAlgorithmByOID<{ name: string }>(oid);
  if (!("name" in algorithm)) return undefined;
  return new Uint8Array(await crypto.subtle.digest(algorithm.name, toArrayBuffer(data)));
}

/**
 * The ESS signing-certificate attribute (v2, or v1 with SHA-1) binds the
 * signature to one certificate, so a token cannot be re-attributed to another
 * certificate with the same key (RFC 3161 §2.4.1, RFC 5816).
 */
async function signerCertIdProblem(
  signerInfo: pkijs.SignerInfo,
  signer: pkijs.Certificate,
): Promise<string | undefined> {
  const v2 = signedAttribute(signerInfo, OID.signingCertificateV2);
  const v1 = signedAttribute(signerInfo, OID.signingCertificate);
  const attribute = v2 ?? v1;
  if (!attribute) return "the signed attributes hold no ESS signing-certificate (v1 or v2)";
  try {
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    const certs = attribute.values[0].valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hashOid: string = OID.sha1;
    let hashIndex = 0;
    if (v2) {
      hashOid = OID.sha256; // ESSCertIDv2's DEFAULT
      if (parts[0] instanceof asn1js.Sequence) {
        hashOid = (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier).getValue();
        hashIndex = 1;
      }
    }
    const certHash = parts[hashIndex];
    if (!(certHash instanceof asn1js.OctetString)) return "the ESS certificate id has no hash";
    const actual = await digestByOid(hashOid, toDer(signer));
    if (!actual) return `the ESS certificate id uses an unknown hash (${hashOid})`;
    return sameBytes(actual, certHash.valueBlock.valueHexView)
      ? undefined
      : "the ESS certificate id names another certificate than the signer's";
  } catch {
    return "the ESS signing-certificate attribute cannot be read";
  }
}

/**
 * The CMS signature, checked here rather than with pkijs' SignedData.verify:
 * that one only checks that a content-type attribute exists (not that it
 * says TSTInfo), and refuses to run without non-empty detached data.
 */
async function signatureProblem(
  decoded: DecodedToken,
  signer: pkijs.Certificate,
): Promise<string | undefined> {
  const { signerInfo } = decoded;
  if (!signerInfo.signedAttrs)
    return "the signer info has no signed attributes (a time-stamp token needs them)";
  const contentType = signedAttribute(signerInfo, OID.contentType)?.values[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.getValue() !== OID.tstInfo)
    return "the signed content-type attribute is absent or is not TSTInfo";
  const messageDigest = signedAttribute(signerInfo, OID.messageDigest)?.values[0];
  if (!(messageDigest instanceof asn1js.OctetString))
    return "the signed attributes hold no message-digest";
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const digest = await digestByOid(digestOid, decoded.tstInfoDer);
  if (!digest) return `the signer's digest algorithm ${digestOid} is not supported`;
  if (!sameBytes(digest, messageDigest.valueBlock.valueHexView))
    return "the message-digest attribute does not match the TSTInfo (the token was altered)";
  const engine = pkijs.getCrypto(true);
  const hashAlgorithm = engine.getAlgorithmByOID<{ name: string }>(digestOid);
  try {
    const valid = await engine.verifyWithPublicKey(
      signerInfo.signedAttrs.encodedValue,
      signerInfo.signature,
      signer.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      "name" in hashAlgorithm ? hashAlgorithm.name : undefined,
    );
    return valid ? undefined : "the signature does not verify with the signer certificate's key";
  } catch (error) {
    return `the signature cannot be checked: ${error instanceof Error ? error.message : error}`;
  }
}

async function chainCheck(
  signer: pkijs.Certificate,
  candidates: pkijs.Certificate[],
  trusted: pkijs.Certificate[],
  at: Date,
): Promise<{ path: pkijs.Certificate[] } | { problem: string }> {
  const signerDer = toDer(signer);
  const isSigner = (cert: pkijs.Certificate) => sameBytes(toDer(cert), signerDer);
  if (trusted.some(isSigner))
    return {
      problem:
        "the signer certificate itself is in the trusted CA file; trust the CA that issued it instead",
    };
  // pkijs takes the LAST of `certs` as the leaf and drops later duplicates, so the signer goes
  // last and nowhere else; otherwise it would validate an intermediate instead of the signer.
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: trusted,
    certs: [...candidates.filter((cert) => !isSigner(cert)), signer],
    checkDate: at,
  });
  try {
    const result = await engine.verify();
    const path = result.certificatePath;
    if (result.result && path?.[0] && isSigner(path[0])) return { path };
    return { problem: result.resultMessage || "no path from the signer to a trusted CA" };
  } catch (error) {
    const message =
      error && typeof error === "object" && "resultMessage" in error
        ? String(error.resultMessage)
        : String(error);
    return { problem: message };
  }
}

/**
 * Verify a DER TimeStampResp over `data`. Every check that can run is
 * reported (an auditor wants all problems, not the first); `reason` is the
 * first failure. The chain is checked at the token's genTime, so tokens stay
 * verifiable after the TSA certificate expires. Throws a TypeError only when
 * a PEM text holds no certificate (the caller's configuration, not the token).
 *
 * @example
 * const result = await verifyTimestampResponse({
 *   tsr: await Bun.file("manifest.tsr").bytes(),
 *   data: await Bun.file("manifest.json").bytes(),
 *   trustedCaPems: [await Bun.file("tsa-ca.pem").text()],
 *   untrustedPems: [await Bun.file("tsa-chain.pem").text()],
 * });
 * if (!result.ok) console.error(result.reason, result.checks.filter((c) => !c.ok));
 */
export async function verifyTimestampResponse(
  options: VerifyTimestampOptions,
): Promise<TimestampVerification> {
  ensureCryptoEngine();
  const checks: TimestampCheck[] = [];
  const check = (
    name: TimestampCheckName,
    problem: string | undefined,
    reason: TimestampFailureReason,
    okDetail: string,
  ) => {
    checks.push(
      problem === undefined
        ? { name, ok: true, detail: okDetail }
        : { name, ok: false, detail: problem, reason },
    );
    return problem === undefined;
  };

  let response: ReturnType<typeof readTimestampResponse>;
  try {
    response = readTimestampResponse(options.tsr);
  } catch (error) {
    check("response_format", String(error), "malformed_response", "");
    return fail(checks);
  }
  check("response_format", undefined, "malformed_response", "a DER TimeStampResp");
  const { status } = response;
  const statusText = status.text ?? status.statusName;
  if (
    !check(
      "status",
      isGranted(status) ? undefined : describeStatus(status),
      `status_rejected:${statusText}`,
      describeStatus(status),
    )
  )
    return fail(checks, { status });

  let decoded: DecodedToken;
  try {
    if (!response.token) throw new MalformedDerError("the granted response holds no token");
    decoded = decodeToken(response.token);
  } catch (error) {
    check(
      "token_format",
      String(error instanceof Error ? error.message : error),
      "not_a_timestamp_token",
      "",
    );
    return fail(checks, { status });
  }
  const { info } = decoded;
  check(
    "token_format",
    undefined,
    "not_a_timestamp_token",
    "SignedData over a TSTInfo, one signer",
  );

  const hash = imprintHashByOid(info.imprintAlgorithm);
  if (
    check(
      "imprint_algorithm",
      hash
        ? undefined
        : `the imprint hash ${info.imprintAlgorithm} is not SHA-256, SHA-384 or SHA-512`,
      "unsupported_imprint_algorithm",
      `${hash}`,
    ) &&
    hash
  ) {
    const expected = digestOf(hash, options.data);
    const found = decoded.tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView;
    check(
      "imprint",
      sameBytes(expected, found)
        ? undefined
        : `the token is over ${hash} ${info.imprintHex}, the data hashes to ${Buffer.from(expected).toString("hex")}`,
      "imprint_mismatch",
      `${hash} of the data matches the token`,
    );
  }
  if (options.expectedNonce !== undefined) {
    check(
      "nonce",
      info.nonce === options.expectedNonce
        ? undefined
        : `the token's nonce is ${info.nonce ?? "absent"}, the request's was ${options.expectedNonce}`,
      "wrong_nonce",
      "the nonce of the request",
    );
  }
  if (options.expectedPolicy !== undefined) {
    const expectedPolicy = normalizeOid(options.expectedPolicy);
    check(
      "policy",
      info.policy === expectedPolicy
        ? undefined
        : `the token's policy is ${info.policy}, expected ${expectedPolicy}`,
      "wrong_policy",
      info.policy,
    );
  }

  let extraCertificates: pkijs.Certificate[] = [];
  let trusted: pkijs.Certificate[] = [];
  try {
    extraCertificates = certificatesFromPems(options.untrustedPems ?? [], "untrusted PEM");
    trusted = certificatesFromPems(options.trustedCaPems, "trusted CA PEM");
  } catch (error) {
    // A bad trust file is the caller's configuration error, not a property of the token.
    throw new TypeError(
      `verifyTimestampResponse: ${error instanceof Error ? error.message : error}`,
    );
  }
  const candidates = [...decoded.certificates, ...extraCertificates];
  const signer = findSignerCertificate(decoded.signerInfo, candidates);
  if (
    check(
      "signer_certificate",
      signer
        ? undefined
        : "neither the token nor the untrusted certificates hold the signer certificate",
      "signer_certificate_missing",
      signer ? (info.signerName ?? "found among the untrusted certificates") : "",
    ) &&
    signer
  ) {
    check(
      "signer_eku",
      timestampSignerProblem(signer),
      "signer_not_tsa",
      "critical extendedKeyUsage timeStamping",
    );
    check(
      "signer_cert_id",
      await signerCertIdProblem(decoded.signerInfo, signer),
      "signer_cert_id_mismatch",
      "the ESS signing-certificate names the signer",
    );
    check(
      "signature",
      await signatureProblem(decoded, signer),
      "bad_signature",
      "the CMS signature verifies",
    );
    const chain = await chainCheck(signer, candidates, trusted, info.genTime);
    check(
      "chain",
      "problem" in chain
        ? `no valid path to a trusted CA at ${info.genTime.toISOString()}: ${chain.problem}`
        : undefined,
      "untrusted_chain",
      `chains to a trusted CA, valid at ${info.genTime.toISOString()}`,
    );
    check("gen_time", undefined, "malformed_response", info.genTime.toISOString());
    if (failureOf(checks) === undefined && "path" in chain) {
      const pems = chain.path.map(certificateToPem);
      return {
        ok: true,
        checks,
        status,
        token: info,
        chainPems: pems.slice(0, -1),
        trustAnchorPem: pems.at(-1) as string,
      };
    }
  }
  return fail(checks, { status, token: info });
}
