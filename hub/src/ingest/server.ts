import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { ListenAddress } from "../config/index.ts";
import { issueServerCertificate } from "../identity/index.ts";
import { type IngestContext, ingestRoutes } from "./routes.ts";

export interface RunningListener {
  /** `https://host:port` as bound (port resolved when 0 was asked). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function urlOf(host: string, port: number, scheme: "http" | "https"): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `${scheme}://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/**
 * Start the ingest listener: HTTP/2 over TLS only, client certificates
 * requested but not required by the TLS layer (enrollment has none yet; the
 * auth middleware answers 401/403 itself).
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
      minVersion: "TLSv1.2",
    },
  }) as http2.Http2SecureServer;
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  // A client that breaks off a handshake must not take the process down.
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: urlOf(address.host, port, "https"),
    port,
    async stop() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
