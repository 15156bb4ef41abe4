import { describe, expect, test } from "bun:test";
import { assertMetricName, encodePrometheus, type MetricFamily } from "./prometheus.ts";

describe("encodePrometheus", () => {
  test("HELP, TYPE and samples of counters and gauges, a newline after every line", () => {
    const families: MetricFamily[] = [
      {
        name: "logmaster_hub_batches_total",
        help: "Record batches received, by outcome (accepted, gap).",
        type: "counter",
        samples: [
          { labels: { outcome: "accepted" }, value: 12 },
          { labels: { outcome: "gap" }, value: 1 },
        ],
      },
      {
        name: "logmaster_hub_timestamps_total",
        help: "Time-stamp attempts.",
        type: "counter",
        samples: [{ labels: { reason: "", result: "timestamped" }, value: 1 }],
      },
      { name: "logmaster_hub_agents", help: "Agents.", type: "gauge", samples: [{ value: 3 }] },
    ];
    expect(encodePrometheus(families)).toBe(
      [
        "# HELP logmaster_hub_batches_total Record batches received, by outcome (accepted, gap).",
        "# TYPE logmaster_hub_batches_total counter",
        'logmaster_hub_batches_total{outcome="accepted"} 12',
        'logmaster_hub_batches_total{outcome="gap"} 1',
        "# HELP logmaster_hub_timestamps_total Time-stamp attempts.",
        "# TYPE logmaster_hub_timestamps_total counter",
        'logmaster_hub_timestamps_total{reason="",result="timestamped"} 1',
        "# HELP logmaster_hub_agents Agents.",
        "# TYPE logmaster_hub_agents gauge",
        "logmaster_hub_agents 3",
        "",
      ].join("\n"),
    );
  });

  test("label values escape backslash, double quote and newline", () => {
    const text = encodePrometheus([
      {
        name: "m",
        help: "h",
        type: "gauge",
        samples: [{ labels: { path: 'C:\\logs\\"new"\nline' }, value: 1 }],
      },
    ]);
    expect(text).toContain('m{path="C:\\\\logs\\\\\\"new\\"\\nline"} 1\n');
  });

  test("HELP escapes backslash and newline, and leaves double quotes alone", () => {
    const text = encodePrometheus([
      { name: "m", help: 'a \\ b\n"c"', type: "counter", samples: [] },
    ]);
    expect(text).toBe('# HELP m a \\\\ b\\n"c"\n# TYPE m counter\n');
  });

  test("special values are written the way Prometheus reads them", () => {
    const text = encodePrometheus([
      {
        name: "m",
        help: "h",
        type: "gauge",
        samples: [
          { labels: { v: "nan" }, value: Number.NaN },
          { labels: { v: "inf" }, value: Number.POSITIVE_INFINITY },
          { labels: { v: "-inf" }, value: Number.NEGATIVE_INFINITY },
          { labels: { v: "small" }, value: 0.25 },
          { labels: {}, value: -3 },
        ],
      },
    ]);
    expect(text.split("\n").slice(2, 7)).toEqual([
      'm{v="nan"} NaN',
      'm{v="inf"} +Inf',
      'm{v="-inf"} -Inf',
      'm{v="small"} 0.25',
      "m -3",
    ]);
  });

  test("no families: no text", () => {
    expect(encodePrometheus([])).toBe("");
  });

  test("invalid metric or label names, and a family twice, are refused", () => {
    const family = (name: string, labels?: Record<string, string>): MetricFamily => ({
      name,
      help: "h",
      type: "counter",
      samples: [{ labels, value: 1 }],
    });
    expect(() => encodePrometheus([family("logmaster-hub")])).toThrow(/metric name/);
    expect(() => encodePrometheus([family("9lives")])).toThrow(/metric name/);
    expect(() => encodePrometheus([family("m", { "bad-label": "x" })])).toThrow(/label name/);
    expect(() => encodePrometheus([family("m", { __name__: "x" })])).toThrow(/label name/);
    expect(() => encodePrometheus([family("m"), family("m")])).toThrow(/appears twice/);
    expect(encodePrometheus([family("ns:sub_total", { _ok: "x" })])).toContain(
      'ns:sub_total{_ok="x"} 1',
    );
  });
});

test("assertMetricName", () => {
  expect(() => assertMetricName("logmaster_agent_wal_last_seq")).not.toThrow();
  expect(() => assertMetricName("")).toThrow(/not a Prometheus metric name/);
  expect(() => assertMetricName("a b")).toThrow(/not a Prometheus metric name/);
});
