/**
 * Is the server at a URL our hub? The agent trusts exactly one anchor, the
 * chain CA it pinned (by SHA-256 in the enrollment token, by file once
 * enrolled), and lets the TLS stack do the full check against it: the chain,
 * each certificate's validity, and the name the agent dialled. Nothing secret
 * (token, CSR, records) is sent on a connection that has not passed it.
 */
import { createHash, X509Certificate } from "node:crypto";
import http2, { type ClientHttp2Session, type SecureClientSessionOptions } from "node:http2";
import { isIP } from "node:net";
import tls, { type PeerCertificate } from "node:tls";

/** The server is not the hub the agent means; carries the sentence hotel IT reads. */
export class HubIdentityError extends Error {
  override readonly name = "HubIdentityError";
}

/** Whose hub we expected: named in the refusal. */
export type HubRole = "the hub of this token" | "this agent's hub";

/** TLS errors that mean "this certificate does not verify", as node and Bun name them. */
const CERTIFICATE_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ALTNAME|SIGNATURE|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE/;

/** True when a connection error is the server's certificate failing verification. */
export function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CERTIFICATE_ERROR.test(code);
}

/**
 * The refusal for a server whose certificate did not verify against the CA
 * `caSha256`, in words hotel IT can act on.
 *
 * @example
 * throw notOurHub("https://hub:8443", "this agent's hub", caSha256, error);
 */
export function notOurHub(
  url: string,
  role: HubRole,
  caSha256: string,
  error?: unknown,
): HubIdentityError {
  const stem = `the server at ${url} is not ${role}: its certificate is not issued by the chain CA ${caSha256}`;
  const code = (error as { code?: string } | undefined)?.code;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new HubIdentityError(
      `${stem} for the name ${new URL(url).hostname} (${(error as Error).message}); check the hub address`,
    );
  }
  return new HubIdentityError(code ? `${stem} (${code})` : stem);
}

function sha256Hex(der: Buffer): string {
  return createHash("sha256").update(der).digest("hex");
}

/** Every certificate the server sent, leaf first (unverified: only to find one by hash). */
function presentedCertificates(socket: tls.TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !chain.includes(cert)) {
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Step one of enrollment: the chain CA certificate whose SHA-256 the token
 * names, taken from what the server presents in its handshake. This
 * connection sends nothing but a TLS hello; the certificate found is only a
 * candidate trust anchor: step two ({@link connectToHub}) verifies the
 * server against it.
 *
 * @example
 * const caPem = await fetchPinnedCa("https://hub:8443", token.ca_sha256);
 */
export async function fetchPinnedCa(
  url: string,
  caSha256: string,
  timeoutMs = 30_000,
): Promise<string> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  const socket = tls.connect({
    host,
    port: Number(port || 443),
    ...(isIP(host) ? {} : { servername: host }),
    ALPNProtocols: ["h2"],
    // Only to read the presented chain; nothing is sent on this connection.
    rejectUnauthorized: false,
  });
  await handshake(url, socket, "secureConnect", timeoutMs);
  const pinned = presentedCertificates(socket).find((cert) => sha256Hex(cert.raw) === caSha256);
  socket.destroy();
  if (!pinned) throw notOurHub(url, "the hub of this token", caSha256);
  return new X509Certificate(pinned.raw).toString();
}

/**
 * An HTTP/2 session to `url` whose server certificate verified against
 * `caPem` alone (chain, validity, the dialled name); resolves once the
 * handshake passed, so the caller sends nothing to an impostor.
 *
 * @example
 * const session = await connectToHub(url, { ca: caPem }, caSha256, "the hub of this token");
 */
export async function connectToHub(
  url: string,
  options: SecureClientSessionOptions & { ca: string },
  caSha256: string,
  role: HubRole,
  timeoutMs = 30_000,
): Promise<ClientHttp2Session> {
  const session = http2.connect(url, { ...options, rejectUnauthorized: true });
  try {
    await handshake(url, session, "connect", timeoutMs);
  } catch (error) {
    throw isCertificateError(error) ? notOurHub(url, role, caSha256, error) : error;
  }
  return session;
}

/**
 * Wait for a connection's handshake (`ready`), its error, or `timeoutMs`;
 * on error or time-out the connection is destroyed.
 */
function handshake(
  url: string,
  connection: tls.TLSSocket | ClientHttp2Session,
  ready: "secureConnect" | "connect",
  timeoutMs: number,
): Promise<void> {
  const events = connection as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`no TLS handshake from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    events.once(ready, () => {
      clearTimeout(timer);
      resolve();
    });
    events.once("error", (error: unknown) => {
      clearTimeout(timer);
      connection.destroy();
      reject(error);
    });
  });
}
