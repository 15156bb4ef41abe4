/**
 * The chain CA's certificate revocation list (RFC 5280 §5): the serial of
 * every certificate of a revoked agent, with its revocation time, signed by
 * the CA key. Every evidence bundle carries it as `chain-ca.crl.pem`, so an
 * auditor can tell whether an agent was revoked before or after it signed a
 * chunk. node-forge has no CRL support; pkijs builds and signs it.
 */
import { createPrivateKey } from "node:crypto";
import * as asn1js from "asn1js";
import forge from "node-forge";
import * as pkijs from "pkijs";
import {
  certificatesFromPems,
  derToPem,
  ensureCryptoEngine,
  integerOf,
  toArrayBuffer,
} from "../../../shared/src/timestamp/der.ts";
import type { ChainCa } from "./ca.ts";

/** One revoked certificate. */
export interface RevokedCertificate {
  /** The certificate's serial number, hex (any case, no colons). */
  serialHex: string;
  revokedAt: Date;
}

const OID_CRL_NUMBER = "2.5.29.20";
const OID_AUTHORITY_KEY_ID = "2.5.29.35";
const OID_SUBJECT_KEY_ID = "2.5.29.14";
/** How long a CRL is presented as current; bundles keep theirs for ever, as evidence of that day. */
const CRL_VALIDITY_MS = 7 * 86_400_000;

/** The CA key as a WebCrypto signing key (pkijs signs with WebCrypto). */
async function caSigningKey(ca: ChainCa): Promise<CryptoKey> {
  const pkcs8 = createPrivateKey(forge.pki.privateKeyToPem(ca.privateKey)).export({
    type: "pkcs8",
    format: "der",
  });
  return crypto.subtle.importKey(
    "pkcs8",
    toArrayBuffer(new Uint8Array(pkcs8)),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/**
 * A CRL (v2, PEM) of the chain CA listing `revoked`, thisUpdate `now`,
 * nextUpdate a week later, with a CRL number (the time in ms, so later CRLs
 * have higher numbers without a counter shared between hubs) and the CA's key
 * identifier. `openssl crl -in chain-ca.crl.pem -CAfile chain-ca.pem -noout
 * -verify` accepts it.
 *
 * @example
 * const pem = await buildChainCaCrl(ca, [{ serialHex: "0a1b...", revokedAt: new Date() }]);
 */
export async function buildChainCaCrl(
  ca: ChainCa,
  revoked: readonly RevokedCertificate[],
  now: Date = new Date(),
): Promise<string> {
  ensureCryptoEngine();
  const [caCertificate] = certificatesFromPems([ca.certificatePem], "the chain CA certificate");
  if (!caCertificate) throw new Error("the chain CA certificate PEM holds no certificate");
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1; // v2
  crl.issuer = caCertificate.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: now });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: new Date(now.getTime() + CRL_VALIDITY_MS) });
  const seen = new Set<string>();
  const entries: pkijs.RevokedCertificate[] = [];
  for (const entry of [...revoked].sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime())) {
    const serial = entry.serialHex.toLowerCase().replace(/^0+(?=.)/, "");
    if (seen.has(serial)) continue;
    seen.add(serial);
    entries.push(
      new pkijs.RevokedCertificate({
        userCertificate: integerOf(BigInt(`0x${serial}`)),
        revocationDate: new pkijs.Time({ type: 0, value: entry.revokedAt }),
      }),
    );
  }
  if (entries.length > 0) crl.revokedCertificates = entries;
  const extensions = [
    new pkijs.Extension({
      extnID: OID_CRL_NUMBER,
      extnValue: integerOf(BigInt(now.getTime())).toBER(false),
    }),
  ];
  const subjectKeyId = caCertificate.extensions?.find((e) => e.extnID === OID_SUBJECT_KEY_ID);
  if (subjectKeyId?.parsedValue instanceof asn1js.OctetString) {
    extensions.push(
      new pkijs.Extension({
        extnID: OID_AUTHORITY_KEY_ID,
        extnValue: new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({
            valueHex: subjectKeyId.parsedValue.valueBlock.valueHexView,
          }),
        })
          .toSchema()
          .toBER(false),
      }),
    );
  }
  crl.crlExtensions = new pkijs.Extensions({ extensions });
  await crl.sign(await caSigningKey(ca), "SHA-256");
  return derToPem(new Uint8Array(crl.toSchema(true).toBER(false)), "X509 CRL");
}
