/**
 * The DER, PEM and OID plumbing of the time-stamp code, in one place: the
 * request builder, the verifier, the client and the hub's development TSA all
 * read and write ASN.1 through these helpers and pkijs.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

/** Object identifiers the time-stamp code reads or writes. */
export const OID = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  signedData: "1.2.840.113549.1.7.2",
  /** id-ct-TSTInfo: the content type of a time-stamp token (RFC 3161 §2.4.2). */
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  /** ESS signing-certificate (RFC 2634, SHA-1 cert hash). */
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  /** ESS signing-certificate v2 (RFC 5035 / RFC 5816, any hash; SHA-256 by default). */
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  kpTimeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

/**
 * LogMaster's own OID arc. We hold no IANA enterprise number, so the arc is a
 * UUID OID (ITU-T X.667, `2.25.<uuid as an integer>`), which anyone may mint
 * without registration and nobody else will collide with. UUID:
 * cccecd4a-0196-476b-b50d-cbff2c19678f. Sub-arcs: `.1` time-stamp policies
 * (`.1.1` development TSA, `.1.2` test TSA); see docs/timestamping.md.
 */
export const LOGMASTER_OID_ARC = "2.25.272236288050324948369483560718817650575";

/** Hash algorithms accepted for a message imprint. SHA-1 is not: its collisions are practical. */
export const IMPRINT_HASHES = {
  "SHA-256": { oid: OID.sha256, bun: "sha256", bytes: 32 },
  "SHA-384": { oid: OID.sha384, bun: "sha384", bytes: 48 },
  "SHA-512": { oid: OID.sha512, bun: "sha512", bytes: 64 },
} as const;

export type ImprintHash = keyof typeof IMPRINT_HASHES;

/** The imprint hash named by an OID, or undefined when we do not accept it. */
export function imprintHashByOid(oid: string): ImprintHash | undefined {
  for (const [name, hash] of Object.entries(IMPRINT_HASHES)) {
    if (hash.oid === oid) return name as ImprintHash;
  }
  return undefined;
}

/** Digest of bytes with an imprint hash. */
export function digestOf(hash: ImprintHash, data: Uint8Array): Uint8Array {
  const digest = new Bun.CryptoHasher(IMPRINT_HASHES[hash].bun).update(data).digest();
  // A plain Uint8Array, not Bun's Buffer, so digests compare equal to parsed ones.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** A DER or BER structure that cannot be read; `what` names the structure. */
export class MalformedDerError extends Error {
  override readonly name = "MalformedDerError";
}

let engineInstalled = false;

/**
 * Point pkijs at the runtime's WebCrypto. pkijs keeps one global engine; every
 * entry point of this folder calls this first, so callers need no setup.
 */
export function ensureCryptoEngine(): void {
  if (engineInstalled) return;
  const engine = new pkijs.CryptoEngine({ name: "webcrypto", crypto: globalThis.crypto });
  // pkijs types its engine as the DOM SubtleCrypto, which TypeScript's lib has since grown
  // (encapsulateKey...) beyond what pkijs declares; pkijs never calls those members.
  pkijs.setEngine("webcrypto", engine as unknown as pkijs.ICryptoEngine);
  engineInstalled = true;
}

/** The bytes of a view as a standalone ArrayBuffer (pkijs and WebCrypto want ArrayBuffers). */
export function toArrayBuffer(view: Uint8Array): ArrayBuffer {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}

/**
 * Parse one complete DER value; trailing bytes are refused, so a response
 * with junk after it is not taken for a valid one.
 */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1 || parsed.result.error) {
    throw new MalformedDerError(
      `${what} is not valid DER: ${parsed.result.error || "cannot parse"}`,
    );
  }
  if (parsed.offset !== der.byteLength) {
    throw new MalformedDerError(
      `${what} has ${der.byteLength - parsed.offset} unexpected bytes after its DER value`,
    );
  }
  return parsed.result;
}

/**
 * Build a pkijs object from DER, turning pkijs' schema errors into
 * MalformedDerError with the structure's name.
 *
 * @example
 * const response = fromDer(pkijs.TimeStampResp, tsr, "TimeStampResp");
 */
export function fromDer<T>(
  type: { new (parameters: { schema: asn1js.AsnType }): T },
  der: Uint8Array,
  what: string,
): T {
  const schema = parseDer(der, what);
  try {
    return new type({ schema });
  } catch (error) {
    throw new MalformedDerError(
      `${what} does not match its ASN.1 schema: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** DER bytes of an asn1js value or a pkijs object. */
export function toDer(value: asn1js.AsnType | { toSchema(): asn1js.AsnType }): Uint8Array {
  const node = "toSchema" in value ? value.toSchema() : value;
  return new Uint8Array(node.toBER(false));
}

/** Lower-case hex of bytes. */
export function hexOf(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** An INTEGER's value; nonces and serial numbers are arbitrary-length, so bigint. */
export function integerValue(integer: asn1js.Integer): bigint {
  return integer.toBigInt();
}

/** A non-negative bigint as a DER INTEGER. */
export function integerOf(value: bigint): asn1js.Integer {
  if (value < 0n) throw new RangeError("only non-negative integers are used here");
  return asn1js.Integer.fromBigInt(value);
}

/**
 * An INTEGER's magnitude as lower-case hex, as `openssl ts -reply -text`
 * prints serial numbers (after its `0x`), without a DER sign byte.
 */
export function integerHex(integer: asn1js.Integer): string {
  const hex = integerValue(integer).toString(16);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

/**
 * An OID as dotted decimal. asn1js prints arcs above 2^53 (such as the UUID
 * arcs of `2.25`) as `{hex of the base-128 groups}`; this turns them back into
 * decimal so OIDs compare as text.
 */
export function normalizeOid(text: string): string {
  return text.replace(/\{([0-9a-f]+)\}/gi, (_match, hex: string) => {
    let value = 0n;
    for (const byte of Buffer.from(hex, "hex")) value = (value << 7n) | BigInt(byte & 0x7f);
    return value.toString();
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The DER payloads of the PEM blocks with a label, in order ("CERTIFICATE" by default). */
export function pemBlocks(text: string, label = "CERTIFICATE"): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (match[1] === label) blocks.push(new Uint8Array(Buffer.from(match[2] ?? "", "base64")));
  }
  return blocks;
}

/** PEM text of DER bytes, 64 characters a line, as openssl writes it. */
export function derToPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * Every certificate in a list of PEM texts (each text may be a bundle).
 * Throws naming the text when one holds no certificate, so a wrong file
 * (a key, an empty file) is reported instead of trusting nothing.
 *
 * @example
 * const roots = certificatesFromPems([readFileSync("tsa-ca.pem", "utf8")]);
 */
export function certificatesFromPems(pems: readonly string[], what = "PEM"): pkijs.Certificate[] {
  const certificates: pkijs.Certificate[] = [];
  pems.forEach((pem, index) => {
    const blocks = pemBlocks(pem);
    if (blocks.length === 0)
      throw new MalformedDerError(`${what} #${index + 1} holds no certificate`);
    for (const der of blocks)
      certificates.push(fromDer(pkijs.Certificate, der, `${what} #${index + 1} certificate`));
  });
  return certificates;
}

/** PEM of a pkijs certificate. */
export function certificateToPem(certificate: pkijs.Certificate): string {
  return derToPem(toDer(certificate));
}

const NAME_LABELS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
};

/** A distinguished name as `CN=..., O=...` (in certificate order), for display. */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((entry) => {
      const label = NAME_LABELS[entry.type] ?? normalizeOid(entry.type);
      const value = entry.value.valueBlock.value;
      return `${label}=${typeof value === "string" ? value : hexOf(entry.value.valueBlock.valueHexView)}`;
    })
    .join(", ");
}

/**
 * DER requires the members of a SET OF in ascending order of their
 * encodings. pkijs writes signed attributes in the order given, and OpenSSL
 * re-encodes them sorted before checking the signature, so a signer must hand
 * them over already sorted.
 */
export function sortForDerSet<T extends { toSchema(): asn1js.AsnType }>(members: T[]): T[] {
  return members
    .map((member) => ({ member, der: toDer(member) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ member }) => member);
}
