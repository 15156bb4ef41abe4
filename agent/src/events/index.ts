/**
 * Named internal events: each notable happening logs and counts in one call,
 * so `/metrics`, `status` and the log never disagree.
 *
 * Counters are Prometheus counters named `logmaster_agent_<metric>` with the
 * event's labels. Hot paths (every datagram) only count; the rest also log one
 * JSON line to stderr, rate-limited per event and label set so that a flood of
 * rejections cannot flood the journal.
 */

import type { MetricFamily } from "../../../shared/src/metrics/prometheus.ts";

type Level = "debug" | "info" | "warn" | "error";

interface EventSpec {
  metric: string;
  help: string;
  level: Level;
  /** Count only (hot path). */
  quiet?: boolean;
}

/** The events the agent knows; adding one here makes it loggable and countable. */
export const agentEvents = {
  DatagramReceived: {
    metric: "datagrams_received_total",
    help: "Datagrams (UDP) and frames (TCP) appended to the WAL",
    level: "debug",
    quiet: true,
  },
  DatagramRejected: {
    metric: "datagrams_rejected_total",
    help: "Datagrams refused or lost, by reason (disk_full, receive_buffer_overflow, frame_too_long, ...)",
    level: "warn",
  },
  WalTailTruncated: {
    metric: "wal_tail_truncated_records_total",
    help: "Records cut from the WAL tail at start (torn write, CRC mismatch)",
    level: "warn",
  },
  WalFileQuarantined: {
    metric: "wal_files_quarantined_total",
    help: "Unreadable chunk directories moved to quarantine/",
    level: "error",
  },
  WalFsyncFailed: { metric: "wal_fsync_failures_total", help: "fsync errors", level: "error" },
  DiskBudgetWarning: {
    metric: "disk_budget_warnings_total",
    help: "Times the disk budget crossed the warning ratio",
    level: "warn",
  },
  GapRecorded: {
    metric: "gap_records_total",
    help: "Gap records written, by reason (disk_full, receive_buffer_overflow)",
    level: "warn",
  },
  KernelDropsUnmeasurable: {
    metric: "kernel_drops_unmeasurable_total",
    help: "UDP listeners whose kernel drop counter cannot be read (not Linux, /proc unreadable)",
    level: "warn",
  },
  ChunkSealed: {
    metric: "chunks_sealed_total",
    help: "Chunks sealed and signed (hours, and parts closed early by `seal`)",
    level: "info",
  },
  ChunkPruned: {
    metric: "chunks_pruned_total",
    help: "Verified chunks deleted after retention",
    level: "info",
  },
  BatchAcked: {
    metric: "batches_acked_total",
    help: "Batches the hub acknowledged, by status (accepted, duplicate)",
    level: "debug",
    quiet: true,
  },
  BatchRefused: {
    metric: "batches_refused_total",
    help: "Batches the hub refused, by status (gap, conflict, sealed, invalid)",
    level: "warn",
  },
  ForwardRetry: {
    metric: "forward_retries_total",
    help: "Failed hub requests that will be retried",
    level: "warn",
  },
  HubSealVerdict: {
    metric: "hub_seal_verdicts_total",
    help: "Hub verdicts on sealed chunks (verified, failed)",
    level: "info",
  },
  CertificateRenewed: {
    metric: "certificate_renewals_total",
    help: "Agent certificate renewals",
    level: "info",
  },
  RenewalFailed: {
    metric: "certificate_renewal_failures_total",
    help: "Certificate renewal attempts that failed (retried with backoff; an expired certificate needs a new enrollment)",
    level: "error",
  },
  SealFailed: {
    metric: "seal_failures_total",
    help: "Seal passes that failed (the chunk stays open and is sealed at the next pass)",
    level: "error",
  },
  ClockStepBack: {
    metric: "clock_step_back_total",
    help: "Times the wall clock went backwards; receive times are held monotonic",
    level: "warn",
  },
  ReceiverError: {
    metric: "receiver_errors_total",
    help: "Socket errors on syslog receivers",
    level: "error",
  },
  DataDirTightened: {
    metric: "data_dir_tightened_total",
    help: "Times the data dir was found open to group or others at start and chmod-ed to 0700",
    level: "warn",
  },
} as const satisfies Record<string, EventSpec>;

export type AgentEventName = keyof typeof agentEvents;
export type Labels = Readonly<Record<string, string>>;

const LOG_INTERVAL_MS = 10_000;

function labelKey(labels: Labels | undefined): string {
  if (!labels) return "";
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}="${String(labels[key]).replace(/["\\\n]/g, "_")}"`)
    .join(",");
}

/** The labels a `labelKey` was made from (its values hold no quote, so they split cleanly). */
function labelsOfKey(key: string): Labels {
  return Object.fromEntries([...key.matchAll(/([^=,]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** Where log lines go; tests pass a collector. */
export type LogSink = (line: string) => void;

/**
 * Counters + logger for one agent instance.
 *
 * @example
 * const events = new AgentTelemetry();
 * events.emit("DatagramRejected", { reason: "disk_full" }, { src: "192.0.2.1" });
 * events.count("DatagramRejected", { reason: "disk_full" }); // 1
 */
export class AgentTelemetry {
  readonly #counters = new Map<AgentEventName, Map<string, number>>();
  readonly #lastLogAt = new Map<string, { at: number; suppressed: number }>();
  /** The last labels object and its key: the WAL counts every receive batch with the same one. */
  #lastLabels: Labels | undefined;
  #lastLabelKey = "";

  constructor(readonly log: LogSink = (line) => process.stderr.write(`${line}\n`)) {}

  /**
   * Record one occurrence (or `n`) of an event: count it and, unless it is a
   * hot-path event, log it (at most once per 10 s per event + labels, with the
   * number of suppressed repeats).
   */
  emit(name: AgentEventName, labels?: Labels, fields?: Record<string, unknown>, n = 1): void {
    let key = this.#lastLabelKey;
    if (labels !== this.#lastLabels || labels === undefined) {
      key = labelKey(labels);
      this.#lastLabels = labels;
      this.#lastLabelKey = key;
    }
    let byLabels = this.#counters.get(name);
    if (!byLabels) {
      byLabels = new Map();
      this.#counters.set(name, byLabels);
    }
    byLabels.set(key, (byLabels.get(key) ?? 0) + n);
    const spec: EventSpec = agentEvents[name];
    if (spec.quiet) return;
    const throttleKey = `${name}{${key}}`;
    const now = Date.now();
    const last = this.#lastLogAt.get(throttleKey);
    if (last && now - last.at < LOG_INTERVAL_MS && spec.level !== "error") {
      last.suppressed += n;
      return;
    }
    this.#lastLogAt.set(throttleKey, { at: now, suppressed: 0 });
    this.log(
      JSON.stringify({
        time: new Date(now).toISOString(),
        level: spec.level,
        event: name,
        ...labels,
        ...fields,
        ...(n !== 1 ? { count: n } : {}),
        ...(last?.suppressed ? { repeatsSinceLastLog: last.suppressed } : {}),
      }),
    );
  }

  /** A free-form log line (start-up, shutdown), not counted. */
  info(message: string, fields?: Record<string, unknown>): void {
    this.log(JSON.stringify({ time: new Date().toISOString(), level: "info", message, ...fields }));
  }

  /** Current value of a counter; without labels, the sum over all label sets. */
  count(name: AgentEventName, labels?: Labels): number {
    const byLabels = this.#counters.get(name);
    if (!byLabels) return 0;
    if (labels) return byLabels.get(labelKey(labels)) ?? 0;
    let total = 0;
    for (const value of byLabels.values()) total += value;
    return total;
  }

  /** Counts of one event by the value of one label (e.g. drops by reason). */
  countsBy(name: AgentEventName, label: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, value] of this.#counters.get(name) ?? []) {
      const match = new RegExp(`${label}="([^"]*)"`).exec(key);
      const labelValue = match?.[1] ?? "";
      out[labelValue] = (out[labelValue] ?? 0) + value;
    }
    return out;
  }

  /** Every counter as a Prometheus metric family (the status server adds gauges and encodes). */
  counterFamilies(): MetricFamily[] {
    return (Object.entries(agentEvents) as [AgentEventName, EventSpec][]).map(([name, spec]) => {
      const byLabels = this.#counters.get(name);
      return {
        name: `logmaster_agent_${spec.metric}`,
        help: spec.help,
        type: "counter",
        samples:
          !byLabels || byLabels.size === 0
            ? [{ value: 0 }]
            : [...byLabels].map(([key, value]) => ({ labels: labelsOfKey(key), value })),
      };
    });
  }
}
