/**
 * The development TSA of the zero-setup mode: a real RFC 3161 time-stamping
 * authority built into the hub, so every sealed chunk gets a `manifest.tsr`
 * that `openssl ts -verify` accepts, with no TSA account. Its tokens have NO
 * legal value (its clock is the host's and nobody audits it); its
 * certificates say so in their names, for people, and verifiers recognise it
 * by LogMaster's development policy OID: in every token it signs and in its
 * signer certificate's certificatePolicies
 * (shared/src/timestamp/development-tsa.ts). Production points TSA_URL at a
 * real TSA.
 */
import { createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as asn1js from "asn1js";
import forge from "node-forge";
import * as pkijs from "pkijs";
import {
  certificatesFromPems,
  digestOf,
  ensureCryptoEngine,
  IMPRINT_HASHES,
  integerOf,
  OID,
  sortForDerSet,
  toArrayBuffer,
  toDer,
} from "../../../shared/src/timestamp/der.ts";
import {
  CERTIFICATE_POLICIES_OID,
  DEVELOPMENT_TSA_POLICY_OID,
} from "../../../shared/src/timestamp/development-tsa.ts";
import {
  type FetchLike,
  grantedResponse,
  parseTimestampRequest,
  readLimitedBody,
  rejectionResponse,
  timestampSignerProblem,
} from "../../../shared/src/timestamp/index.ts";
import { BACKDATE_MS } from "../identity/ca.ts";
import { generateRsaKeyPair, randomSerialHex, selfSignedRoot } from "../identity/keys.ts";

/**
 * The development TSA's policy: LogMaster arc `.1` (time-stamp policies)
 * `.1` (development, no legal value). docs/timestamping.md lists the arc.
 */
export const DEV_TSA_POLICY_OID = DEVELOPMENT_TSA_POLICY_OID;

/** The files in the dev TSA's directory. The CA's key is not among them (see createDevTsaFiles). */
export const DEV_TSA_FILES = {
  caCertificate: "dev-tsa-ca.pem",
  signerCertificate: "dev-tsa-signer.pem",
  signerKey: "dev-tsa-signer.key.pem",
} as const;

export const DEV_TSA_CA_NAME = "LogMaster DEVELOPMENT TSA Root - NOT LEGALLY VALID";
export const DEV_TSA_SIGNER_NAME = "LogMaster DEVELOPMENT TSA - NOT LEGALLY VALID";
/** The user notice of the signer's certificate policy, shown by `openssl x509 -text`. */
export const DEV_TSA_POLICY_NOTICE =
  "LogMaster development TSA: its time-stamps have NO legal value (zero-setup mode)";
/** id-qt-unotice (RFC 5280 §4.2.1.4). */
const USER_NOTICE_OID = "1.3.6.1.5.5.7.2.2";
const CA_VALIDITY_YEARS = 20;
const SIGNER_VALIDITY_YEARS = 10;
/** A TimeStampReq is ~100 bytes; anything this large is not one. */
const MAX_QUERY_BYTES = 16 * 1024;
const QUERY_TYPE = "application/timestamp-query";
const REPLY_TYPE = "application/timestamp-reply";

/** A running development TSA. */
export interface DevTsa {
  /** The root certificate (PEM): `tsa-ca.pem` of bundles, TSA_CA for the client. */
  caPem: string;
  /** The signer certificate (PEM): `tsa-chain.pem` of bundles. */
  signerPem: string;
  policy: string;
  /**
   * Answer a DER TimeStampReq with a DER TimeStampResp. Never throws on bad
   * input: a request it will not stamp gets a rejection response, as RFC 3161
   * asks.
   */
  respond(query: Uint8Array, now?: Date): Promise<Uint8Array>;
  /** The HTTP face (RFC 3161 §3.4), Web Fetch shaped: mount under Hono at `/tsa`, or Bun.serve it. */
  handler(request: Request): Promise<Response>;
  /** `fetch` for the hub's TSA client when the dev TSA runs in-process (no socket needed). */
  fetch: FetchLike;
}

export interface DevTsaOptions {
  /** RSA key size of the CA and signer; 3072 by default, tests use 2048 (faster to make). */
  keyBits?: number;
}

function years(from: Date, count: number): Date {
  const date = new Date(from);
  date.setUTCFullYear(date.getUTCFullYear() + count);
  return date;
}

/**
 * The signer certificate's certificatePolicies (non-critical): the
 * development policy with a user notice, the marker verifiers read
 * (isDevelopmentTimestamp). As forge takes an extension it does not know: the
 * DER of its value, as a binary string.
 */
function developmentPolicyExtension() {
  const policies = new pkijs.CertificatePolicies({
    certificatePolicies: [
      new pkijs.PolicyInformation({
        policyIdentifier: DEVELOPMENT_TSA_POLICY_OID,
        policyQualifiers: [
          new pkijs.PolicyQualifierInfo({
            policyQualifierId: USER_NOTICE_OID,
            // UserNotice ::= SEQUENCE { explicitText UTF8String }
            qualifier: new asn1js.Sequence({
              value: [new asn1js.Utf8String({ value: DEV_TSA_POLICY_NOTICE })],
            }),
          }),
        ],
      }),
    ],
  });
  return {
    id: CERTIFICATE_POLICIES_OID,
    critical: false,
    value: Buffer.from(toDer(policies)).toString("binary"),
  };
}

/**
 * Make the CA and signer and write them to `dir`. The CA's private key is
 * used once, to sign the signer certificate, and never stored: nothing else
 * should ever be issued under a development root, and a key that does not
 * exist cannot leak. When the signer expires (10 years), delete the directory
 * to get a new dev TSA; old tokens keep verifying with their bundles' own
 * `tsa-ca.pem`.
 */
function createDevTsaFiles(dir: string, keyBits: number): void {
  const now = Date.now();
  const root = selfSignedRoot({
    name: [
      { name: "commonName", value: DEV_TSA_CA_NAME },
      { name: "organizationName", value: "LogMaster development" },
    ],
    keyBits,
    notBefore: new Date(now - BACKDATE_MS),
    years: CA_VALIDITY_YEARS,
  });
  const { certificate: ca, privateKey: caKey, name: caName } = root;

  const signerKeys = generateRsaKeyPair(keyBits);
  const signer = forge.pki.createCertificate();
  signer.publicKey = forge.pki.publicKeyFromPem(signerKeys.publicKeyPem);
  signer.serialNumber = randomSerialHex();
  signer.validity.notBefore = new Date(now - BACKDATE_MS);
  signer.validity.notAfter = years(new Date(now), SIGNER_VALIDITY_YEARS);
  signer.setSubject([
    { name: "commonName", value: DEV_TSA_SIGNER_NAME },
    { name: "organizationName", value: "LogMaster development" },
  ]);
  signer.setIssuer(caName);
  signer.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    // RFC 3161 §2.3: exactly this purpose, critical; openssl refuses to verify anything else.
    { name: "extKeyUsage", timeStamping: true, critical: true },
    developmentPolicyExtension(),
    { name: "subjectKeyIdentifier" },
    {
      name: "authorityKeyIdentifier",
      keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  signer.sign(caKey, forge.md.sha256.create());

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, DEV_TSA_FILES.signerKey);
  // The key first, 0600 from its first byte; the signer certificate last, so its presence
  // means the set is complete.
  writeFileSync(keyPath, signerKeys.privateKeyPem, { mode: 0o600, flag: "wx" });
  chmodSync(keyPath, 0o600);
  writeFileSync(join(dir, DEV_TSA_FILES.caCertificate), forge.pki.certificateToPem(ca), {
    flag: "wx",
  });
  writeFileSync(join(dir, DEV_TSA_FILES.signerCertificate), forge.pki.certificateToPem(signer), {
    flag: "wx",
  });
}

function signedAttributes(tstInfoDer: Uint8Array, signerDer: Uint8Array, now: Date) {
  const attribute = (type: string, value: asn1js.AsnType) =>
    new pkijs.Attribute({ type, values: [value] });
  return sortForDerSet([
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.tstInfo })),
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: now })),
    attribute(
      OID.messageDigest,
      new asn1js.OctetString({ valueHex: toArrayBuffer(digestOf("SHA-256", tstInfoDer)) }),
    ),
    // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash } ] }; SHA-256 is the DEFAULT, so
    // DER omits the algorithm (RFC 5816).
    attribute(
      OID.signingCertificateV2,
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.Sequence({
                value: [
                  new asn1js.OctetString({
                    valueHex: toArrayBuffer(digestOf("SHA-256", signerDer)),
                  }),
                ],
              }),
            ],
          }),
        ],
      }),
    ),
  ]);
}

function randomTokenSerial(): bigint {
  return BigInt(`0x${randomSerialHex()}`);
}

async function openDevTsa(dir: string): Promise<DevTsa> {
  ensureCryptoEngine();
  const caPem = readFileSync(join(dir, DEV_TSA_FILES.caCertificate), "utf8");
  const signerPem = readFileSync(join(dir, DEV_TSA_FILES.signerCertificate), "utf8");
  // certificatesFromPems throws when the file holds no certificate, so [0] exists.
  const signer = certificatesFromPems(
    [signerPem],
    DEV_TSA_FILES.signerCertificate,
  )[0] as pkijs.Certificate;
  const problem = timestampSignerProblem(signer);
  if (problem) throw new Error(`${join(dir, DEV_TSA_FILES.signerCertificate)}: ${problem}`);
  if (signer.notAfter.value.getTime() < Date.now())
    throw new Error(
      `the development TSA certificate in ${dir} expired on ${signer.notAfter.value.toISOString()}; delete the directory to make a new one`,
    );
  const signerDer = toDer(signer);
  const pkcs8 = createPrivateKey(readFileSync(join(dir, DEV_TSA_FILES.signerKey), "utf8")).export({
    type: "pkcs8",
    format: "der",
  });
  const signingKey = await crypto.subtle.importKey(
    "pkcs8",
    toArrayBuffer(new Uint8Array(pkcs8)),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );

  async function respond(query: Uint8Array, now = new Date()): Promise<Uint8Array> {
    let request: ReturnType<typeof parseTimestampRequest>;
    try {
      request = parseTimestampRequest(query);
    } catch (error) {
      return rejectionResponse(
        "badDataFormat",
        `not a TimeStampReq: ${error instanceof Error ? error.message : error}`,
      );
    }
    const hash = request.hashAlgorithm;
    if (!hash)
      return rejectionResponse(
        "badAlg",
        `imprint hash ${request.hashAlgorithmOid} refused: only SHA-256, SHA-384 and SHA-512`,
      );
    if (request.hashedMessage.byteLength !== IMPRINT_HASHES[hash].bytes)
      return rejectionResponse(
        "badDataFormat",
        `a ${hash} imprint is ${IMPRINT_HASHES[hash].bytes} bytes`,
      );
    if (request.reqPolicy !== undefined && request.reqPolicy !== DEV_TSA_POLICY_OID)
      return rejectionResponse(
        "unacceptedPolicy",
        `this development TSA only issues under policy ${DEV_TSA_POLICY_OID}`,
      );
    if (request.hasExtensions)
      return rejectionResponse("unacceptedExtension", "this TSA supports no request extensions");

    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: DEV_TSA_POLICY_OID,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: request.hashAlgorithmOid,
          algorithmParams: new asn1js.Null(),
        }),
        hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(request.hashedMessage) }),
      }),
      // Random, not a counter: several hub processes may share this TSA's files, and a random
      // 127-bit serial is unique without coordinating them.
      serialNumber: integerOf(randomTokenSerial()),
      genTime: now,
      // The host clock is not disciplined like a real TSA's; claim no better than a second.
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(request.nonce === undefined ? {} : { nonce: integerOf(request.nonce) }),
      tsa: new pkijs.GeneralName({ type: 4, value: signer.subject }),
    });
    const tstInfoDer = toDer(tstInfo);
    const signedData = new pkijs.SignedData({
      version: 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({
        eContentType: OID.tstInfo,
        eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(tstInfoDer) }),
      }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: signer.issuer,
            serialNumber: signer.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: signedAttributes(tstInfoDer, signerDer, now),
          }),
        }),
      ],
      // certReq: the client needs our certificate to verify; without it, it has it already.
      ...(request.certReq ? { certificates: [signer] } : {}),
    });
    await signedData.sign(signingKey, 0, "SHA-256");
    return grantedResponse(
      new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) }),
    );
  }

  async function handler(request: Request): Promise<Response> {
    if (request.method !== "POST")
      return new Response(`POST an RFC 3161 TimeStampReq as ${QUERY_TYPE}\n`, {
        status: 405,
        headers: { allow: "POST" },
      });
    const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== QUERY_TYPE)
      return new Response(`the body must be ${QUERY_TYPE}\n`, { status: 415 });
    const query = await readLimitedBody(request, MAX_QUERY_BYTES);
    if (!query) return new Response("a TimeStampReq is not this large\n", { status: 413 });
    // RFC 3161 §3.4: refusals are TimeStampResp too, with HTTP 200.
    return new Response(await respond(query), { headers: { "content-type": REPLY_TYPE } });
  }

  return {
    caPem,
    signerPem,
    policy: DEV_TSA_POLICY_OID,
    respond,
    handler,
    fetch: (input, init) => handler(new Request(input, init)),
  };
}

/**
 * The development TSA kept in `dir` (`dev-tsa-ca.pem`, `dev-tsa-signer.pem`,
 * `dev-tsa-signer.key.pem` with mode 0600), made there on first use.
 *
 * @example
 * const devTsa = await loadOrCreateDevTsa(join(config.dataDir, "dev-tsa"));
 * app.post("/tsa", (c) => devTsa.handler(c.req.raw));
 * const client = createTimestampClient({
 *   url: "http://dev-tsa.invalid/tsa", fetchImpl: devTsa.fetch,
 *   timeoutMs: 10_000, trustedCaPems: [devTsa.caPem],
 * });
 */
export async function loadOrCreateDevTsa(
  dir: string,
  options: DevTsaOptions = {},
): Promise<DevTsa> {
  const files = Object.values(DEV_TSA_FILES);
  const present = files.filter((file) => existsSync(join(dir, file)));
  if (present.length === 0) createDevTsaFiles(dir, options.keyBits ?? 3072);
  else if (present.length < files.length)
    throw new Error(
      `the development TSA directory ${dir} holds ${present.join(", ")} but not ${files
        .filter((file) => !present.includes(file))
        .join(", ")}; delete it to make a new development TSA`,
    );
  return openDevTsa(dir);
}
