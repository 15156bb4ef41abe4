/**
 * The `identity` header of Kamu SM's time-stamp service (TÜBİTAK BİLGEM,
 * "Zaman Damgası"), the TSA most Turkish Law 5651 users buy credits from.
 *
 * Kamu SM answers standard RFC 3161 requests but authenticates each one with
 * an HTTP header `identity` instead of HTTP auth. Reconstructed from public
 * sources (see docs/timestamping.md): TÜBİTAK's own MA3/ESYA Java and .NET
 * client (`tr.gov.tubitak.uekae.esya.api.infra.tsclient`: TSClient,
 * TSRequestGenerator) and two independent open-source clients that say they
 * work against the live service (kamusm-zd-rs in Rust, kamusm-go in Go):
 *
 *   ESYAReqEx ::= SEQUENCE {
 *     userid                  INTEGER,       -- the customer number
 *     salt                    OCTET STRING,  -- 16 random bytes
 *     iterationCount          INTEGER,       -- 100
 *     iv                      OCTET STRING,  -- 16 bytes, the same as the salt
 *     encryptedMessageImprint OCTET STRING } -- AES-256-CBC/PKCS#7 of the hashed message
 *   key    = PBKDF2-HMAC-SHA256(password, salt, iterationCount, 32 bytes)
 *   header = DER(ESYAReqEx) read as a big-endian integer, in lower-case hex
 *
 * NOT CHECKED AGAINST THE REAL SERVICE from here (no network, no account):
 * the encoding is checked against OpenSSL's PBKDF2 and AES, and the sources
 * above agree on it, but whether Kamu SM accepts it is untested. The official
 * client takes the salt from its own PBE key spec and a separate IV; both
 * open-source clients send salt = IV and report success, and the server reads
 * both from the structure, so we follow them.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import * as asn1js from "asn1js";
import { parseDer, toArrayBuffer, toDer } from "./der.ts";

/** What both public clients send; the server reads the count from the header, so it is not a secret constant. */
export const KAMUSM_PBKDF2_ITERATIONS = 100;

export interface KamusmCredentials {
  /** The customer number ("müşteri no") Kamu SM issued with the credits. */
  customerId: number;
  /** The customer password ("parola"). */
  password: string;
  /** PBKDF2 iterations; the server reads them from the header (default 100). */
  iterations?: number;
}

function aesKey(password: string, salt: Uint8Array, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
}

/** Refuse credentials that cannot be what Kamu SM issued, before any request is made. */
export function checkKamusmCredentials(credentials: KamusmCredentials): void {
  const { customerId, password, iterations = KAMUSM_PBKDF2_ITERATIONS } = credentials;
  if (!Number.isSafeInteger(customerId) || customerId < 0)
    throw new TypeError(
      `Kamu SM authentication needs the numeric customer number as the user name (TSA_USERNAME), got ${customerId}`,
    );
  if (password.length === 0)
    throw new TypeError("Kamu SM authentication needs the customer password (TSA_PASSWORD)");
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new TypeError(`Kamu SM PBKDF2 iterations must be a positive integer, got ${iterations}`);
}

/**
 * The `identity` header value for one request: proves knowledge of the
 * password over this request's digest (a fresh salt each time, so it cannot be
 * replayed for another digest).
 *
 * @example
 * const request = buildTimestampRequest({ data: manifestBytes });
 * headers.set("identity", kamusmIdentity({ customerId: 123456, password }, request.digest));
 */
export function kamusmIdentity(
  credentials: KamusmCredentials,
  hashedMessage: Uint8Array,
  /** Tests pass fixed bytes; production uses 16 random ones. */
  salt: Uint8Array = randomBytes(16),
): string {
  checkKamusmCredentials(credentials);
  const iterations = credentials.iterations ?? KAMUSM_PBKDF2_ITERATIONS;
  const iv = salt; // as the working public clients send it (see the file comment)
  const cipher = createCipheriv("aes-256-cbc", aesKey(credentials.password, salt, iterations), iv);
  const encrypted = Buffer.concat([cipher.update(hashedMessage), cipher.final()]);
  const structure = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(BigInt(credentials.customerId)),
      new asn1js.OctetString({ valueHex: toArrayBuffer(salt) }),
      new asn1js.Integer({ value: iterations }),
      new asn1js.OctetString({ valueHex: toArrayBuffer(iv) }),
      new asn1js.OctetString({ valueHex: toArrayBuffer(encrypted) }),
    ],
  });
  // The official client prints Java's BigInteger(der).toString(16); DER starts with 0x30, so
  // that is exactly the hex of the bytes (no sign, no dropped leading zero).
  return Buffer.from(toDer(structure)).toString("hex");
}

/** The fields of an `identity` header, decrypted: for tests and for diagnosing a refused login. */
export interface DecodedKamusmIdentity {
  customerId: number;
  salt: Uint8Array;
  iterations: number;
  iv: Uint8Array;
  hashedMessage: Uint8Array;
}

/**
 * Decode an `identity` header with the password (the server's side of
 * {@link kamusmIdentity}). Throws when the header is malformed or the password
 * does not decrypt it.
 *
 * @example
 * const { customerId, hashedMessage } = decodeKamusmIdentity(header, password);
 */
export function decodeKamusmIdentity(header: string, password: string): DecodedKamusmIdentity {
  const hex = header.length % 2 === 0 ? header : `0${header}`;
  const node = parseDer(new Uint8Array(Buffer.from(hex, "hex")), "Kamu SM identity");
  const [id, salt, iterations, iv, encrypted] =
    node instanceof asn1js.Sequence ? node.valueBlock.value : [];
  if (
    !(id instanceof asn1js.Integer) ||
    !(salt instanceof asn1js.OctetString) ||
    !(iterations instanceof asn1js.Integer) ||
    !(iv instanceof asn1js.OctetString) ||
    !(encrypted instanceof asn1js.OctetString)
  ) {
    throw new TypeError("the Kamu SM identity is not an ESYAReqEx SEQUENCE of 5 fields");
  }
  const saltBytes = new Uint8Array(salt.valueBlock.valueHexView);
  const ivBytes = new Uint8Array(iv.valueBlock.valueHexView);
  const rounds = Number(iterations.toBigInt());
  const decipher = createDecipheriv("aes-256-cbc", aesKey(password, saltBytes, rounds), ivBytes);
  const hashedMessage = Buffer.concat([
    decipher.update(encrypted.valueBlock.valueHexView),
    decipher.final(),
  ]);
  return {
    customerId: Number(id.toBigInt()),
    salt: saltBytes,
    iterations: rounds,
    iv: ivBytes,
    hashedMessage: new Uint8Array(hashedMessage),
  };
}
