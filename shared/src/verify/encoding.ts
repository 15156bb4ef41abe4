/**
 * Strict reading of the bundle's PEM and DER files. Parsers are lenient on
 * purpose (Node's base64 skips characters outside its alphabet, asn1js
 * forgives odd lengths, OpenSSL ignores bytes after a certificate), and that
 * leniency would let a changed byte go unnoticed: a verifier must see every
 * byte of the evidence. So a file must be exactly the canonical encoding of
 * what it holds, or it is reported, naming the file and the byte.
 */
import { X509Certificate } from "node:crypto";
import { derToPem } from "../timestamp/der.ts";

/** A bundle file that is not what it should be; the message names the file. */
export class BundleFileError extends Error {
  override readonly name = "BundleFileError";
}

const BEGIN = "-----BEGIN ";
const DASHES = "-----";

/**
 * The DER payloads of a PEM file that holds nothing but blocks labelled
 * `label` (at least one), each exactly as openssl writes it: 64-character
 * base64 lines, LF line ends (CRLF accepted, as node-forge writes them,
 * consistently within a block), nothing before, between or after the blocks.
 * Throws BundleFileError naming `file` and the offending byte.
 *
 * @example
 * const [der] = readPemFile(await Bun.file("agent.pem").bytes(), "CERTIFICATE", "agent.pem");
 */
export function readPemFile(bytes: Uint8Array, label: string, file: string): Uint8Array[] {
  // latin1 keeps every byte one character, so offsets below are byte offsets.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const header = `${BEGIN}${label}${DASHES}`;
  const footer = `-----END ${label}${DASHES}`;
  const blocks: Uint8Array[] = [];
  let at = 0;
  while (at < text.length) {
    if (!text.startsWith(header, at)) {
      throw new BundleFileError(
        blocks.length === 0 && !text.includes(header)
          ? `${file} holds no ${label} PEM block`
          : `${file} holds something other than a ${label} PEM block at byte ${at}`,
      );
    }
    const eol = text.startsWith("\r\n", at + header.length) ? "\r\n" : "\n";
    const footerAt = text.indexOf(footer, at + header.length);
    if (footerAt === -1)
      throw new BundleFileError(`${file}: the PEM block at byte ${at} has no end line`);
    const end = footerAt + footer.length + eol.length;
    const block = text.slice(at, end);
    const base64 = text.slice(at + header.length, footerAt).replaceAll(eol, "");
    const der = new Uint8Array(Buffer.from(base64, "base64"));
    const canonical = derToPem(der, label).replaceAll("\n", eol);
    if (block !== canonical) {
      let differsAt = 0;
      while (block[differsAt] === canonical[differsAt]) differsAt++;
      throw new BundleFileError(
        `${file} is not in canonical PEM form at byte ${at + differsAt} (base64 in 64-character lines, one line end style, nothing else)`,
      );
    }
    blocks.push(der);
    at = end;
  }
  if (blocks.length === 0) throw new BundleFileError(`${file} is empty`);
  return blocks;
}

const MAX_DER_DEPTH = 64;

/** One DER value: its first tag byte and where its header, content and end are. */
export interface DerNode {
  /** The first identifier byte (class, constructed bit, low tag number). */
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** The value at `at`, or why it is not one that ends by `end`. */
function nodeAt(der: Uint8Array, at: number, end: number): DerNode | string {
  const start = at;
  const tag = der[at++] as number;
  if ((tag & 0x1f) === 0x1f) {
    // High tag number: base-128, no leading 0x80 group, and only for numbers >= 31.
    if (der[at] === 0x80) return `byte ${start}: a tag number with a leading zero group`;
    let tagNumber = 0;
    let byte: number;
    do {
      if (at >= end) return `byte ${start}: a tag runs past its parent's end`;
      byte = der[at++] as number;
      tagNumber = tagNumber * 128 + (byte & 0x7f);
    } while (byte & 0x80);
    if (tagNumber < 31) return `byte ${start}: tag number ${tagNumber} in the long form`;
  }
  if (at >= end) return `byte ${start}: a value without a length`;
  const first = der[at++] as number;
  let length = first;
  if (first === 0x80) return `byte ${at - 1}: an indefinite length`;
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4 || at + count > end) return `byte ${at - 1}: an impossible length`;
    if (der[at] === 0) return `byte ${at - 1}: a length with a leading zero byte`;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[at++] as number);
    if (length < 0x80) return `byte ${start}: a short length written in the long form`;
  }
  if (at + length > end)
    return `byte ${start}: a value of ${length} bytes runs past its parent's end`;
  return { tag, start, contentStart: at, end: at + length };
}

/**
 * Why `der` is not one definite-length BER/DER value with minimal length
 * encodings whose constructed parts exactly fill their parents (undefined when
 * it is). Primitive values are not looked into: their content is what
 * signatures cover. Constructed strings (BER) are allowed, because some TSAs
 * write their token's content that way.
 *
 * @example
 * derFramingProblem(await Bun.file("manifest.tsr").bytes()) // undefined
 */
export function derFramingProblem(der: Uint8Array): string | undefined {
  const walk = (start: number, end: number, depth: number): string | undefined => {
    for (let at = start; at < end; ) {
      const node = nodeAt(der, at, end);
      if (typeof node === "string") return node;
      if (node.tag & 0x20) {
        if (depth >= MAX_DER_DEPTH) return `byte ${at}: nested deeper than ${MAX_DER_DEPTH}`;
        const problem = walk(node.contentStart, node.end, depth + 1);
        if (problem) return problem;
      }
      at = node.end;
      if (depth === 0 && at !== end)
        return `${end - at} byte${end - at === 1 ? "" : "s"} after the DER value`;
    }
    return undefined;
  };
  if (der.byteLength === 0) return "no bytes";
  return walk(0, der.byteLength, 0);
}

/**
 * The outermost value of DER that passed derFramingProblem.
 *
 * @example
 * const [status, token] = derChildren(tsr, derRoot(tsr));
 */
export function derRoot(der: Uint8Array): DerNode {
  const node = nodeAt(der, 0, der.byteLength);
  if (typeof node === "string") throw new BundleFileError(node);
  return node;
}

/** The values inside a constructed value of DER that passed derFramingProblem. */
export function derChildren(der: Uint8Array, parent: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const node = nodeAt(der, at, parent.end);
    if (typeof node === "string") throw new BundleFileError(node);
    children.push(node);
    at = node.end;
  }
  return children;
}

/** A node's bytes, header included. */
export function derBytes(der: Uint8Array, node: DerNode): Uint8Array {
  return der.subarray(node.start, node.end);
}

/** A node's content bytes. */
export function derContent(der: Uint8Array, node: DerNode): Uint8Array {
  return der.subarray(node.contentStart, node.end);
}

/**
 * The dotted text of an OBJECT IDENTIFIER's content bytes.
 *
 * @example
 * oidText(new Uint8Array([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01])) // "2.16.840.1.101.3.4.2.1"
 */
export function oidText(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [first = 0n, ...rest] = arcs;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...rest].join(".");
}

/**
 * A certificate from DER, refused unless it is well framed and OpenSSL reads
 * exactly these bytes as it (OpenSSL ignores trailing bytes).
 *
 * @example
 * const [der] = readPemFile(bytes, "CERTIFICATE", "agent.pem");
 * const agent = readCertificate(der as Uint8Array, "agent.pem");
 */
export function readCertificate(der: Uint8Array, file: string): X509Certificate {
  const framing = derFramingProblem(der);
  if (framing)
    throw new BundleFileError(`${file}: the certificate's DER is malformed (${framing})`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch (error) {
    throw new BundleFileError(
      `${file} holds no readable certificate: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (!Buffer.from(certificate.raw).equals(der))
    throw new BundleFileError(`${file}: the certificate is not in DER form`);
  try {
    // OpenSSL decodes the key only when asked: ask now, so a bad key is this file's error.
    void certificate.publicKey;
  } catch (error) {
    throw new BundleFileError(
      `${file}: the certificate's public key cannot be read: ${error instanceof Error ? error.message : error}`,
    );
  }
  return certificate;
}

/**
 * Every certificate of a PEM file, strictly (see readPemFile and readCertificate).
 *
 * @example
 * const [chainCa] = readCertificatesFile(await Bun.file("chain-ca.pem").bytes(), "chain-ca.pem");
 */
export function readCertificatesFile(bytes: Uint8Array, file: string): X509Certificate[] {
  return readPemFile(bytes, "CERTIFICATE", file).map((der, index, all) =>
    readCertificate(der, all.length > 1 ? `${file} (certificate ${index + 1})` : file),
  );
}
