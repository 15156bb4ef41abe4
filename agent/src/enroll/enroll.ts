import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import http2 from "node:http2";
import { hostname } from "node:os";
import type { TLSSocket } from "node:tls";
import { z } from "zod";
import { AgentConfigError } from "../config/load.ts";
import { writeFileAtomic } from "../wal/atomic.ts";
import { createCsr, generateAgentKey } from "./csr.ts";
import { identityPaths, loadIdentity } from "./identity.ts";

/** The enrollment token's payload (`lm1.<base64url(JSON)>`), per docs/agent-hub-protocol.md. */
export const enrollTokenSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  secret: z.string().min(1),
  ca_sha256: z.string().regex(/^[0-9a-f]{64}$/, "ca_sha256 must be 64 lower-case hex digits"),
  hub: z.string().url(),
});
export type EnrollToken = z.infer<typeof enrollTokenSchema>;

/** Read a token; throws an Error naming what is wrong with it. */
export function parseEnrollToken(token: string): EnrollToken {
  if (!token.startsWith("lm1."))
    throw new Error("the token must start with lm1. (copy it whole from the hub)");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token.slice(4), "base64url").toString("utf8"));
  } catch {
    throw new Error("the token is damaged (not base64url JSON after lm1.)");
  }
  const parsed = enrollTokenSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `the token is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  return parsed.data;
}

const enrollAnswerSchema = z.object({
  agent_id: z.string().min(1),
  hotel_id: z.string().min(1),
  chain_id: z.string().min(1),
  certificate_pem: z.string().min(1),
  ca_pem: z.string().min(1),
});

export function certificateDerSha256(pem: string): string {
  return createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");
}

/** Hashes of every certificate the server presented (leaf to root). */
function peerChainSha256(socket: TLSSocket): string[] {
  const hashes: string[] = [];
  let cert = socket.getPeerCertificate(true);
  const seen = new Set<unknown>();
  while (cert?.raw && !seen.has(cert)) {
    seen.add(cert);
    hashes.push(createHash("sha256").update(cert.raw).digest("hex"));
    cert = cert.issuerCertificate;
  }
  return hashes;
}

export interface EnrollResult {
  agentId: string;
  hotelId: string;
  chainId: string;
  hub: string;
}

/**
 * Enroll this box: make the key pair, send a CSR with the one-time token to
 * the hub (trusting the server only if its chain contains the CA whose SHA-256
 * the token names; the token secret is not sent otherwise), store
 * `identity/{key.pem,cert.pem,ca.pem,identity.json}`.
 *
 * @example
 * const { agentId } = await enrollAgent({ token: "lm1....", dataDir: "/var/lib/logmaster-agent" });
 */
/**
 * Checked before the token is spent: a second `enroll` by mistake would give
 * the box a new key and agent id, and chunks sealed under the old ones but not
 * yet at the hub would then fail its checks.
 */
async function refuseIfEnrolled(dataDir: string): Promise<void> {
  const current = await loadIdentity(dataDir);
  if (!current) return;
  const state =
    current.notAfter.getTime() > Date.now()
      ? `its certificate is valid until ${current.notAfter.toISOString()} and renews itself`
      : `its certificate expired at ${current.notAfter.toISOString()}`;
  throw new AgentConfigError(
    `${dataDir} is already enrolled as ${current.agent_id} (hotel ${current.hotel_id}); ${state}. ` +
      "To replace it with a new identity, run enroll again with --force (chunks sealed by the old identity and not yet at the hub will then fail verification there).",
  );
}

export async function enrollAgent(options: {
  token: string;
  dataDir: string;
  hub?: string;
  /** Replace an identity the data dir already holds (a new key and agent id). */
  replace?: boolean;
}): Promise<EnrollResult> {
  const token = parseEnrollToken(options.token);
  if (!options.replace) await refuseIfEnrolled(options.dataDir);
  const hub = options.hub ?? token.hub;
  const { privateKeyPem } = generateAgentKey();
  const csrPem = createCsr(privateKeyPem, hostname());
  const session = http2.connect(hub, { rejectUnauthorized: false });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    const chain = peerChainSha256(session.socket as TLSSocket);
    if (!chain.includes(token.ca_sha256)) {
      throw new Error(
        `refusing ${hub}: its certificate chain does not contain the CA named by the token (sha256 ${token.ca_sha256}); wrong hub or a man in the middle`,
      );
    }
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": "/v1/enroll",
        "content-type": "application/json",
      });
      let status = 0;
      const parts: Buffer[] = [];
      stream.on("response", (headers) => {
        status = Number(headers[":status"]);
      });
      stream.on("data", (part: Buffer) => parts.push(part));
      stream.on("end", () => resolve({ status, text: Buffer.concat(parts).toString("utf8") }));
      stream.on("error", reject);
      stream.end(JSON.stringify({ token: options.token, csr_pem: csrPem, hostname: hostname() }));
    });
    if (answer.status !== 201)
      throw new Error(`the hub refused the enrollment: ${answer.status} ${answer.text}`);
    const body = enrollAnswerSchema.parse(JSON.parse(answer.text));
    if (certificateDerSha256(body.ca_pem) !== token.ca_sha256) {
      throw new Error(
        "the hub answered with a CA that is not the one the token names; nothing stored",
      );
    }
    const cert = new X509Certificate(body.certificate_pem);
    if (!cert.verify(new X509Certificate(body.ca_pem).publicKey)) {
      throw new Error(
        "the certificate the hub issued is not signed by the chain CA; nothing stored",
      );
    }
    const paths = identityPaths(options.dataDir);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(paths.key, privateKeyPem, 0o600);
    writeFileAtomic(paths.cert, body.certificate_pem);
    writeFileAtomic(paths.ca, body.ca_pem);
    writeFileAtomic(
      paths.info,
      `${JSON.stringify({ agent_id: body.agent_id, hotel_id: body.hotel_id, chain_id: body.chain_id, hub, enrolled_at: new Date().toISOString() }, null, 2)}\n`,
    );
    return { agentId: body.agent_id, hotelId: body.hotel_id, chainId: body.chain_id, hub };
  } finally {
    session.close();
  }
}
