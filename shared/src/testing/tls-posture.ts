/**
 * Which TLS handshakes a listener accepts, tried with `openssl s_client` with
 * the client's own floor lowered (`@SECLEVEL=0`), so a refusal is the
 * server's. Tests of every TLS listener compare the answer with
 * shared/src/net/tls-posture.ts: only the last two may succeed.
 *
 * @example
 * expect(await probeTlsPosture("127.0.0.1:8443")).toEqual(EXPECTED_TLS_POSTURE);
 */
import { runProcess } from "./run-process.ts";

const PROBES = {
  "TLS 1.1": ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
  "TLS 1.2 AES128-SHA (no forward secrecy)": ["-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"],
  "TLS 1.2 AES256-SHA (no forward secrecy)": ["-tls1_2", "-cipher", "AES256-SHA:@SECLEVEL=0"],
  "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256": ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
  "TLS 1.3": ["-tls1_3"],
} as const;

export type TlsProbe = keyof typeof PROBES;

/** What the project's posture answers: the two forward-secret AEAD handshakes only. */
export const EXPECTED_TLS_POSTURE: Record<TlsProbe, "accepted" | "refused"> = {
  "TLS 1.1": "refused",
  "TLS 1.2 AES128-SHA (no forward secrecy)": "refused",
  "TLS 1.2 AES256-SHA (no forward secrecy)": "refused",
  "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256": "accepted",
  "TLS 1.3": "accepted",
};

export async function probeTlsPosture(
  hostPort: string,
): Promise<Record<TlsProbe, "accepted" | "refused">> {
  const answers = {} as Record<TlsProbe, "accepted" | "refused">;
  for (const [probe, args] of Object.entries(PROBES) as [TlsProbe, readonly string[]][]) {
    const run = await runProcess(["openssl", "s_client", "-connect", hostPort, "-brief", ...args]);
    answers[probe] = run.exitCode === 0 ? "accepted" : "refused";
  }
  return answers;
}
