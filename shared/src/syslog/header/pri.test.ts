import { describe, expect, test } from "bun:test";
import type { SyslogEvent } from "../event.ts";
import { readPri, setPriorityFields } from "./pri.ts";

describe("readPri", () => {
  test("reads the priority and where the header goes on", () => {
    expect(readPri("<134>Jan 15 10:30:45 gw x")).toEqual({ end: 5, priority: 134 });
    expect(readPri("<0>1 - - - - - -")).toEqual({ end: 3, priority: 0 });
    expect(readPri("xx<13>ok", 2)).toEqual({ end: 6, priority: 13 });
  });

  test("is undefined when the text does not start with '<'", () => {
    expect(readPri("Jan 15 10:30:45 gw x")).toBeUndefined();
    expect(readPri("")).toBeUndefined();
  });

  test("reports what is wrong, keeping a zero-padded value", () => {
    expect(readPri("<192>x")).toEqual({ end: 5, error: "PRI 192 is out of range 0..191" });
    expect(readPri("<1900>x")?.error).toContain("out of range");
    expect(readPri("<>x")).toEqual({ end: 2, error: "PRI is empty" });
    expect(readPri("<ab>x")).toEqual({ end: 4, error: "PRI is not a number" });
    expect(readPri("<-5>x")).toEqual({ end: 4, error: "PRI is not a number" });
    expect(readPri("<005>x")).toEqual({ end: 5, priority: 5, error: "PRI has leading zeros" });
    expect(readPri("<34 no close")).toEqual({ end: 0, error: "PRI has no closing '>'" });
  });
});

describe("setPriorityFields", () => {
  function fieldsOf(priority: number) {
    const event: SyslogEvent = { "event.original": "", message: "", "log.syslog.format": "raw" };
    setPriorityFields(event, priority);
    return event;
  }

  test("splits facility and severity with the names tools print", () => {
    expect(fieldsOf(134)).toMatchObject({
      "log.syslog.priority": 134,
      "log.syslog.facility.code": 16,
      "log.syslog.facility.name": "local0",
      "log.syslog.severity.code": 6,
      "log.syslog.severity.name": "info",
    });
    expect(fieldsOf(167)).toMatchObject({
      "log.syslog.facility.name": "local4",
      "log.syslog.severity.name": "debug",
    });
    expect(fieldsOf(27)).toMatchObject({
      "log.syslog.facility.name": "daemon",
      "log.syslog.severity.name": "err",
    });
    expect(fieldsOf(0)).toMatchObject({
      "log.syslog.facility.name": "kern",
      "log.syslog.severity.name": "emerg",
    });
    expect(fieldsOf(191)).toMatchObject({
      "log.syslog.facility.name": "local7",
      "log.syslog.severity.name": "debug",
    });
    expect(fieldsOf(13 * 8 + 2)["log.syslog.facility.name"]).toBe("security");
    expect(fieldsOf(15 * 8)["log.syslog.facility.name"]).toBe("solaris-cron");
  });
});
