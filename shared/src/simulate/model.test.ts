import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../syslog/index.ts";
import { hotelHostname, hotelPublicIp, type SimulatedLine, simulateTraffic } from "./index.ts";

const START_MS = Date.parse("2026-03-12T11:00:00Z");
const lines = (seed: number, count: number, hotels = 3, eps = 200): SimulatedLine[] => [
  ...simulateTraffic({ seed, hotels, eps, startMs: START_MS, count }),
];

describe("simulateTraffic", () => {
  test("the same seed gives the same lines; another seed, others", () => {
    const first = lines(42, 5000).map((line) => line.line);
    expect(lines(42, 5000).map((line) => line.line)).toEqual(first);
    expect(lines(43, 5000).map((line) => line.line)).not.toEqual(first);
  });

  test("paces lines at eps and stops at the end of the range", () => {
    const range = [
      ...simulateTraffic({
        seed: 1,
        hotels: 2,
        eps: 50,
        startMs: START_MS,
        endMs: START_MS + 10_000,
      }),
    ];
    expect(range).toHaveLength(500);
    expect(range.at(-1)?.timeMs).toBe(START_MS + 9980);
    expect(
      range.every(
        (line, index) => index === 0 || line.timeMs >= (range[index - 1] as SimulatedLine).timeMs,
      ),
    ).toBe(true);
  });

  test("every kind shows up, from every hotel, each with its own subnet and public address", () => {
    const made = lines(7, 20_000, 4);
    expect(new Set(made.map((line) => line.kind))).toEqual(
      new Set(["dhcp", "hotspot", "firewall", "account", "wireless"]),
    );
    for (const line of made) {
      expect(line.line.startsWith("<30>")).toBe(true);
      expect(line.line).toContain(` ${hotelHostname(line.hotel)} `);
      if (line.device) expect(line.device.ip.startsWith(`10.${line.hotel}.`)).toBe(true);
      if (line.kind === "firewall")
        expect(line.expect["source.nat.ip"]).toBe(hotelPublicIp(line.hotel));
    }
    const actions = new Set(
      made.map((line) => `${line.kind}:${line.expect["event.action"] ?? ""}`),
    );
    for (const action of [
      "dhcp:assigned",
      "dhcp:deassigned",
      "hotspot:logged-in",
      "hotspot:logged-out",
    ]) {
      expect(actions).toContain(action);
    }
  });

  test("is consistent: leases, hotspot sessions and NAT ports agree with each other", () => {
    // Replayed from the parsed lines alone, as the hub's 5651 tables will be.
    const leases = new Map<string, string>(); // hotel/ip -> mac
    const sessions = new Map<string, string>(); // hotel/ip -> user
    const natBusyUntil = new Map<string, number>(); // public ip:port -> ms
    const reused = new Set<string>();
    const made = lines(5651, 60_000, 3, 2000);
    for (const line of made) {
      const event = parseSyslog(line.line, { receivedAt: new Date(line.timeMs) });
      const at = (ip: unknown) => `${line.hotel}/${ip}`;
      if (line.kind === "dhcp" && event["event.action"] === "assigned") {
        expect(leases.has(at(event["client.ip"]))).toBe(false);
        leases.set(at(event["client.ip"]), event["client.mac"] as string);
      } else if (line.kind === "dhcp") {
        expect(leases.get(at(event["client.ip"]))).toBe(event["client.mac"] as string);
        expect(sessions.has(at(event["client.ip"]))).toBe(false);
        leases.delete(at(event["client.ip"]));
      } else if (line.kind === "hotspot") {
        const mac = leases.get(at(event["client.ip"]));
        expect(mac).toBe(line.device?.mac.toLowerCase());
        if (event["client.mac"]) expect(event["client.mac"]).toBe(mac as string);
        if (event["event.action"] === "logged-in")
          sessions.set(at(event["client.ip"]), event["user.name"] as string);
        else {
          expect(sessions.get(at(event["client.ip"]))).toBe(event["user.name"] as string);
          sessions.delete(at(event["client.ip"]));
        }
      } else if (line.kind === "firewall") {
        expect(leases.get(at(event["source.ip"]))).toBe(event["source.mac"] as string);
        const publicPort = `${event["source.nat.ip"]}:${event["source.nat.port"]}`;
        const busyUntil = natBusyUntil.get(publicPort);
        if (busyUntil !== undefined) {
          expect(line.timeMs).toBeGreaterThanOrEqual(busyUntil);
          reused.add(publicPort);
        }
        natBusyUntil.set(publicPort, line.natUntilMs as number);
      }
    }
    // Addresses pass from guest to guest, and public ports are taken again once free.
    const assignedTo = new Map<string, Set<string>>();
    for (const line of made) {
      if (line.kind !== "dhcp" || !line.device) continue;
      const key = `${line.hotel}/${line.device.ip}`;
      assignedTo.set(key, (assignedTo.get(key) ?? new Set()).add(line.device.mac));
    }
    expect([...assignedTo.values()].some((macs) => macs.size > 1)).toBe(true);
    expect(reused.size).toBeGreaterThan(0);
  });

  test("every line parses with the project's parser into the fields it was made with", () => {
    for (const line of lines(99, 20_000, 5)) {
      const event = parseSyslog(line.line, { receivedAt: new Date(line.timeMs) });
      expect(event["log.syslog.format"]).toBe("rfc3164");
      expect(event["log.syslog.hostname"]).toBe(hotelHostname(line.hotel));
      expect(event["@timestamp"]).toBe(
        new Date(Math.floor(line.timeMs / 1000) * 1000).toISOString(),
      );
      expect(event["routeros.topics"]?.[0]).toBe(line.kind === "account" ? "system" : line.kind);
      expect(event["error.message"]).toBeUndefined();
      for (const [field, value] of Object.entries(line.expect)) {
        expect({ line: line.line, field, value: event[field as keyof typeof event] }).toEqual({
          line: line.line,
          field,
          value,
        });
      }
      if (line.device) expect(event["related.ip"]).toContain(line.device.ip);
    }
  });

  test("a router clock offset shifts the header time, not the event time", () => {
    const [utc] = lines(3, 1);
    const [local] = [
      ...simulateTraffic({
        seed: 3,
        hotels: 3,
        eps: 200,
        startMs: START_MS,
        count: 1,
        utcOffsetMinutes: 180,
      }),
    ];
    expect(utc?.line).toContain("Mar 12 11:00:00");
    expect(local?.line).toContain("Mar 12 14:00:00");
    const event = parseSyslog(local?.line as string, {
      receivedAt: new Date(START_MS),
      deviceUtcOffsetMinutes: 180,
    });
    expect(event["@timestamp"]).toBe("2026-03-12T11:00:00.000Z");
  });

  test("refuses options that name no end or an impossible hotel count", () => {
    expect(() => simulateTraffic({ hotels: 3, eps: 10, startMs: START_MS }).next()).toThrow(
      /end time or a count/,
    );
    expect(() =>
      simulateTraffic({ hotels: 300, eps: 10, startMs: START_MS, count: 1 }).next(),
    ).toThrow(/hotels must be between 1 and 254/);
  });
});
