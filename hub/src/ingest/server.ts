import http2 from "node:http2";
import { serve } from "@hono/node-server";
import { TLS_SERVER_POSTURE } from "../../../shared/src/net/tls-posture.ts";
import type { ListenAddress } from "../config/index.ts";
import { issueServerCertificate } from "../identity/index.ts";
import { type RunningListener, whenListening } from "../net/listen.ts";
import { type IngestContext, ingestRoutes } from "./routes.ts";

/**
 * HTTP/2 limits of the ingest listener. An agent sends one request at a time
 * on one session; these bound what any client (before it is authenticated)
 * can make a hub process hold: streams open at once per session, memory per
 * session (frames and headers in flight), and the size of a header block.
 */
export const INGEST_HTTP2_LIMITS = {
  settings: {
    maxConcurrentStreams: 16,
    maxHeaderListSize: 16 * 1024,
  },
  /** MB, node's unit. */
  maxSessionMemory: 32,
  maxHeaderListPairs: 64,
  maxSessionRejectedStreams: 100,
  maxSessionInvalidFrames: 100,
} as const;

/**
 * Start the ingest listener: HTTP/2 over TLS 1.2+ (forward-secret AEAD
 * suites only) with the limits above, client certificates requested but not
 * required by the TLS layer (enrollment has none yet; the auth middleware
 * answers 401/403 itself, before reading any body).
 *
 * @example
 * const ingest = await startIngestListener(context, { host: "127.0.0.1", port: 8443 }, ["hub.example.com"]);
 * console.log(ingest.url);
 * await ingest.stop();
 */
export async function startIngestListener(
  context: IngestContext,
  address: ListenAddress,
  hostnames: readonly string[],
): Promise<RunningListener> {
  const tls = issueServerCertificate(context.ca, hostnames);
  const app = ingestRoutes(context);
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = serve({
    fetch: app.fetch,
    hostname: address.host,
    port: address.port,
    // Leave the process's global Request/Response alone: a hub may share its
    // process with other servers (Bun.serve refuses node-server's lightweight Response).
    overrideGlobalObjects: false,
    createServer: http2.createSecureServer,
    serverOptions: {
      key: tls.privateKeyPem,
      cert: tls.certificateChainPem,
      ca: context.ca.certificatePem,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: false,
      ...TLS_SERVER_POSTURE,
      ...INGEST_HTTP2_LIMITS,
    },
  }) as http2.Http2SecureServer;
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  // A client that breaks off a handshake must not take the process down.
  server.on("tlsClientError", () => {});
  return whenListening(server, address.host, "https", () => {
    for (const session of sessions) session.destroy();
  });
}
