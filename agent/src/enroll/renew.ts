import { X509Certificate } from "node:crypto";
import type { AgentTelemetry } from "../events/index.ts";
import { HubClient } from "../forward/hub-client.ts";
import { writeFileAtomic } from "../wal/atomic.ts";
import { createCsr } from "./csr.ts";
import { type AgentIdentity, identityPaths } from "./identity.ts";

/** Renew when less than a third of the certificate's validity is left. */
export function renewalDue(notBefore: Date, notAfter: Date, nowMs = Date.now()): boolean {
  const total = notAfter.getTime() - notBefore.getTime();
  return notAfter.getTime() - nowMs < total / 3;
}

/**
 * `POST /v1/renew` with the current certificate (mTLS) and a CSR for the same
 * key, when due; stores the new cert.pem atomically. Returns true if renewed.
 *
 * @example
 * if (await renewIfDue(dataDir, identity, hubUrl, telemetry)) identity = await loadIdentity(dataDir);
 */
export async function renewIfDue(
  dataDir: string,
  identity: AgentIdentity | undefined,
  hubUrl: string | null,
  telemetry: AgentTelemetry,
): Promise<boolean> {
  if (!identity || !hubUrl || !renewalDue(identity.notBefore, identity.notAfter)) return false;
  const client = new HubClient(hubUrl, () => identity, 30_000);
  try {
    const answer = await client.request(
      "POST",
      "/v1/renew",
      { "content-type": "application/json" },
      new TextEncoder().encode(
        JSON.stringify({ csr_pem: createCsr(identity.keyPem, identity.agent_id) }),
      ),
    );
    const certPem = answer.body.certificate_pem;
    if (answer.status !== 200 && answer.status !== 201) {
      throw new Error(`hub refused renewal: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    if (typeof certPem !== "string") throw new Error("hub renewal answer has no certificate_pem");
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(identity.caPem).publicKey)) {
      throw new Error("renewed certificate is not signed by the pinned chain CA");
    }
    writeFileAtomic(identityPaths(dataDir).cert, certPem);
    telemetry.emit("CertificateRenewed", {}, { notAfter: cert.validTo });
    return true;
  } finally {
    client.close();
  }
}
