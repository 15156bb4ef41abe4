/**
 * The hub's counters and gauges, rendered at `/metrics` by the shared
 * Prometheus encoder. Small on purpose: the hub only counts events and sets a
 * few gauges, so a client library would bring more than it gives.
 */
import {
  assertMetricName,
  encodePrometheus,
  type MetricFamily,
} from "../../../shared/src/metrics/prometheus.ts";

type Labels = Record<string, string>;

/** One label set, whatever order a caller wrote it in: sorted by label name. */
function sortedLabels(labels: Labels): { key: string; labels: Labels } {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { key: JSON.stringify(entries), labels: Object.fromEntries(entries) };
}

export class Counter {
  readonly #series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    assertMetricName(name);
  }

  inc(labels: Labels = {}, by = 1): void {
    const { key, labels: sorted } = sortedLabels(labels);
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { labels: sorted, value: by });
  }

  get(labels: Labels = {}): number {
    return this.#series.get(sortedLabels(labels).key)?.value ?? 0;
  }

  /** Its samples in first-counted order; `name 0` until something is counted. */
  family(): MetricFamily {
    const samples = this.#series.size === 0 ? [{ value: 0 }] : [...this.#series.values()];
    return { name: this.name, help: this.help, type: "counter", samples };
  }
}

/** A value that goes up and down (a backlog), set by whoever measures it. */
export class Gauge {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    assertMetricName(name);
  }

  set(value: number): void {
    this.#value = value;
  }

  get(): number {
    return this.#value;
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: "gauge", samples: [{ value: this.#value }] };
  }
}

/**
 * A set of counters and gauges rendered together at `/metrics`.
 *
 * @example
 * const metrics = new MetricsRegistry();
 * metrics.counter("logmaster_hub_batches_total", "Record batches.").inc({ outcome: "accepted" });
 * metrics.render(); // "# HELP logmaster_hub_batches_total Record batches.\n..."
 */
export class MetricsRegistry {
  readonly #metrics: (Counter | Gauge)[] = [];

  counter(name: string, help: string): Counter {
    const counter = new Counter(name, help);
    this.#metrics.push(counter);
    return counter;
  }

  gauge(name: string, help: string): Gauge {
    const gauge = new Gauge(name, help);
    this.#metrics.push(gauge);
    return gauge;
  }

  /** Prometheus text of every metric, in the order they were made. */
  render(): string {
    return encodePrometheus(this.#metrics.map((metric) => metric.family()));
  }
}
