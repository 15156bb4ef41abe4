/**
 * Every notable happening in the hub is a named event: `emit` logs it and
 * counts it in one call, so `/metrics` and the log never disagree.
 */
import { MetricsRegistry } from "./metrics.ts";

export { Counter, MetricsRegistry } from "./metrics.ts";

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
  | { name: "RequestFailed"; path: string; error: string };

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
    }
  }
}
