/**
 * Every notable happening in the hub is a named event: `emit` logs it and
 * counts it in one call, so `/metrics` and the log never disagree.
 */
import { MetricsRegistry } from "./metrics.ts";

export { Counter, Gauge, MetricsRegistry } from "./metrics.ts";

interface ChunkRef {
  hotelId: string;
  agentId: string;
  /** The chunk id, `YYYY-MM-DDTHH` or `YYYY-MM-DDTHH.N`. */
  chunk: string;
}

/** Why the hub refused a request before looking at its body. */
export type AuthRefusal =
  | "client_certificate_required"
  | "client_certificate_invalid"
  | "agent_revoked";

/** Why a batch was not stored (the protocol's 4xx answers to a batch). */
export type BatchRejection = "gap" | "conflict" | "sealed" | "invalid_batch" | "too_large";

export type HubEvent =
  | ({ name: "BatchAccepted"; bytes: number; length: number } & ChunkRef)
  | ({ name: "BatchDuplicate"; length: number } & ChunkRef)
  | ({ name: "BatchRejected"; reason: BatchRejection; detail?: string; length?: number } & ChunkRef)
  | ({ name: "ChunkSealed"; bytes: number } & ChunkRef)
  | ({ name: "ChunkFailed"; reason: string } & ChunkRef)
  | { name: "AgentEnrolled"; hotelId: string; agentId: string }
  | { name: "AgentRenewed"; hotelId: string; agentId: string }
  | { name: "EnrollmentRefused"; reason: string }
  | { name: "RequestRefused"; reason: AuthRefusal; detail?: string; agentId?: string }
  | { name: "RequestFailed"; path: string; error: string }
  | ({ name: "ChunkTimestamped"; genTime: string; serial: string; waitedMs: number } & ChunkRef)
  | ({
      name: "TimestampFailed";
      kind: "transient" | "permanent";
      reason: string;
      detail: string;
      retryInMs: number;
    } & ChunkRef)
  | { name: "EvidenceExported"; actor: string; chunks: number; selector: string }
  | { name: "DayRolledUp"; hotelId: string; day: string; timestamped: boolean }
  | { name: "ChunksPurged"; hotelId: string; chunks: number; dryRun: boolean };

const FAILURE_KINDS = [
  "records hash mismatch",
  "bad signature",
  "hash chain",
  "records invalid",
  "hub holds",
];

/** The stable kind of a seal failure reason, for a metric label. */
function failureKind(reason: string): string {
  return FAILURE_KINDS.find((kind) => reason.startsWith(kind)) ?? "manifest mismatch";
}

export type LogSink = (line: string) => void;

/**
 * The hub's event bus and its counters. One per hub instance (tests run
 * several hubs in one process).
 *
 * @example
 * const events = new HubEvents();
 * events.emit({ name: "ChunkSealed", hotelId, agentId, chunk: "2026-11-22T08.1", bytes });
 * events.metrics.render(); // Prometheus text
 */
export class HubEvents {
  readonly metrics = new MetricsRegistry();
  readonly #batches = this.metrics.counter(
    "logmaster_hub_batches_total",
    "Record batches received, by outcome (accepted, duplicate, gap, conflict, sealed, invalid_batch, too_large).",
  );
  readonly #batchBytes = this.metrics.counter(
    "logmaster_hub_batch_bytes_total",
    "Uncompressed records.jsonl bytes newly stored.",
  );
  readonly #chunks = this.metrics.counter(
    "logmaster_hub_chunks_sealed_total",
    "Chunks sealed, by result (verified, failed).",
  );
  readonly #chunkFailures = this.metrics.counter(
    "logmaster_hub_chunks_failed_total",
    "Chunks that failed verification, by reason.",
  );
  readonly #enrollments = this.metrics.counter(
    "logmaster_hub_enrollments_total",
    "Enrollment and renewal requests, by result.",
  );
  readonly #refusals = this.metrics.counter(
    "logmaster_hub_requests_refused_total",
    "Ingest requests refused by authentication, by reason.",
  );
  readonly #failures = this.metrics.counter(
    "logmaster_hub_request_errors_total",
    "Ingest requests that failed inside the hub (answered 500).",
  );

  readonly #timestamps = this.metrics.counter(
    "logmaster_hub_timestamps_total",
    "Time-stamp attempts, by result (timestamped, transient, permanent) and reason.",
  );
  readonly #exports = this.metrics.counter(
    "logmaster_hub_exports_total",
    "Evidence bundles exported, and chunks in them.",
  );
  readonly #rollups = this.metrics.counter(
    "logmaster_hub_day_rollups_total",
    "Daily roll-ups signed, by whether the TSA stamped them at once.",
  );
  readonly #purged = this.metrics.counter(
    "logmaster_hub_chunks_purged_total",
    "Chunks removed past retention (dry runs counted separately).",
  );
  /** Set by the time-stamp worker from the database (all hubs' chunks). */
  readonly awaitingTimestamp = this.metrics.gauge(
    "logmaster_hub_chunks_awaiting_timestamp",
    "Verified chunks without a time-stamp yet (awaiting or timestamp_failed).",
  );
  readonly oldestTimestampWait = this.metrics.gauge(
    "logmaster_hub_timestamp_oldest_wait_seconds",
    "How long the oldest chunk without a time-stamp has been waiting since its seal.",
  );

  /** Set from the database at each /metrics scrape (all hubs' agents; revoked ones left out). */
  readonly agentsEnrolled = this.metrics.gauge(
    "logmaster_hub_agents",
    "Enrolled agents that are not revoked.",
  );
  readonly agentCertificatesExpiring = this.metrics.gauge(
    "logmaster_hub_agent_certificates_expiring",
    "Agents whose certificate ends within 30 days or has ended: they renew when a third is left, so these are not renewing (offline, or a clock or hub problem).",
  );
  readonly agentsSilent = this.metrics.gauge(
    "logmaster_hub_agents_silent",
    "Agents not heard from for 15 minutes (or never): the box, its link or its forwarding is down; it keeps what it receives.",
  );

  constructor(readonly log: LogSink = (line) => console.error(line)) {}

  emit(event: HubEvent): void {
    this.#count(event);
    const { name, ...fields } = event;
    this.log(JSON.stringify({ at: new Date().toISOString(), event: name, ...fields }));
  }

  #count(event: HubEvent): void {
    switch (event.name) {
      case "BatchAccepted":
        this.#batches.inc({ outcome: "accepted" });
        this.#batchBytes.inc({}, event.bytes);
        return;
      case "BatchDuplicate":
        this.#batches.inc({ outcome: "duplicate" });
        return;
      case "BatchRejected":
        this.#batches.inc({ outcome: event.reason });
        return;
      case "ChunkSealed":
        this.#chunks.inc({ result: "verified" });
        return;
      case "ChunkFailed":
        this.#chunks.inc({ result: "failed" });
        // Reasons name hashes and ids; a label must stay one of a few values.
        this.#chunkFailures.inc({ reason: failureKind(event.reason) });
        return;
      case "AgentEnrolled":
        this.#enrollments.inc({ result: "enrolled" });
        return;
      case "AgentRenewed":
        this.#enrollments.inc({ result: "renewed" });
        return;
      case "EnrollmentRefused":
        this.#enrollments.inc({ result: event.reason });
        return;
      case "RequestRefused":
        this.#refusals.inc({ reason: event.reason });
        return;
      case "RequestFailed":
        this.#failures.inc();
        return;
      case "ChunkTimestamped":
        this.#timestamps.inc({ result: "timestamped", reason: "" });
        return;
      case "TimestampFailed":
        // Reasons are a closed set (status_rejected:<text> is cut at the colon).
        this.#timestamps.inc({ result: event.kind, reason: event.reason.split(":")[0] ?? "" });
        return;
      case "EvidenceExported":
        this.#exports.inc({ unit: "bundles" });
        this.#exports.inc({ unit: "chunks" }, event.chunks);
        return;
      case "DayRolledUp":
        this.#rollups.inc({ timestamped: String(event.timestamped) });
        return;
      case "ChunksPurged":
        this.#purged.inc({ dry_run: String(event.dryRun) }, event.chunks);
        return;
    }
  }
}
