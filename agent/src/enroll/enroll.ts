import { X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { AgentConfigError } from "../config/load.ts";
import { connectToHub, fetchPinnedCa } from "../forward/hub-identity.ts";
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

export interface EnrollResult {
  agentId: string;
  hotelId: string;
  chainId: string;
  hub: string;
  /** True when an existing identity got a new certificate (same agent id and key). */
  reenrolled: boolean;
  /** The new certificate's end of validity. */
  notAfter: Date;
}

/**
 * Enroll this box with a one-time token. The hub is trusted only if its
 * certificate verifies, for the name dialled, against the CA whose SHA-256 the
 * token names; no byte of the token is sent otherwise (agent/src/forward/hub-identity.ts).
 *
 * - Not enrolled yet: make the key pair and get a new agent id; store
 *   `identity/{key.pem,cert.pem,ca.pem,identity.json}`.
 * - Already enrolled (say its certificate expired while the box was off):
 *   re-enroll, keeping the key and agent id, so the hash chain continues and
 *   chunks sealed but not yet sent still verify; only cert.pem changes.
 * - `replace`: a new key and agent id even though one exists. Chunks sealed by
 *   the old identity and not yet at the hub will then fail verification there.
 *
 * @example
 * const { agentId } = await enrollAgent({ token: "lm1....", dataDir: "/var/lib/logmaster-agent" });
 */
export async function enrollAgent(options: {
  token: string;
  dataDir: string;
  hub?: string;
  /** Replace an identity the data dir already holds (a new key and agent id). */
  replace?: boolean;
}): Promise<EnrollResult> {
  const token = parseEnrollToken(options.token);
  const hub = options.hub ?? token.hub;
  const current = options.replace ? undefined : await loadIdentity(options.dataDir);
  if (current && certificateSha256(current.caPem) !== token.ca_sha256) {
    throw new AgentConfigError(
      `this token is for another chain CA than the one ${current.agent_id} is enrolled with; to enroll with that chain instead, run enroll again with --force`,
    );
  }
  const privateKeyPem = current?.keyPem ?? generateAgentKey().privateKeyPem;
  const request = {
    token: options.token,
    csr_pem: createCsr(privateKeyPem, hostname()),
    hostname: hostname(),
    ...(current ? { agent_id: current.agent_id } : {}),
  };
  const body = await postEnrollment(hub, token, request);
  if (current && body.agent_id !== current.agent_id) {
    throw new Error(
      `the hub re-enrolled ${body.agent_id}, not ${current.agent_id}; nothing stored`,
    );
  }
  const paths = identityPaths(options.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  if (!current) writeFileAtomic(paths.key, privateKeyPem, 0o600);
  writeFileAtomic(paths.cert, body.certificate_pem);
  if (!current) {
    writeFileAtomic(paths.ca, body.ca_pem);
    writeFileAtomic(
      paths.info,
      `${JSON.stringify({ agent_id: body.agent_id, hotel_id: body.hotel_id, chain_id: body.chain_id, hub, enrolled_at: new Date().toISOString() }, null, 2)}\n`,
    );
  }
  return {
    agentId: body.agent_id,
    hotelId: body.hotel_id,
    chainId: body.chain_id,
    hub,
    reenrolled: current !== undefined,
    notAfter: new X509Certificate(body.certificate_pem).validToDate,
  };
}

/**
 * `POST /v1/enroll` to a hub whose certificate verifies against the token's
 * CA (chain, validity, the dialled name); the checked answer.
 */
async function postEnrollment(
  hub: string,
  token: EnrollToken,
  request: Record<string, string>,
): Promise<z.infer<typeof enrollAnswerSchema>> {
  // Nothing of the token leaves the box before the server verified against its CA.
  const caPem = await fetchPinnedCa(hub, token.ca_sha256);
  const session = await connectToHub(hub, { ca: caPem }, token.ca_sha256, "the hub of this token");
  try {
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
      stream.end(JSON.stringify(request));
    });
    if (answer.status !== 201)
      throw new Error(`the hub refused the enrollment: ${answer.status} ${answer.text}`);
    const body = enrollAnswerSchema.parse(JSON.parse(answer.text));
    if (certificateSha256(body.ca_pem) !== token.ca_sha256) {
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
    return body;
  } finally {
    session.close();
  }
}
