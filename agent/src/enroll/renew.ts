import { createPrivateKey, X509Certificate } from "node:crypto";
import type { AgentTelemetry } from "../events/index.ts";
import { backoffDelayMs } from "../forward/backoff.ts";
import { HubClient } from "../forward/hub-client.ts";
import { writeFileAtomic } from "../wal/atomic.ts";
import { type AgentIdentity, identityPaths, loadIdentity } from "./identity.ts";

/** When a certificate is due for renewal: once less than a third of its validity is left. */
export function renewalDueAt(notBefore: Date, notAfter: Date): Date {
  const total = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - total / 3);
}

export function renewalDue(notBefore: Date, notAfter: Date, nowMs = Date.now()): boolean {
  return nowMs >= renewalDueAt(notBefore, notAfter).getTime();
}

/**
 * `POST /v1/renew` with the current certificate (mTLS) and a CSR for the same
 * key; checks the answer is signed by the pinned chain CA and stores the new
 * cert.pem atomically. The key never changes, so signatures made before the
 * renewal still verify with either certificate.
 *
 * @example
 * await renewCertificate(dataDir, identity, "https://hub:8443");
 */
export async function renewCertificate(
  dataDir: string,
  identity: AgentIdentity,
  hubUrl: string,
): Promise<X509Certificate> {
  const client = new HubClient(hubUrl, () => identity, 30_000);
  // Loaded when a renewal is due, not at start: the CSR code (node-forge) is about 3 MiB of a
  // running agent's memory for a few seconds a year (issue 13).
  const { createCsr } = await import("./csr.ts");
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
    if (!cert.checkPrivateKey(createPrivateKey(identity.keyPem))) {
      throw new Error("renewed certificate is not for this agent's key");
    }
    writeFileAtomic(identityPaths(dataDir).cert, certPem);
    return cert;
  } finally {
    client.close();
  }
}

/** What `status` shows about the certificate's renewal. */
export interface RenewalState {
  dueAt: string | null;
  lastRenewedAt: string | null;
  lastError: string | null;
}

export interface RenewalSchedulerOptions {
  dataDir: string;
  identity: () => AgentIdentity | undefined;
  hubUrl: () => string | null;
  telemetry: AgentTelemetry;
  /** Called with the reloaded identity after a renewal. */
  onRenewed: (identity: AgentIdentity) => void;
  /** Longest sleep between checks (also how soon a new enrollment is noticed). */
  maxSleepMs?: number;
}

/**
 * Renews the agent certificate when a third of its validity is left, retrying
 * with backoff (up to an hour apart) while the hub is unreachable. An expired
 * certificate cannot be renewed (the hub only renews over mTLS): the agent says
 * so in its log and status, and needs `logmaster-agent enroll` with a new token.
 *
 * @example
 * const renewal = new RenewalScheduler({ dataDir, identity: () => id, hubUrl: () => url, telemetry, onRenewed });
 * renewal.start(); // ... renewal.stop();
 */
export class RenewalScheduler {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #stopped = false;
  #state: RenewalState = { dueAt: null, lastRenewedAt: null, lastError: null };

  constructor(private readonly options: RenewalSchedulerOptions) {}

  get state(): RenewalState {
    const identity = this.options.identity();
    const dueAt = identity ? renewalDueAt(identity.notBefore, identity.notAfter) : null;
    return { ...this.#state, dueAt: dueAt?.toISOString() ?? null };
  }

  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), delayMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const maxSleepMs = this.options.maxSleepMs ?? 3_600_000;
    const identity = this.options.identity();
    const hubUrl = this.options.hubUrl();
    if (!identity || !hubUrl) return this.#schedule(Math.min(60_000, maxSleepMs));
    const dueAtMs = renewalDueAt(identity.notBefore, identity.notAfter).getTime();
    if (Date.now() < dueAtMs) return this.#schedule(Math.min(dueAtMs - Date.now(), maxSleepMs));
    if (Date.now() >= identity.notAfter.getTime()) {
      this.#fail(
        `certificate expired at ${identity.notAfter.toISOString()}: the hub cannot renew it; run logmaster-agent enroll with a new token`,
      );
      return this.#schedule(maxSleepMs);
    }
    try {
      const cert = await renewCertificate(this.options.dataDir, identity, hubUrl);
      const renewed = await loadIdentity(this.options.dataDir);
      if (this.#stopped || !renewed) return;
      this.#failures = 0;
      this.#state = { ...this.#state, lastRenewedAt: new Date().toISOString(), lastError: null };
      this.options.telemetry.emit("CertificateRenewed", {}, { notAfter: cert.validTo });
      this.options.onRenewed(renewed);
      if (renewalDue(renewed.notBefore, renewed.notAfter)) {
        // A hub issuing certificates shorter than its backdating would make this spin.
        this.#fail("the hub issued a certificate that is already due for renewal");
        return this.#schedule(backoffDelayMs(this.#failures++, 5_000, maxSleepMs));
      }
      this.#schedule(0);
    } catch (error) {
      this.#fail(String(error instanceof Error ? error.message : error));
      this.#schedule(backoffDelayMs(this.#failures++, 5_000, Math.min(maxSleepMs, 3_600_000)));
    }
  }

  #fail(message: string): void {
    this.#state = { ...this.#state, lastError: message };
    this.options.telemetry.emit("RenewalFailed", {}, { error: message });
  }
}
