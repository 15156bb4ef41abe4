/**
 * The TLS posture of every TLS listener the project runs (hub ingest, the
 * hub's HTTP listener when it has a certificate): TLS 1.2 and 1.3 only, and
 * for 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305),
 * so every session has forward secrecy. TLS 1.3's own suites are all AEAD and
 * stay at OpenSSL's defaults.
 *
 * @example
 * http2.createSecureServer({ key, cert, ...TLS_SERVER_POSTURE });
 */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

export const TLS_SERVER_POSTURE = {
  minVersion: "TLSv1.2",
  ciphers: TLS12_CIPHERS,
  honorCipherOrder: true,
} as const;
