/** Documents and the index template: a document is exactly what the strict mapping takes. */
import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../../../../shared/src/syslog/index.ts";
import { eventRow } from "../../index/rows.ts";
import { searchWords } from "../../index/words.ts";
import { histogramBuckets } from "../engine.ts";
import { hitOf } from "../postgres.ts";
import { hitOfDocument } from "./engine.ts";
import {
  dailyIndexName,
  documentId,
  eventDocument,
  eventsIndexTemplate,
  utcMicros,
} from "./mapping.ts";

const LINE =
  "<30>Mar 12 20:00:01 otel-1-gw firewall,info forward: in:bridge out:ether1, src-mac a4:c3:f0:36:4a:02, proto TCP (SYN), 10.2.2.157:56687->142.250.1.1:443, NAT (10.2.2.157:56687->198.51.100.1:56687)->142.250.1.1:443, len 60 İZMİR";
const RECEIVED = "2026-03-12T20:00:01.000250Z";
const row = eventRow(parseSyslog(LINE, { receivedAt: new Date(RECEIVED) }), {
  hotelId: "h1",
  hotelKey: 1,
  agentId: "h1-agent",
  chunkId: 7,
  chunk: "2026-03-12T20",
  seq: 42,
  receivedAt: RECEIVED,
  deviceIp: "10.1.0.1",
});

describe("event documents", () => {
  test("a row becomes a document with the events table's column names and the words as a list", () => {
    const doc = eventDocument(row);
    expect(doc).toMatchObject({
      received_at: RECEIVED,
      hotel_id: "h1",
      agent_id: "h1-agent",
      chunk_id: 7,
      chunk: "2026-03-12T20",
      seq: 42,
      logged_at: "2026-03-12T20:00:01.000000Z",
      device_ip: "10.1.0.1",
      host: "otel-1-gw",
      severity: 6,
      dataset: "firewall",
      topics: ["firewall", "info"],
      src_ip: "10.2.2.157",
      src_port: 56687,
      src_mac: "a4:c3:f0:36:4a:02",
      dst_ip: "142.250.1.1",
      dst_port: 443,
      nat_ip: "198.51.100.1",
      nat_port: 56687,
      protocol: "tcp",
      raw: LINE,
    });
    expect(doc.words).toEqual(searchWords(parseSyslog(LINE).message));
    expect(doc.words).toContain("izmir");
  });

  test("every field of a document is in the strict mapping, and nothing else is", () => {
    const template = eventsIndexTemplate("logmaster-events");
    expect(template.index_patterns).toEqual(["logmaster-events-*"]);
    expect(template.template?.mappings?.dynamic).toBe("strict");
    const mapped = Object.keys(template.template?.mappings?.properties ?? {}).sort();
    expect(Object.keys(eventDocument(row)).sort()).toEqual(mapped);
    const types = template.template?.mappings?.properties as Record<string, { type: string }>;
    expect(types.received_at?.type).toBe("date_nanos");
    for (const field of ["device_ip", "src_ip", "dst_ip", "nat_ip"])
      expect(types[field]?.type).toBe("ip");
    for (const field of ["hotel_id", "agent_id", "chunk", "src_mac", "words", "topics"])
      expect(types[field]?.type).toBe("keyword");
    expect(types.raw?.type).toBe("wildcard");
  });

  test("a document reads back as the hit PostgreSQL gives for the same row", () => {
    const doc = eventDocument(row);
    const fromPostgres = hitOf({ ...doc, device: "10.1.0.1" });
    expect(hitOfDocument(doc)).toEqual(fromPostgres);
    expect(hitOfDocument(doc).received_at_istanbul).toBe("2026-03-12T23:00:01.000250+03:00");
  });

  test("daily index and id", () => {
    expect(dailyIndexName("logmaster-events", "2026-03-12T23:59:59.999999Z")).toBe(
      "logmaster-events-2026.03.12",
    );
    expect(dailyIndexName("logmaster-events", "2026-03-13T00:00:00.000000Z")).toBe(
      "logmaster-events-2026.03.13",
    );
    expect(documentId("h1-agent", 42)).toBe("h1-agent:42");
  });

  test("times as UTC with microseconds, whatever zone and precision they came in", () => {
    expect(utcMicros("2026-03-12T11:32:00.123456Z")).toBe("2026-03-12T11:32:00.123456Z");
    expect(utcMicros("2026-03-12T14:32:00.123456+03:00")).toBe("2026-03-12T11:32:00.123456Z");
    expect(utcMicros("2026-03-12T11:32:00Z")).toBe("2026-03-12T11:32:00.000000Z");
    expect(utcMicros("2026-03-12T11:32:00.1Z")).toBe("2026-03-12T11:32:00.100000Z");
  });
});

test("histogram buckets: every interval of the range, 0 where nothing was counted", () => {
  const from = Date.parse("2026-03-12T11:02:00Z");
  const to = Date.parse("2026-03-12T11:20:00Z");
  const counts = new Map([[Date.parse("2026-03-12T11:05:00Z"), 7]]);
  expect(histogramBuckets(from, to, 300_000, counts)).toEqual([
    { start: "2026-03-12T11:00:00.000Z", count: 0 },
    { start: "2026-03-12T11:05:00.000Z", count: 7 },
    { start: "2026-03-12T11:10:00.000Z", count: 0 },
    { start: "2026-03-12T11:15:00.000Z", count: 0 },
  ]);
});
