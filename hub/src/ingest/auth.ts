import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { Http2Bindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import type { AuthRefusal, HubEvents } from "../events/index.ts";
import { type AgentIdentity, type ChainCa, identityOfCertificate } from "../identity/index.ts";
import { type Db, touchAgent } from "../store/index.ts";

/** The caller of an mTLS route, taken once at the edge from its certificate. */
export interface AuthenticatedAgent {
  identity: AgentIdentity;
  certificatePem: string;
  certificateSha256: string;
}

export type IngestEnv = { Bindings: Http2Bindings; Variables: { agent: AuthenticatedAgent } };

export interface AuthContext {
  db: Db;
  ca: ChainCa;
  chainId: string;
  events: HubEvents;
}

function tlsSocketOf(c: Context<IngestEnv>): TLSSocket | undefined {
  return c.env?.incoming?.stream?.session?.socket as TLSSocket | undefined;
}

/**
 * Our own check of the presented certificate against the chain CA, beside
 * the TLS stack's `authorized`: the answer names the reason in OpenSSL's
 * words, and a runtime that reported `authorized` wrongly would still be caught.
 */
function certificateProblem(
  x509: X509Certificate,
  caX509: X509Certificate,
  now: number,
): string | undefined {
  if (!x509.checkIssued(caX509) || !x509.verify(caX509.publicKey)) {
    return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
  }
  if (Date.parse(x509.validFrom) > now) return "CERT_NOT_YET_VALID";
  if (Date.parse(x509.validTo) < now) return "CERT_HAS_EXPIRED";
  return undefined;
}

/**
 * The mTLS gate of every ingest route but enrollment: 401 without a client
 * certificate, 403 for one that does not chain to the CA, is out of its
 * validity, names no agent of this chain, or belongs to a revoked or unknown
 * agent (looked up in the database on every request, so a revocation bites
 * at once on every hub process).
 *
 * @example
 * app.use("/v1/chunks/*", requireAgent(context));
 * app.get("/v1/chunks/:chunk", (c) => c.json(c.get("agent").identity));
 */
export function requireAgent(context: AuthContext): MiddlewareHandler<IngestEnv> {
  const caX509 = new X509Certificate(context.ca.certificatePem);
  return async (c, next) => {
    const refuse = (status: 401 | 403, error: AuthRefusal, reason?: string, agentId?: string) => {
      context.events.emit({ name: "RequestRefused", reason: error, detail: reason, agentId });
      return c.json(reason ? { error, reason } : { error }, status);
    };
    const socket = tlsSocketOf(c);
    const peer = socket?.getPeerCertificate();
    if (!socket || !peer?.raw || peer.raw.byteLength === 0) {
      return refuse(401, "client_certificate_required");
    }
    const x509 = new X509Certificate(peer.raw);
    const problem =
      (socket.authorized ? undefined : String(socket.authorizationError ?? "UNAUTHORIZED")) ??
      certificateProblem(x509, caX509, Date.now());
    if (problem) return refuse(403, "client_certificate_invalid", problem);
    const identity = identityOfCertificate(peer.raw);
    if (!identity || identity.chainId !== context.chainId) {
      return refuse(403, "client_certificate_invalid", "certificate names no agent of this chain");
    }
    const known = await touchAgent(context.db, identity.agentId);
    if (!known || known.hotelId !== identity.hotelId) {
      return refuse(403, "client_certificate_invalid", "unknown agent", identity.agentId);
    }
    if (known.revokedAt) return refuse(403, "agent_revoked", undefined, identity.agentId);
    const certificatePem = x509.toString();
    c.set("agent", {
      identity,
      certificatePem,
      certificateSha256: certificateSha256(certificatePem),
    });
    await next();
  };
}
