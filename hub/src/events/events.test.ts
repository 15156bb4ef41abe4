import { expect, test } from "bun:test";
import { HubEvents } from "./index.ts";

test("failures of background jobs and refused requests are logged and counted by kind", () => {
  const lines: string[] = [];
  const events = new HubEvents((line) => lines.push(line));
  events.emit({ name: "DailyJobFailed", error: "connection refused" });
  events.emit({ name: "TimestampWorkerFailed", error: "boom" });
  events.emit({
    name: "RequestRefused",
    listener: "http",
    status: 401,
    code: "unauthorized",
    path: "/api/chunks",
  });
  const text = events.metrics.render();
  expect(text).toContain('logmaster_hub_background_job_failures_total{job="daily"} 1');
  expect(text).toContain('logmaster_hub_background_job_failures_total{job="timestamp_worker"} 1');
  expect(text).toContain(
    'logmaster_hub_requests_refused_total{code="unauthorized",listener="http"} 1',
  );
  expect(lines.map((line) => JSON.parse(line).event)).toEqual([
    "DailyJobFailed",
    "TimestampWorkerFailed",
    "RequestRefused",
  ]);
});
