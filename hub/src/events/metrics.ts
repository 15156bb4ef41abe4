/**
 * Counters in the Prometheus text format. Small on purpose: the hub only
 * counts events, so a client library would bring more than it gives.
 */
type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "";
  const escapeValue = (value: string) =>
    value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(",")}}`;
}

export class Counter {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.#values) lines.push(`${this.name}${key} ${value}`);
    return lines.join("\n");
  }
}

/** A value that goes up and down (a backlog), set by whoever measures it. */
export class Gauge {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(value: number): void {
    this.#value = value;
  }

  get(): number {
    return this.#value;
  }

  render(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.#value}`,
    ].join("\n");
  }
}

/** A set of counters and gauges rendered together at `/metrics`. */
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

  render(): string {
    return `${this.#metrics.map((metric) => metric.render()).join("\n")}\n`;
  }
}
