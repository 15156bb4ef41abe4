import { X509Certificate } from "node:crypto";
import forge from "node-forge";
import { z } from "zod";
import {
  type Db,
  findAgent,
  spendEnrollmentToken,
  spendTokenOnReenrollment,
  updateAgentCertificate,
} from "../store/index.ts";
import {
  type AgentIdentity,
  DEFAULT_AGENT_VALIDITY_DAYS,
  issueAgentCertificate,
  newAgentId,
  readCertificateRequest,
} from "./agent-certificate.ts";
import type { ChainCa } from "./ca.ts";
import { checkEnrollmentToken, TokenError } from "./tokens.ts";

export const enrollRequestSchema = z.strictObject({
  token: z.string().min(1).max(4096),
  csr_pem: z.string().min(1).max(16_384),
  hostname: z.string().max(255).optional(),
  /** Re-enroll this agent (same id, same key: the CSR's key must be its certificate's). */
  agent_id: z.string().min(1).max(128).optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const renewRequestSchema = z.strictObject({ csr_pem: z.string().min(1).max(16_384) });

/** The 201 body of `POST /v1/enroll` (and 200 of `/v1/renew`). */
export interface EnrollResponse {
  agent_id: string;
  hotel_id: string;
  chain_id: string;
  certificate_pem: string;
  ca_pem: string;
}

export interface IssuerContext {
  db: Db;
  ca: ChainCa;
  chainId: string;
  agentValidityDays?: number;
  /** How long a renewed (or re-enrolled) agent's previous certificate still authenticates. */
  certificateOverlapMs: number;
}

/**
 * Enroll an agent: check the token, sign the CSR for a new agent id of the
 * token's hotel, then spend the token and register the agent atomically. A
 * certificate signed for a race that lost is never registered, and the hub
 * refuses certificates of unknown agents.
 *
 * @example
 * const answer = await enrollAgent(issuer, { token, csr_pem, hostname: "site-box" });
 */
export async function enrollAgent(
  issuer: IssuerContext,
  request: EnrollRequest,
): Promise<EnrollResponse> {
  const token = await checkEnrollmentToken(issuer.db, request.token);
  if (request.agent_id !== undefined) {
    return reenrollAgent(issuer, token, request.agent_id, request.csr_pem);
  }
  const identity: AgentIdentity = {
    chainId: issuer.chainId,
    hotelId: token.hotelId,
    agentId: newAgentId(token.hotelId),
  };
  const issued = issueFor(issuer, request.csr_pem, identity);
  const spent = await spendEnrollmentToken(issuer.db, token.id, {
    id: identity.agentId,
    hotelId: identity.hotelId,
    hostname: request.hostname ?? null,
    ...certificateColumns(issued),
  });
  if (!spent) throw new TokenError("token_used");
  return answer(issuer, identity, issued.certificatePem);
}

/** Why the hub refuses to re-enroll an agent (403 `reenroll_refused`). */
export class ReenrollError extends Error {
  override readonly name = "ReenrollError";
}

/**
 * Re-enroll an existing agent of the token's hotel: a new certificate for the
 * same agent id and the same key, so that its chain continues and chunks it
 * sealed but could not send (say, while its certificate had expired) still
 * verify. The token says a person of the hotel allowed it; the CSR, signed by
 * the key of the agent's certificate, says it is the same box. A revoked
 * agent stays revoked.
 */
async function reenrollAgent(
  issuer: IssuerContext,
  token: { id: string; hotelId: string },
  agentId: string,
  csrPem: string,
): Promise<EnrollResponse> {
  const agent = await findAgent(issuer.db, agentId);
  if (!agent || agent.hotelId !== token.hotelId) {
    throw new ReenrollError(`no agent ${agentId} in hotel ${token.hotelId}`);
  }
  if (agent.revokedAt) {
    throw new ReenrollError(`agent ${agentId} was revoked at ${agent.revokedAt.toISOString()}`);
  }
  const requested = forge.pki.publicKeyToPem(readCertificateRequest(csrPem));
  const current = new X509Certificate(agent.certPem).publicKey.export({
    type: "spki",
    format: "pem",
  });
  if (requested.replace(/\s/g, "") !== String(current).replace(/\s/g, "")) {
    throw new ReenrollError(
      `the request's key is not agent ${agentId}'s: enroll with --force for a new identity`,
    );
  }
  const identity: AgentIdentity = { chainId: issuer.chainId, hotelId: agent.hotelId, agentId };
  const issued = issueFor(issuer, csrPem, identity);
  const spent = await spendTokenOnReenrollment(
    issuer.db,
    token.id,
    agentId,
    certificateColumns(issued),
    issuer.certificateOverlapMs,
  );
  if (!spent) throw new TokenError("token_used");
  return answer(issuer, identity, issued.certificatePem);
}

/**
 * Renew: a new certificate with the same names for the caller's new CSR. The
 * identity comes from the caller's current (valid, unrevoked) certificate.
 *
 * @example
 * const answer = await renewAgent(issuer, peerIdentity, csrPem);
 */
export async function renewAgent(
  issuer: IssuerContext,
  identity: AgentIdentity,
  csrPem: string,
): Promise<EnrollResponse> {
  const issued = issueFor(issuer, csrPem, identity);
  await updateAgentCertificate(
    issuer.db,
    identity.agentId,
    certificateColumns(issued),
    issuer.certificateOverlapMs,
  );
  return answer(issuer, identity, issued.certificatePem);
}

/** A certificate for `identity` over the CSR's key, with the issuer's validity. */
function issueFor(issuer: IssuerContext, csrPem: string, identity: AgentIdentity) {
  return issueAgentCertificate(
    issuer.ca,
    csrPem,
    identity,
    issuer.agentValidityDays ?? DEFAULT_AGENT_VALIDITY_DAYS,
  );
}

/** The issued certificate as its store columns. */
function certificateColumns(issued: ReturnType<typeof issueAgentCertificate>) {
  return {
    certSerial: issued.serialHex,
    certSha256: issued.sha256,
    certPem: issued.certificatePem,
    notAfter: issued.notAfter,
  };
}

function answer(issuer: IssuerContext, identity: AgentIdentity, certificatePem: string) {
  return {
    agent_id: identity.agentId,
    hotel_id: identity.hotelId,
    chain_id: identity.chainId,
    certificate_pem: certificatePem,
    ca_pem: issuer.ca.certificatePem,
  };
}
