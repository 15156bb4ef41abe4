import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { identityDir } from "../wal/layout.ts";

/** identity/identity.json: who this agent is, as the hub's certificate says. */
export const identityInfoSchema = z.object({
  agent_id: z.string().min(1),
  hotel_id: z.string().min(1),
  chain_id: z.string().min(1),
  hub: z.string().url().optional(),
  enrolled_at: z.string().optional(),
});
export type IdentityInfo = z.infer<typeof identityInfoSchema>;

/** The enrolled identity: key (never leaves the box), certificate, pinned chain CA. */
export interface AgentIdentity extends IdentityInfo {
  keyPem: string;
  certPem: string;
  caPem: string;
  notBefore: Date;
  notAfter: Date;
}

export function identityPaths(dataDir: string) {
  const dir = identityDir(dataDir);
  return {
    dir,
    key: join(dir, "key.pem"),
    cert: join(dir, "cert.pem"),
    ca: join(dir, "ca.pem"),
    info: join(dir, "identity.json"),
  };
}

/**
 * The identity stored by `logmaster-agent enroll`, or undefined when the agent
 * is not enrolled yet (it still receives and keeps logs; sealing waits).
 *
 * @example
 * const identity = await loadIdentity("/var/lib/logmaster-agent");
 * if (!identity) console.error("not enrolled: run logmaster-agent enroll --token ...");
 */
export async function loadIdentity(dataDir: string): Promise<AgentIdentity | undefined> {
  const paths = identityPaths(dataDir);
  const files = [paths.key, paths.cert, paths.ca, paths.info].map((path) => Bun.file(path));
  for (const file of files) if (!(await file.exists())) return undefined;
  const [keyPem, certPem, caPem, infoText] = await Promise.all(files.map((file) => file.text()));
  const info = identityInfoSchema.parse(JSON.parse(infoText ?? ""));
  const cert = new X509Certificate(certPem ?? "");
  return {
    ...info,
    keyPem: keyPem ?? "",
    certPem: certPem ?? "",
    caPem: caPem ?? "",
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}
