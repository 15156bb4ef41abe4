/**
 * The RouterOS fixtures (tests/fixtures/routeros.jsonl, see its README): every line
 * through the whole parser, and its body through the RouterOS extractor alone, must
 * give at least the fields in `expect`.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { syslogEventSchema } from "../shared/src/syslog/event.ts";
import { parseSyslog } from "../shared/src/syslog/index.ts";
import { extractRouterOsFields } from "../shared/src/syslog/routeros/index.ts";

interface Fixture {
  name: string;
  /** The datagram as a MikroTik sends it. */
  line: string;
  /** The RouterOS message: what the header parser hands to extractRouterOsFields. */
  body: string;
  /** Fields the line must give (RouterOS fields, not the header's); `null`: must be absent. */
  expect: Record<string, unknown>;
}

const fixtures: Fixture[] = readFileSync(
  join(import.meta.dir, "fixtures", "routeros.jsonl"),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Fixture);

/** Only the keys `expect` names, an absent one as null, so a failure shows just the difference. */
function pick(event: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, event[key] ?? null]));
}

test("there are at least 90 fixtures with distinct names", () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(90);
  expect(new Set(fixtures.map((fixture) => fixture.name)).size).toBe(fixtures.length);
});

describe("extractRouterOsFields on the fixture bodies", () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", (_name, fixture) => {
    const topics = (fixture.expect["routeros.topics"] as string[] | undefined) ?? [];
    const fields = extractRouterOsFields(fixture.body, topics) as Record<string, unknown>;
    expect(pick(fields, Object.keys(fixture.expect))).toEqual(fixture.expect);
  });
});

describe("parseSyslog on the fixture lines", () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", (_name, fixture) => {
    const event = parseSyslog(fixture.line, { receivedAt: new Date("2025-01-15T12:00:00Z") });
    expect(syslogEventSchema.parse(event)).toEqual(event);
    expect(pick(event, Object.keys(fixture.expect))).toEqual(fixture.expect);
  });
});
