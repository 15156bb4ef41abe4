import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { Http2Bindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import type { HubEvents } from "../events/index.ts";
import { type AgentIdentity, type ChainCa, identityOfCertificate } from "../identity/index.ts";
import { refuse } from "../net/answers.ts";
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
  /** Requests one agent may have under way at once; more get 429 (a runaway or hostile box cannot hog the hub). */
  maxRequestsInFlightPerAgent: number;
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
 * The mTLS gate of every ingest route but enrollment, run before any byte of
 * the body is read: 401 without a client certificate, 403 for one that does
 * not chain to the CA, is out of its validity, names no agent of this chain,
 * belongs to a revoked or unknown agent, or was replaced by a renewal and its
 * overlap has ended (all looked up in the database on every request, so a
 * revocation bites at once on every hub process); 429 when the agent already
 * has `maxRequestsInFlightPerAgent` requests under way here.
 *
 * @example
 * app.use("/v1/chunks/*", requireAgent(context));
 * app.get("/v1/chunks/:chunk", (c) => c.json(c.get("agent").identity));
 */
export function requireAgent(context: AuthContext): MiddlewareHandler<IngestEnv> {
  const caX509 = new X509Certificate(context.ca.certificatePem);
  const where = { events: context.events, listener: "ingest" as const };
  const inFlight = new Map<string, number>();
  return async (c, next) => {
    const socket = tlsSocketOf(c);
    const peer = socket?.getPeerCertificate();
    if (!socket || !peer?.raw || peer.raw.byteLength === 0) {
      return refuse(c, where, 401, "client_certificate_required");
    }
    const x509 = new X509Certificate(peer.raw);
    const problem =
      (socket.authorized ? undefined : String(socket.authorizationError ?? "UNAUTHORIZED")) ??
      certificateProblem(x509, caX509, Date.now());
    if (problem) return refuse(c, where, 403, "client_certificate_invalid", problem);
    const identity = identityOfCertificate(peer.raw);
    if (!identity || identity.chainId !== context.chainId) {
      return refuse(
        c,
        where,
        403,
        "client_certificate_invalid",
        "certificate names no agent of this chain",
      );
    }
    const { agentId } = identity;
    const known = await touchAgent(context.db, agentId);
    if (!known || known.hotelId !== identity.hotelId) {
      return refuse(c, where, 403, "client_certificate_invalid", "unknown agent", agentId);
    }
    if (known.revokedAt) return refuse(c, where, 403, "agent_revoked", undefined, agentId);
    const certificatePem = x509.toString();
    const presentedSha256 = certificateSha256(certificatePem);
    if (presentedSha256 !== known.certSha256 && presentedSha256 !== known.previousCertSha256) {
      return refuse(
        c,
        where,
        403,
        "client_certificate_invalid",
        "this certificate was replaced by a renewal: use the agent's current certificate",
        agentId,
      );
    }
    const underWay = inFlight.get(agentId) ?? 0;
    if (underWay >= context.maxRequestsInFlightPerAgent) {
      return refuse(
        c,
        where,
        429,
        "too_many_requests",
        `${underWay} requests of this agent are under way (at most ${context.maxRequestsInFlightPerAgent})`,
        agentId,
      );
    }
    inFlight.set(agentId, underWay + 1);
    c.set("agent", { identity, certificatePem, certificateSha256: presentedSha256 });
    try {
      await next();
    } finally {
      const left = (inFlight.get(agentId) ?? 1) - 1;
      if (left > 0) inFlight.set(agentId, left);
      else inFlight.delete(agentId);
    }
  };
}
