/**
 * RFC 3161 TimeStampReq: built by the hub's client for each sealed manifest,
 * read by the development TSA and by the test TSA that rewrites queries.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  digestOf,
  ensureCryptoEngine,
  fromDer,
  IMPRINT_HASHES,
  type ImprintHash,
  imprintHashByOid,
  integerOf,
  integerValue,
  MalformedDerError,
  normalizeOid,
  toArrayBuffer,
  toDer,
} from "./der.ts";

/** A request ready to POST, with what its response must echo. */
export interface TimestampRequest {
  /** DER TimeStampReq, the body of an `application/timestamp-query` POST. */
  der: Uint8Array;
  /** The nonce the response must carry (RFC 3161 §2.4.2: proves the answer is to this request). */
  nonce: bigint;
  hashAlgorithm: ImprintHash;
  /** The hashed message of the imprint. */
  digest: Uint8Array;
}

export interface BuildTimestampRequestOptions {
  /** The bytes to time-stamp (hashed here); or give `digest`. */
  data?: Uint8Array;
  /** An already computed digest of `hashAlgorithm`. */
  digest?: Uint8Array;
  hashAlgorithm?: ImprintHash;
  /** Default: 64 random bits. Tests pass one to build a mismatching query. */
  nonce?: bigint;
  /** Ask the TSA to include its certificate (default true: the verifier needs it). */
  certReq?: boolean;
  /** TSA policy OID to ask for (`reqPolicy`); absent lets the TSA use its default. */
  reqPolicy?: string;
}

/** 64 random bits, never 0 (a zero nonce reads like "no nonce" in some tools). */
export function randomNonce(): bigint {
  for (;;) {
    const nonce = new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0);
    if (nonce !== 0n) return nonce;
  }
}

/**
 * Build a DER TimeStampReq: version 1, the message imprint, a random 64-bit
 * nonce, certReq true, and an optional policy.
 *
 * @example
 * const request = buildTimestampRequest({ data: manifestBytes });
 * await fetch(tsaUrl, { method: "POST", body: request.der,
 *   headers: { "content-type": "application/timestamp-query" } });
 */
export function buildTimestampRequest(options: BuildTimestampRequestOptions): TimestampRequest {
  ensureCryptoEngine();
  const hashAlgorithm = options.hashAlgorithm ?? "SHA-256";
  const hash = IMPRINT_HASHES[hashAlgorithm];
  if ((options.data === undefined) === (options.digest === undefined)) {
    throw new TypeError('buildTimestampRequest needs exactly one of "data" or "digest"');
  }
  const digest = options.digest ?? digestOf(hashAlgorithm, options.data as Uint8Array);
  if (digest.byteLength !== hash.bytes) {
    throw new RangeError(
      `a ${hashAlgorithm} digest has ${hash.bytes} bytes, "digest" has ${digest.byteLength}`,
    );
  }
  const nonce = options.nonce ?? randomNonce();
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: hash.oid,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: integerOf(nonce),
    certReq: options.certReq ?? true,
    ...(options.reqPolicy === undefined ? {} : { reqPolicy: options.reqPolicy }),
  });
  return { der: toDer(request), nonce, hashAlgorithm, digest };
}

/** What a TSA reads from a TimeStampReq. */
export interface ParsedTimestampRequest {
  version: number;
  hashAlgorithmOid: string;
  /** Undefined when the algorithm is not one we accept (a TSA answers badAlg). */
  hashAlgorithm: ImprintHash | undefined;
  hashedMessage: Uint8Array;
  nonce: bigint | undefined;
  certReq: boolean;
  reqPolicy: string | undefined;
  /** A TSA that supports no extensions must refuse a request with any (RFC 3161 §2.4.1). */
  hasExtensions: boolean;
}

/**
 * Read a DER TimeStampReq. Throws MalformedDerError when it is not one.
 *
 * @example
 * const query = parseTimestampRequest(new Uint8Array(await request.arrayBuffer()));
 * if (!query.hashAlgorithm) return reject("badAlg");
 */
export function parseTimestampRequest(der: Uint8Array): ParsedTimestampRequest {
  ensureCryptoEngine();
  const request = fromDer(pkijs.TimeStampReq, der, "TimeStampReq");
  const hashAlgorithmOid = request.messageImprint.hashAlgorithm.algorithmId;
  if (request.version !== 1) {
    throw new MalformedDerError(`TimeStampReq version is ${request.version}, only 1 exists`);
  }
  return {
    version: request.version,
    hashAlgorithmOid,
    hashAlgorithm: imprintHashByOid(hashAlgorithmOid),
    hashedMessage: new Uint8Array(request.messageImprint.hashedMessage.valueBlock.valueHexView),
    nonce: request.nonce ? integerValue(request.nonce) : undefined,
    certReq: request.certReq ?? false,
    reqPolicy: request.reqPolicy === undefined ? undefined : normalizeOid(request.reqPolicy),
    hasExtensions: (request.extensions?.length ?? 0) > 0,
  };
}
