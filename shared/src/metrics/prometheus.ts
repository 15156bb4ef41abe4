/**
 * The Prometheus text exposition format (0.0.4), written in one place for
 * every `/metrics` the project serves (agent status server, hub `--http`).
 * Counters and gauges only: neither side needs histograms, and a client
 * library would bring more than it gives.
 */

export type MetricType = "counter" | "gauge";

export type MetricLabels = Readonly<Record<string, string>>;

/** One series of a family: its labels (none for a plain metric) and its value. */
export interface MetricSample {
  labels?: MetricLabels;
  value: number;
}

/** A metric family: one `# HELP` and `# TYPE` line, then its samples in the order given. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** `__`-prefixed label names are reserved for Prometheus itself. */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Throw unless `name` is a valid metric name, so a registry can refuse a bad
 * one when the metric is made rather than at the first scrape.
 *
 * @example
 * assertMetricName("logmaster_hub_batches_total"); // ok
 * assertMetricName("logmaster-hub"); // throws
 */
export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name))
    throw new Error(`"${name}" is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function formatLabels(family: string, labels: MetricLabels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  for (const [name] of entries) {
    if (!LABEL_NAME.test(name))
      throw new Error(`${family}: "${name}" is not a Prometheus label name`);
  }
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

/**
 * The text a Prometheus scrape reads (serve it as `text/plain; version=0.0.4`).
 * Labels are written in the order given; a family without samples gets only
 * its `# HELP` and `# TYPE` lines. Every line ends with a newline.
 *
 * @example
 * encodePrometheus([
 *   { name: "jobs_total", help: "Jobs run.", type: "counter", samples: [{ labels: { result: "ok" }, value: 3 }] },
 * ]);
 * // # HELP jobs_total Jobs run.
 * // # TYPE jobs_total counter
 * // jobs_total{result="ok"} 3
 */
export function encodePrometheus(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    assertMetricName(family.name);
    if (seen.has(family.name)) throw new Error(`metric ${family.name} appears twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(
        `${family.name}${formatLabels(family.name, sample.labels)} ${formatValue(sample.value)}`,
      );
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
