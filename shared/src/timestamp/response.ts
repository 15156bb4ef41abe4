/**
 * RFC 3161 TimeStampResp and TimeStampToken: reading them (status, TSTInfo,
 * signer) for the verifier and for display, and wrapping tokens and refusals
 * into responses for the TSAs we run (development TSA, test TSA).
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  ensureCryptoEngine,
  formatName,
  fromDer,
  hexOf,
  integerHex,
  integerValue,
  MalformedDerError,
  normalizeOid,
  OID,
  parseDer,
  sameBytes,
  toArrayBuffer,
  toDer,
} from "./der.ts";

/** PKIStatus names by value (RFC 3161 §2.4.2). */
const STATUS_NAMES = [
  "granted",
  "grantedWithMods",
  "rejection",
  "waiting",
  "revocationWarning",
  "revocationNotification",
] as const;

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const FAILURE_BITS = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type FailureInfo = keyof typeof FAILURE_BITS;

/** The PKIStatusInfo of a response, readable. */
export interface TimestampStatus {
  /** 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4/5 revocation warning/notification. */
  status: number;
  statusName: string;
  /** The TSA's statusString (PKIFreeText), joined with "; ". */
  text: string | undefined;
  failInfo: FailureInfo[];
}

/** What a time-stamp token says, for display and for the hub's records. */
export interface TimestampTokenInfo {
  /** The time the TSA vouches for. */
  genTime: Date;
  /** Serial number as lower-case hex, as `openssl ts -reply -text` prints it after `0x`. */
  serialNumber: string;
  /** The TSA policy OID under which the token was issued. */
  policy: string;
  /** The TSA's name from the token (`tsa` field), when it gives one. */
  tsaName: string | undefined;
  nonce: bigint | undefined;
  /** Imprint hash OID (SHA-256: 2.16.840.1.101.3.4.2.1). */
  imprintAlgorithm: string;
  imprintHex: string;
  /** ± accuracy of genTime in milliseconds, when the token states it. */
  accuracyMs: number | undefined;
  ordering: boolean;
  /** Subject of the signer certificate when the token embeds it. */
  signerName: string | undefined;
}

/** A decoded token: the pieces the verifier needs and the display info. */
export interface DecodedToken {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  tstInfo: pkijs.TSTInfo;
  /** The TSTInfo DER as signed (the eContent octets). */
  tstInfoDer: Uint8Array;
  /** Certificates embedded in the token (certReq). */
  certificates: pkijs.Certificate[];
  info: TimestampTokenInfo;
}

function failureInfoOf(bits: asn1js.BitString | undefined): FailureInfo[] {
  if (!bits) return [];
  const bytes = bits.valueBlock.valueHexView;
  return (Object.entries(FAILURE_BITS) as [FailureInfo, number][])
    .filter(([, bit]) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0)
    .map(([name]) => name);
}

function statusOf(info: pkijs.PKIStatusInfo): TimestampStatus {
  const texts = (info.statusStrings ?? []).map((text) => text.valueBlock.value).filter(Boolean);
  return {
    status: info.status,
    statusName: STATUS_NAMES[info.status] ?? `status ${info.status}`,
    text: texts.length > 0 ? texts.join("; ") : undefined,
    failInfo: failureInfoOf(info.failInfo),
  };
}

/** Whether the status is one under which the response carries a token. */
export function isGranted(status: TimestampStatus): boolean {
  return status.status === 0 || status.status === 1;
}

/** One line for people: `rejection: Not enough credit (badRequest)`. */
export function describeStatus(status: TimestampStatus): string {
  const failInfo = status.failInfo.length > 0 ? ` (${status.failInfo.join(", ")})` : "";
  return `${status.statusName}${status.text ? `: ${status.text}` : ""}${failInfo}`;
}

/**
 * Read a DER TimeStampResp into its status and (when granted) its token.
 * Throws MalformedDerError when the bytes are not a TimeStampResp.
 */
export function readTimestampResponse(tsr: Uint8Array): {
  status: TimestampStatus;
  token: pkijs.ContentInfo | undefined;
} {
  ensureCryptoEngine();
  const response = fromDer(pkijs.TimeStampResp, tsr, "TimeStampResp");
  return { status: statusOf(response.status), token: response.timeStampToken };
}

function accuracyMs(accuracy: pkijs.Accuracy | undefined): number | undefined {
  if (!accuracy) return undefined;
  return (accuracy.seconds ?? 0) * 1000 + (accuracy.millis ?? 0) + (accuracy.micros ?? 0) / 1000;
}

function generalNameText(name: pkijs.GeneralName | undefined): string | undefined {
  if (!name) return undefined;
  // 4 = directoryName, the usual form; the others are plain strings (DNS, URI, e-mail).
  if (name.type === 4 && name.value instanceof pkijs.RelativeDistinguishedNames)
    return formatName(name.value);
  return typeof name.value === "string" ? name.value : undefined;
}

/** The certificate a SignerInfo names, among candidates. */
export function findSignerCertificate(
  signerInfo: pkijs.SignerInfo,
  candidates: readonly pkijs.Certificate[],
): pkijs.Certificate | undefined {
  const sid = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return candidates.find(
      (cert) => cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber),
    );
  }
  // [0] SubjectKeyIdentifier: the certificate's SKI, or the SHA-1 of its key as RFC 5280 derives it.
  const keyId: Uint8Array = sid.idBlock.isConstructed
    ? sid.valueBlock.value[0].valueBlock.valueHexView
    : sid.valueBlock.valueHexView;
  return candidates.find((cert) => {
    const ski = cert.extensions?.find((extension) => extension.extnID === "2.5.29.14");
    const certKeyId =
      ski?.parsedValue instanceof asn1js.OctetString
        ? ski.parsedValue.valueBlock.valueHexView
        : new Bun.CryptoHasher("sha1")
            .update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
            .digest();
    return sameBytes(certKeyId, keyId);
  });
}

/**
 * Decode a TimeStampToken (a CMS ContentInfo with SignedData over a TSTInfo).
 * Checks its shape only, not its signature. Throws MalformedDerError naming
 * what is wrong.
 */
export function decodeToken(token: pkijs.ContentInfo): DecodedToken {
  ensureCryptoEngine();
  if (token.contentType !== OID.signedData) {
    throw new MalformedDerError(
      `the token is a CMS ${token.contentType}, not SignedData (${OID.signedData})`,
    );
  }
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: token.content });
  } catch (error) {
    throw new MalformedDerError(
      `the token's SignedData does not match its schema: ${error instanceof Error ? error.message : error}`,
    );
  }
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== OID.tstInfo || !eContent) {
    throw new MalformedDerError(
      `the token signs ${eContent ? eContentType : "no content"}, not a TSTInfo (${OID.tstInfo})`,
    );
  }
  if (signedData.signerInfos.length !== 1) {
    throw new MalformedDerError(
      `a time-stamp token has exactly one signer (RFC 3161 §2.4.2), this one has ${signedData.signerInfos.length}`,
    );
  }
  const tstInfoDer = new Uint8Array(eContent.getValue());
  const tstInfo = fromDer(pkijs.TSTInfo, tstInfoDer, "TSTInfo");
  const certificates = (signedData.certificates ?? []).filter(
    (cert): cert is pkijs.Certificate => cert instanceof pkijs.Certificate,
  );
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const signer = findSignerCertificate(signerInfo, certificates);
  return {
    signedData,
    signerInfo,
    tstInfo,
    tstInfoDer,
    certificates,
    info: {
      genTime: tstInfo.genTime,
      serialNumber: integerHex(tstInfo.serialNumber),
      policy: normalizeOid(tstInfo.policy),
      tsaName: generalNameText(tstInfo.tsa),
      nonce: tstInfo.nonce ? integerValue(tstInfo.nonce) : undefined,
      imprintAlgorithm: tstInfo.messageImprint.hashAlgorithm.algorithmId,
      imprintHex: hexOf(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView),
      accuracyMs: accuracyMs(tstInfo.accuracy),
      ordering: tstInfo.ordering ?? false,
      signerName: signer ? formatName(signer.subject) : undefined,
    },
  };
}

/** Whether DER bytes are a bare ContentInfo (a token) rather than a TimeStampResp. */
function isContentInfo(bytes: Uint8Array): boolean {
  const node = parseDer(bytes, "time-stamp");
  const first = node instanceof asn1js.Sequence ? node.valueBlock.value[0] : undefined;
  return first instanceof asn1js.ObjectIdentifier;
}

/**
 * The content of a `.tsr` (TimeStampResp) or of a bare token (what some
 * clients save, e.g. `openssl ts -reply -token_out`), for display: genTime,
 * serial, policy, TSA name. Does not verify anything; use
 * verifyTimestampResponse for that.
 *
 * @example
 * const { genTime, serialNumber, policy, tsaName } = parseTimestampToken(readFileSync("manifest.tsr"));
 */
export function parseTimestampToken(bytes: Uint8Array): TimestampTokenInfo {
  ensureCryptoEngine();
  if (isContentInfo(bytes)) return decodeToken(fromDer(pkijs.ContentInfo, bytes, "token")).info;
  const { status, token } = readTimestampResponse(bytes);
  if (!token) {
    throw new MalformedDerError(`the response holds no token (${describeStatus(status)})`);
  }
  return decodeToken(token).info;
}

/**
 * A granted TimeStampResp around a token. The token is what the TSA signed;
 * the status around it is not signed, so wrapping a bare token changes
 * nothing a verifier relies on, and lets openssl read it with `-in`.
 *
 * @example
 * const tsr = grantedResponse(new Uint8Array(tokenBytes)); // from a TSA that answered with a bare token
 */
export function grantedResponse(token: Uint8Array | pkijs.ContentInfo): Uint8Array {
  ensureCryptoEngine();
  const contentInfo =
    token instanceof pkijs.ContentInfo ? token : fromDer(pkijs.ContentInfo, token, "token");
  return toDer(
    new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
      timeStampToken: contentInfo,
    }),
  );
}

/**
 * A rejection TimeStampResp (status 2) with a failure bit and a text, as a
 * TSA answers a request it will not stamp.
 *
 * @example
 * return rejectionResponse("badAlg", "only SHA-256, SHA-384 and SHA-512 imprints are accepted");
 */
export function rejectionResponse(failure: FailureInfo, text: string): Uint8Array {
  ensureCryptoEngine();
  const bit = FAILURE_BITS[failure];
  // DER named bit string: no trailing zero bits, so the last byte holds the highest set bit.
  const bytes = new Uint8Array((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  return toDer(
    new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({
        status: pkijs.PKIStatus.rejection,
        statusStrings: [new asn1js.Utf8String({ value: text })],
        failInfo: new asn1js.BitString({
          valueHex: toArrayBuffer(bytes),
          unusedBits: 7 - (bit & 7),
        }),
      }),
    }),
  );
}
