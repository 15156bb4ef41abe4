/**
 * Every notable happening in the hub is a named event: `emit` logs it and
 * counts it in one call, so `/metrics` and the log never disagree.
 */
import type { ErrorCode } from "../errors.ts";
import { MetricsRegistry } from "./metrics.ts";

export { Counter, Gauge, MetricsRegistry } from "./metrics.ts";

interface ChunkRef {
  hotelId: string;
  agentId: string;
  /** The chunk id, `YYYY-MM-DDTHH` or `YYYY-MM-DDTHH.N`. */
  chunk: string;
}

/** Which listener answered: agents' mTLS ingest, or the `--http` API. */
export type Listener = "ingest" | "http";

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
  | {
      name: "RequestRefused";
      listener: Listener;
      status: number;
      code: ErrorCode;
      path: string;
      detail?: string;
      agentId?: string;
    }
  | { name: "RequestFailed"; listener: Listener; path: string; error: string }
  | { name: "DailyJobFailed"; error: string }
  | { name: "TimestampWorkerFailed"; error: string }
  | ({ name: "ChunkTimestamped"; genTime: string; serial: string; waitedMs: number } & ChunkRef)
  | ({
      name: "TimestampFailed";
      kind: "transient" | "permanent";
      reason: string;
      detail: string;
      retryInMs: number;
    } & ChunkRef)
  | { name: "EvidenceExported"; actor: string; chunks: number; selector: string }
  | { name: "EvidenceDisclosed"; actor: string; case: string; chunks: number; lines: number }
  | { name: "DayRolledUp"; hotelId: string; day: string; timestamped: boolean }
  | { name: "ChunksPurged"; hotelId: string; chunks: number; dryRun: boolean }
  /** The data dir was open to group or others at start; it is 0700 now. */
  | { name: "DataDirTightened"; dir: string; oldMode: string }
  | { name: "HttpListenerInsecure"; listen: string; warning: string }
  /** Free text scans the hotel's time range instead of using its index (docs/decisions.md). */
  | { name: "FreeTextIndexUnused"; fix: string }
  | {
      name: "EventsIndexed";
      hotelId: string;
      agentId: string;
      events: number;
      bytes: number;
      ms: number;
    }
  /** A line of records.jsonl the index could not read (the seal fails such a chunk too). */
  | ({ name: "IndexRecordInvalid"; reason: string; line: string } & ChunkRef)
  | {
      name: "IndexerFailed";
      stage: "step" | "queue" | "notify" | "catch_up" | "tail" | "partitions";
      agentId?: string;
      error: string;
    }
  | { name: "ReindexDone"; hotelId: string; chunks: number; events: number; actor: string }
  | { name: "SearchRan"; kind: string; hotels: number; ms: number; rows: number };

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
    "Requests answered with a 4xx error, by listener (ingest, http) and error code.",
  );
  readonly #failures = this.metrics.counter(
    "logmaster_hub_request_errors_total",
    "Requests that failed inside the hub (answered 500), by listener.",
  );
  readonly #backgroundFailures = this.metrics.counter(
    "logmaster_hub_background_job_failures_total",
    "Passes of a background job that failed (daily roll-up and retention, time-stamp worker); retried at its next pass.",
  );

  readonly #timestamps = this.metrics.counter(
    "logmaster_hub_timestamps_total",
    "Time-stamp attempts, by result (timestamped, transient, permanent) and reason.",
  );
  readonly #exports = this.metrics.counter(
    "logmaster_hub_exports_total",
    "Evidence bundles exported, and chunks in them; disclosure packs, and lines in them.",
  );
  readonly #rollups = this.metrics.counter(
    "logmaster_hub_day_rollups_total",
    "Daily roll-ups signed, by whether the TSA stamped them at once.",
  );
  readonly #purged = this.metrics.counter(
    "logmaster_hub_chunks_purged_total",
    "Chunks removed past retention (dry runs counted separately).",
  );
  readonly #dataDirsTightened = this.metrics.counter(
    "logmaster_hub_data_dirs_tightened_total",
    "Times the hub found its data dir open to group or others at start and chmod-ed it to 0700.",
  );
  readonly #indexed = this.metrics.counter(
    "logmaster_hub_index_events_total",
    "Events indexed (parsed and written to the search store), and the records.jsonl bytes they came from.",
  );
  readonly #indexInvalid = this.metrics.counter(
    "logmaster_hub_index_invalid_records_total",
    "Lines of records.jsonl the index could not read, by reason.",
  );
  readonly #indexerFailures = this.metrics.counter(
    "logmaster_hub_indexer_failures_total",
    "Index worker failures, by stage; the work is retried (the watermark did not move).",
  );
  readonly #searches = this.metrics.counter(
    "logmaster_hub_searches_total",
    "Queries of the search engine, by kind (search, histogram, top, context, export, lookup_ip, lookup_mac, lookup_nat).",
  );
  readonly #searchSeconds = this.metrics.counter(
    "logmaster_hub_search_seconds_total",
    "Time spent answering queries of the search engine, by kind.",
  );
  /** Set by the index worker from the database (all hubs) at each catch-up scan. */
  readonly indexBacklogBytes = this.metrics.gauge(
    "logmaster_hub_index_backlog_bytes",
    "Bytes of records stored (acknowledged to agents) but not yet indexed, all hubs together.",
  );
  readonly indexLagSeconds = this.metrics.gauge(
    "logmaster_hub_index_lag_seconds",
    "Seconds since the index was last caught up (0 while it is): how stale search answers may be.",
  );
  readonly indexQueueDepth = this.metrics.gauge(
    "logmaster_hub_index_queue_depth",
    "Index notices waiting or in progress (Redis stream pending + lag, or the in-process set).",
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
  /** Set by the --http listener at start. */
  readonly httpInsecure = this.metrics.gauge(
    "logmaster_hub_http_insecure",
    "1 when the --http listener serves plain HTTP beyond loopback (--http-insecure): the admin credential crosses the network in clear text.",
  );

  readonly #freeTextIndexUnused = this.metrics.gauge(
    "logmaster_hub_free_text_index_unused",
    "1 when free-text search cannot use its index under the read role's row-level security (the event FreeTextIndexUnused says the one statement a superuser runs to fix it).",
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
        this.#refusals.inc({ listener: event.listener, code: event.code });
        return;
      case "RequestFailed":
        this.#failures.inc({ listener: event.listener });
        return;
      case "DailyJobFailed":
        this.#backgroundFailures.inc({ job: "daily" });
        return;
      case "TimestampWorkerFailed":
        this.#backgroundFailures.inc({ job: "timestamp_worker" });
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
      case "EvidenceDisclosed":
        this.#exports.inc({ unit: "disclosures" });
        this.#exports.inc({ unit: "disclosed_lines" }, event.lines);
        return;
      case "DayRolledUp":
        this.#rollups.inc({ timestamped: String(event.timestamped) });
        return;
      case "ChunksPurged":
        this.#purged.inc({ dry_run: String(event.dryRun) }, event.chunks);
        return;
      case "DataDirTightened":
        this.#dataDirsTightened.inc();
        return;
      case "HttpListenerInsecure":
        this.httpInsecure.set(1);
        return;
      case "FreeTextIndexUnused":
        this.#freeTextIndexUnused.set(1);
        return;
      case "EventsIndexed":
        this.#indexed.inc({ unit: "events" }, event.events);
        this.#indexed.inc({ unit: "bytes" }, event.bytes);
        return;
      case "IndexRecordInvalid":
        this.#indexInvalid.inc({ reason: event.reason });
        return;
      case "IndexerFailed":
        this.#indexerFailures.inc({ stage: event.stage });
        return;
      case "ReindexDone":
        this.#indexed.inc({ unit: "reindexed_chunks" }, event.chunks);
        return;
      case "SearchRan":
        this.#searches.inc({ kind: event.kind });
        this.#searchSeconds.inc({ kind: event.kind }, event.ms / 1000);
        return;
    }
  }
}
