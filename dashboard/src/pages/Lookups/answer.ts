/**
 * A lookup's answer in plain words, first, then what proves it: the
 * sentences (translated), the evidence lines (each with what it shows), the
 * bundles to download (one per chunk) and, when nothing matched, why.
 */
import type {
  EvidenceLine,
  IpLookup,
  Lease,
  MacLookup,
  NatLookup,
  Session,
} from "../../api/types.ts";
import type { BundleRef, LookupAnswer } from "../../data/lookups.ts";
import { formatDateTime, type MessageKey, t } from "../../i18n/index.ts";

/** An instant as the answer writes it: to the second, with its zone. */
export const answerTime = (instant: string) => formatDateTime(instant, { seconds: true });

/** `a4:c3:f0:36:4a:02 (Redmi-Note-12)`, or the MAC alone. */
export const deviceText = (mac: string, hostname: string | null) =>
  hostname ? `${mac} (${hostname})` : mac;

export function leaseSentence(lease: Lease): string {
  const params = {
    ip: lease.ip,
    device: deviceText(lease.mac, lease.hostname),
    from: answerTime(lease.from.utc),
  };
  return lease.to
    ? t("lookup.lease", { ...params, to: answerTime(lease.to.utc) })
    : t("lookup.leaseOpen", params);
}

export function sessionSentence(session: Session): string {
  const params = { user: session.user, ip: session.ip, from: answerTime(session.login.utc) };
  return session.logout
    ? t("lookup.session", { ...params, to: answerTime(session.logout.utc) })
    : t("lookup.sessionOpen", params);
}

/** The IP answer: the lease, then who was logged in on the address. */
export function ipSentences(answer: IpLookup): string[] {
  const sentences: string[] = [];
  if (answer.lease) sentences.push(leaseSentence(answer.lease));
  for (const session of answer.sessions) sentences.push(sessionSentence(session));
  if (answer.lease && answer.sessions.length === 0) sentences.push(t("lookup.noSession"));
  return sentences;
}

/** The MAC answer: the range, then each address and hotspot session the device had in it. */
export function macSentences(answer: MacLookup): string[] {
  if (answer.leases.length === 0 && answer.sessions.length === 0) return [];
  return [
    t("lookup.macSummary", {
      mac: answer.query.mac,
      from: answerTime(answer.query.from.utc),
      to: answerTime(answer.query.to.utc),
    }),
    ...answer.leases.map(leaseSentence),
    ...answer.sessions.map(sessionSentence),
  ];
}

/** The sentences of any answer. */
export function sentencesOf(answer: LookupAnswer): string[] {
  switch (answer.kind) {
    case "ip":
      return ipSentences(answer.answer);
    case "mac":
      return macSentences(answer.answer);
    case "nat":
      return natSentences(answer.answer);
  }
}

/** The NAT answer: the connection and its internal address, then who had that address. */
export function natSentences(answer: NatLookup): string[] {
  const connection = answer.connection;
  if (!connection) return [];
  const internal = answer.internal
    ? answer.internal.port === null
      ? answer.internal.ip
      : `${answer.internal.ip}:${answer.internal.port}`
    : "?";
  const sentences = [
    t("lookup.nat", {
      address: `${answer.query.ip}:${answer.query.port}`,
      internal,
      time: answerTime(connection.received_at),
    }),
  ];
  if (answer.device) {
    const device = ipSentences(answer.device);
    sentences.push(
      ...(device.length > 0
        ? device
        : [t("lookup.natNoDevice", { ip: answer.internal?.ip ?? "?" })]),
    );
  }
  return sentences;
}

/** What an evidence line shows. */
export type Proof = "lease" | "session" | "nat";
export const PROOF_LABELS: Record<Proof, MessageKey> = {
  lease: "lookup.proves.lease",
  session: "lookup.proves.session",
  nat: "lookup.proves.nat",
};
export interface EvidenceRow extends EvidenceLine {
  proves: Proof;
}

/** Every evidence line of an answer, once each, oldest first. */
export function evidenceRows(answer: LookupAnswer): EvidenceRow[] {
  const rows = new Map<string, EvidenceRow>();
  const add = (lines: readonly EvidenceLine[], proves: Proof) => {
    for (const line of lines) {
      const key = `${line.agent}#${line.seq}`;
      if (!rows.has(key)) rows.set(key, { ...line, proves });
    }
  };
  const addIp = (ip: IpLookup | null) => {
    if (!ip) return;
    if (ip.lease) add(ip.lease.evidence, "lease");
    for (const session of ip.sessions) add(session.evidence, "session");
  };
  if (answer.kind === "ip") addIp(answer.answer);
  if (answer.kind === "mac") {
    for (const lease of answer.answer.leases) add(lease.evidence, "lease");
    for (const session of answer.answer.sessions) add(session.evidence, "session");
  }
  if (answer.kind === "nat") {
    if (answer.answer.connection) add([answer.answer.connection], "nat");
    addIp(answer.answer.device);
    add(answer.answer.evidence, "nat");
  }
  return [...rows.values()].sort(
    (a, b) => a.received_at.localeCompare(b.received_at) || a.seq - b.seq,
  );
}

/** The bundles that prove the lines: one per distinct chunk of an agent, in the lines' order. */
export function bundlesOf(rows: readonly EvidenceRow[]): BundleRef[] {
  const bundles = new Map<string, BundleRef>();
  for (const row of rows) {
    const ref = { hotel: row.hotel, agent: row.agent, chunk: row.chunk };
    bundles.set(`${ref.hotel}/${ref.agent}/${ref.chunk}`, ref);
  }
  return [...bundles.values()];
}

/** Whether the question found what it asked for (else `no_match` says why). */
export function answered(answer: LookupAnswer): boolean {
  switch (answer.kind) {
    case "ip":
      return answer.answer.lease !== null || answer.answer.sessions.length > 0;
    case "mac":
      return answer.answer.leases.length > 0 || answer.answer.sessions.length > 0;
    case "nat":
      return answer.answer.connection !== null;
  }
}

export type NoMatchReason = IpLookup["no_match"][number]["reason"];

/** A reason in words, for the lookup that gave it (no lease of a device reads differently). */
export function reasonText(reason: NoMatchReason, kind: LookupAnswer["kind"]): string {
  if (reason === "no_lease" && kind === "mac") return t("lookup.reason.no_lease_mac");
  const keys: Record<NoMatchReason, MessageKey> = {
    no_data: "lookup.reason.no_data",
    gap: "lookup.reason.gap",
    no_lease: "lookup.reason.no_lease",
    no_session: "lookup.reason.no_session",
    no_nat: "lookup.reason.no_nat",
  };
  return t(keys[reason]);
}

/** The headline of a reason (a short title before its explanation). */
export function reasonTitle(reason: NoMatchReason): string {
  const keys: Record<NoMatchReason, MessageKey> = {
    no_data: "lookup.reasonTitle.no_data",
    gap: "lookup.reasonTitle.gap",
    no_lease: "lookup.reasonTitle.no_lease",
    no_session: "lookup.reasonTitle.no_session",
    no_nat: "lookup.reasonTitle.no_nat",
  };
  return t(keys[reason]);
}
