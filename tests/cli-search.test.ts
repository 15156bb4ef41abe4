/**
 * The read side's CLI against a real hub: simulated RouterOS traffic of one
 * hotel is stored as the ingest route stores it and indexed by the hub; then
 * `logmaster-hub search|lookup|reindex|devices` run as child processes and
 * must find the lines and answer the 5651 questions the simulation knows the
 * answers to, with evidence, reasons when nothing matches, and errors that
 * name the option. Last, with the hub stopped, they open the data dir.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { reindexProgressView } from "../hub/src/cli/search.ts";
import { simulatedHours, storeHour } from "../hub/src/index/testing.ts";
import type { IpLookup, MacLookup, NatLookup, SearchResponse } from "../hub/src/query/index.ts";
import { addAgentRow } from "../hub/src/store/fixtures.ts";
import type { SimulatedLine } from "../shared/src/simulate/model.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { repoRoot, startTestHub, type TestHub } from "./support/pipeline.ts";

const HOTEL = "otel-bir";
const AGENT = "otel-bir-a1";
const START_MS = Date.parse("2026-03-12T11:00:00Z");
/** The whole simulation in Istanbul time (it runs 11:00..12:06 UTC). */
const FROM = "2026-03-12T14:00:00+03:00";
const TO = "2026-03-12T16:00:00+03:00";

/** Each test runs the CLI (a fresh Bun process) a few times. */
const CLI_TEST_MS = 60_000;

let testHub: TestHub;
const lines: SimulatedLine[] = [];

const mainTs = join(repoRoot, "hub/src/cli/main.ts");
/** `logmaster-hub ARGS --data-dir <the test hub's>`; `env` sets variables of the child. */
const hubCli = (args: string[], env: string[] = []) =>
  runProcess(["env", ...env, "bun", mainTs, ...args, "--data-dir", testHub.dataDir]);

/** Run and expect success; returns stdout. */
async function hubOk(args: string[], env: string[] = []): Promise<string> {
  const { exitCode, stdout, stderr } = await hubCli(args, env);
  if (exitCode !== 0) throw new Error(`logmaster-hub ${args.join(" ")}: ${exitCode}\n${stderr}`);
  return stdout;
}

const json = async <T>(args: string[], env: string[] = []) =>
  JSON.parse(await hubOk([...args, "--json"], env)) as T;

/** An ISO time with the Istanbul offset, as an investigator types it. */
const istanbulIso = (ms: number) =>
  new Date(ms + 3 * 3_600_000).toISOString().replace(/\.\d+Z$/, "+03:00");

/** A lease the simulation made and ended, and a moment it was surely in force. */
function knownLease() {
  const assigned = lines.filter((l) => l.kind === "dhcp" && l.line.includes(" assigned "));
  for (const line of assigned) {
    if (!line.device) continue;
    const { ip, mac } = line.device;
    const next = lines.find(
      (l) => l.kind === "dhcp" && l.timeMs > line.timeMs && l.device?.ip === ip,
    );
    // A roomy lease, ended by its release.
    if (!next?.line.includes(" deassigned ") || next.timeMs - line.timeMs < 120_000) continue;
    const login = lines.find(
      (l) =>
        l.kind === "hotspot" &&
        l.line.endsWith(`(${ip}): logged in`) &&
        l.timeMs >= line.timeMs &&
        l.timeMs < line.timeMs + 60_000,
    );
    return {
      ip,
      mac: mac.toLowerCase(),
      /** The hotspot user logged in from the address then, if any. */
      user: login?.line.split(" ").at(-4),
      hostname: line.line.split(" ").at(-1) as string,
      at: line.timeMs + 60_000,
      line: line.line,
      fromMs: line.timeMs,
      toMs: next.timeMs,
    };
  }
  throw new Error("the simulation made no roomy lease");
}

/** A srcnat connection whose public port no other line took in the same second. */
function knownNat() {
  const connection = lines.find((l) => l.kind === "firewall" && l.expect["source.nat.port"]);
  if (!connection?.device) throw new Error("the simulation made no NAT line");
  return {
    address: `${connection.expect["source.nat.ip"]}:${connection.expect["source.nat.port"]}`,
    internalIp: connection.device.ip,
    mac: connection.device.mac.toLowerCase(),
    at: connection.timeMs + 100,
    line: connection.line,
  };
}

beforeAll(async () => {
  testHub = await startTestHub();
  await testHub.hub.admin.addHotel({ name: "Otel Bir", id: HOTEL });
  await addAgentRow(testHub.hub.db, {
    id: AGENT,
    hotelId: HOTEL,
    enrolledAt: new Date("2026-03-01T00:00:00Z"),
  });
  // Two hours (two chunks) of one hotel, 2 lines a second.
  for (const hour of simulatedHours({ hotels: 1, eps: 2, startMs: START_MS, count: 8000 })) {
    await storeHour(testHub.hub.db, hour, { hotelId: HOTEL, agentId: AGENT });
    lines.push(...hour.lines);
  }
  testHub.hub.indexer.notify(AGENT);
  await testHub.hub.indexer.drain();
}, CLI_TEST_MS);

afterAll(async () => {
  await testHub?.destroy();
});

describe("logmaster-hub search", () => {
  test(
    "finds lines by text, newest first, with Istanbul times and the next page",
    async () => {
      const out = await hubOk([
        "search",
        "--hotel",
        HOTEL,
        "--from",
        FROM,
        "--to",
        TO,
        "--text",
        "deassigned",
        "--limit",
        "3",
      ]);
      const deassigned = lines.filter((l) => l.line.includes("deassigned"));
      expect(deassigned.length).toBeGreaterThan(3);
      const newest = deassigned.at(-1) as SimulatedLine;
      const [header, first] = out.split("\n");
      expect(header).toMatch(/^TIME \(EUROPE\/ISTANBUL\)\s+HOTEL\s+DEVICE\s+LINE$/);
      expect(first).toContain(newest.line);
      expect(first).toContain(`${istanbulIso(newest.timeMs).slice(0, 10)} `);
      expect(first).toContain("+03:00");
      expect(first).toContain(`${HOTEL}  otel-1-gw 10.1.0.1`);
      expect(out).toMatch(/3 lines \(\d+ ms\); next page: --cursor \S+\n$/);
    },
    CLI_TEST_MS,
  );

  test(
    "--json is the API's page; --cursor walks every match once",
    async () => {
      const filter = ["--hotel", HOTEL, "--from", FROM, "--to", TO, "--text", "deassigned"];
      const all = await json<SearchResponse>(["search", ...filter, "--limit", "1000"]);
      const expected = lines.filter((l) => l.line.includes("deassigned")).map((l) => l.line);
      expect(all.hits.map((h) => h.raw).sort()).toEqual([...expected].sort());
      expect(all.next_cursor).toBeUndefined();
      const hit = all.hits[0];
      expect(hit).toMatchObject({ hotel: HOTEL, agent: AGENT, device: "10.1.0.1" });
      expect(hit?.received_at).toMatch(/^2026-03-12T1[12]:\d{2}:\d{2}\.\d{6}Z$/);
      expect(hit?.received_at_istanbul).toMatch(/\+03:00$/);
      expect(hit?.chunk).toMatch(/^2026-03-12T1[12]$/);
      expect(typeof hit?.seq).toBe("number");

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: SearchResponse = await json([
          "search",
          ...filter,
          "--sort",
          "asc",
          "--limit",
          String(Math.ceil(expected.length / 2)),
          ...(cursor ? ["--cursor", cursor] : []),
        ]);
        seen.push(...page.hits.map((h) => h.raw));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual(expected); // oldest first, none twice
    },
    CLI_TEST_MS,
  );

  test(
    "--ip and --mac narrow to a device's lines",
    async () => {
      const nat = knownNat();
      const page = await json<SearchResponse>([
        "search",
        "--hotel",
        HOTEL,
        "--from",
        FROM,
        "--to",
        TO,
        "--ip",
        nat.internalIp,
        "--mac",
        nat.mac,
        "--limit",
        "1000",
      ]);
      expect(page.hits.map((h) => h.raw)).toContain(nat.line);
      for (const hit of page.hits) expect(hit.src_mac).toBe(nat.mac);
    },
    CLI_TEST_MS,
  );
});

describe("logmaster-hub lookup", () => {
  test(
    "ip: the lease in force, in words, with evidence and how to export it",
    async () => {
      const lease = knownLease();
      const args = ["lookup", "ip", lease.ip, "--at", istanbulIso(lease.at), "--hotel", HOTEL];
      const out = await hubOk(args);
      const wall = (ms: number) => istanbulIso(ms).replace("T", " ").replace("+", " +");
      const utc = new Date(lease.at).toISOString().slice(11, 19);
      const [answerLine] = out.split("\n");
      expect(answerLine).toStartWith(
        `${lease.ip} at ${wall(lease.at)} (${utc} UTC) (hotel ${HOTEL}) was leased to MAC ${lease.mac} (${lease.hostname}) by DHCP server dhcp-guest from ${wall(lease.fromMs)} to ${wall(lease.toMs)}`,
      );
      expect(lease.user).toBeDefined(); // the seed's first roomy lease has a hotspot login
      expect(answerLine).toContain(`; hotspot user ${lease.user} on ${lease.ip}`);
      expect(out).toContain(lease.line);
      expect(out).toMatch(/chunk 2026-03-12T1[12] {2}seq \d+/);
      expect(out).toMatch(
        new RegExp(
          `logmaster-hub export --hotel ${HOTEL} --agent ${AGENT} --chunk 2026-03-12T1[12] --out evidence/ --data-dir \\S+`,
        ),
      );

      const answer = await json<IpLookup>(args);
      expect(answer.mac).toBe(lease.mac);
      expect(answer.lease?.hostname).toBe(lease.hostname);
      expect(answer.no_match).toEqual([]);
      const evidence = answer.lease?.evidence[0];
      expect(evidence?.raw).toBe(lease.line);
      expect(evidence).toMatchObject({ hotel: HOTEL, agent: AGENT });
      expect(evidence?.received_at).toMatch(/Z$/);
      expect(evidence?.chunk).toMatch(/^2026-03-12T1[12]$/);
      expect(typeof evidence?.seq).toBe("number");
    },
    CLI_TEST_MS,
  );

  test(
    "mac: the addresses a device had over a range",
    async () => {
      const lease = knownLease();
      const answer = await json<MacLookup>([
        "lookup",
        "mac",
        lease.mac.toUpperCase().replaceAll(":", "-"),
        "--from",
        FROM,
        "--to",
        TO,
        "--hotel",
        HOTEL,
      ]);
      expect(answer.query.mac).toBe(lease.mac);
      expect(answer.leases.map((l) => l.ip)).toContain(lease.ip);
      const out = await hubOk([
        "lookup",
        "mac",
        lease.mac,
        "--from",
        FROM,
        "--to",
        TO,
        "--hotel",
        HOTEL,
      ]);
      expect(out).toContain(`MAC ${lease.mac} between 2026-03-12 14:00:00 +03:00 (11:00:00 UTC)`);
      expect(out).toContain(`address ${lease.ip} (${lease.hostname}) from `);
    },
    CLI_TEST_MS,
  );

  test(
    "nat: the guest connection behind a public port, and who had its address",
    async () => {
      const nat = knownNat();
      const args = ["lookup", "nat", nat.address, "--at", istanbulIso(nat.at), "--hotel", HOTEL];
      const answer = await json<NatLookup>(args);
      expect(answer.connection?.raw).toBe(nat.line);
      expect(answer.internal?.ip).toBe(nat.internalIp);
      expect(answer.device?.mac).toBe(nat.mac);
      expect(answer.evidence.map((e) => e.raw)).toContain(nat.line);
      const out = await hubOk(args);
      expect(out).toContain(`${nat.address} at `);
      expect(out).toContain(`was used by ${nat.internalIp}:`);
      expect(out).toContain(`${nat.internalIp} then was leased to MAC ${nat.mac}`);
      expect(out).toContain("logmaster-hub export --hotel otel-bir --agent otel-bir-a1 --chunk");
      expect(out).toContain(nat.line);
    },
    CLI_TEST_MS,
  );

  test(
    "nothing matched: each reason is printed",
    async () => {
      const dayBefore = "2026-03-11T14:00:00+03:00";
      const out = await hubOk(["lookup", "ip", "10.1.1.23", "--at", dayBefore, "--hotel", HOTEL]);
      expect(out).toContain("(hotel otel-bir): no answer.\n");
      expect(out).toContain(`the hub holds no records of ${HOTEL} for the hour of`);
      expect(out).toContain("[no_data]");
      const never = await json<IpLookup>([
        "lookup",
        "ip",
        "10.1.250.250",
        "--at",
        istanbulIso(START_MS + 600_000),
        "--hotel",
        HOTEL,
      ]);
      expect(never.lease).toBeNull();
      expect(never.no_match.map((m) => m.reason)).toEqual(["no_lease"]);
      const nat = await hubOk([
        "lookup",
        "nat",
        "192.0.2.1:9",
        "--at",
        istanbulIso(START_MS + 600_000),
        "--hotel",
        HOTEL,
      ]);
      expect(nat).toContain("no srcnat line of 192.0.2.1:9");
      expect(nat).toContain("[no_nat]");
    },
    CLI_TEST_MS,
  );
});

describe("logmaster-hub devices", () => {
  test(
    "lists the hotel router as a log source and names it",
    async () => {
      const before = await json<{ agent: string; address: string; events: number }[]>([
        "devices",
        "--hotel",
        HOTEL,
      ]);
      expect(before).toEqual([
        expect.objectContaining({ agent: AGENT, address: "10.1.0.1", events: lines.length }),
      ]);
      expect(await hubOk(["devices", "name", AGENT, "10.1.0.1", "core", "router"])).toContain(
        `device 10.1.0.1 of agent ${AGENT} is now named "core router"`,
      );
      const table = await hubOk(["devices"]);
      expect(table).toMatch(/^HOTEL\s+AGENT\s+ADDRESS\s+NAME\s+HOST\s+FIRST_SEEN/);
      expect(table).toContain("core router");
    },
    CLI_TEST_MS,
  );
});

describe("logmaster-hub reindex", () => {
  test(
    "rebuilds the index from the archive: progress on stderr, a summary, same answers",
    async () => {
      const { exitCode, stdout, stderr } = await hubCli(["reindex", "--hotel", HOTEL]);
      expect(exitCode).toBe(0);
      expect(stderr).toMatch(/^reindexing hotel otel-bir: 2 chunk\(s\), [\d.]+ MiB of archived/);
      expect(stdout).toMatch(
        new RegExp(
          `^reindexed hotel ${HOTEL}: 2 chunk\\(s\\), [\\d.]+ MiB of records, ${lines.length} events in [\\d.]+ s\\n$`,
        ),
      );
      const lease = knownLease();
      const answer = await json<IpLookup>([
        "lookup",
        "ip",
        lease.ip,
        "--at",
        istanbulIso(lease.at),
        "--hotel",
        HOTEL,
      ]);
      expect(answer.mac).toBe(lease.mac);
    },
    CLI_TEST_MS,
  );

  test(
    "a range with no chunks says there was nothing to do",
    async () => {
      const out = await hubOk([
        "reindex",
        "--hotel",
        HOTEL,
        "--from",
        "2027-01-01T00:00:00Z",
        "--to",
        "2027-01-02T00:00:00Z",
      ]);
      expect(out).toBe(`hotel ${HOTEL} holds no chunks in that range: nothing was reindexed\n`);
    },
    CLI_TEST_MS,
  );

  test("on a terminal: a bar of bytes indexed, erased at the end", () => {
    const written: string[] = [];
    const view = reindexProgressView(
      { isTTY: true, columns: 100, write: (text: string) => written.push(text) },
      HOTEL,
    );
    view.update({ chunks: 2, bytesTotal: 2 * 1024 * 1024, bytesDone: 0, events: 0 });
    view.update({ chunks: 2, bytesTotal: 2 * 1024 * 1024, bytesDone: 2 * 1024 * 1024, events: 9 });
    view.clear();
    expect(written[0]).toBe(`reindexing hotel ${HOTEL}: 2 chunk(s), 2.0 MiB of archived records\n`);
    expect(written.join("")).toContain("9 events [");
    expect(written.join("")).toContain("2.0/2.0 MiB 100%");
    expect(written.at(-1)).toBe("\r\x1b[2K");
  });
});

describe("logmaster-hub read commands refuse bad options, naming them", () => {
  const cases: [string[], string][] = [
    [
      ["search", "--from", "yesterday", "--to", TO],
      "logmaster-hub search: --from must be an ISO 8601 time with a zone",
    ],
    [["search", "--to", TO], "logmaster-hub search: --from is required"],
    [["search", "--from", TO, "--to", FROM], "logmaster-hub search: --from must be before --to"],
    [
      ["search", "--from", FROM, "--to", TO, "--limit", "5000"],
      "logmaster-hub search: --limit must be at most 1000",
    ],
    [
      ["search", "--from", FROM, "--to", TO, "--sort", "up"],
      "logmaster-hub search: --sort must be one of desc, asc",
    ],
    [
      ["search", "--from", FROM, "--to", TO, "--mac", "zz"],
      "logmaster-hub search: --mac must be a MAC address",
    ],
    [
      ["lookup", "ip", "10.1.1.999", "--at", FROM, "--hotel", HOTEL],
      "logmaster-hub lookup: ADDR (lookup ip ADDR) must be an IP address",
    ],
    [["lookup", "ip", "10.1.1.9", "--at", FROM], "logmaster-hub lookup: --hotel is required"],
    [
      ["lookup", "nat", "192.0.2.1", "--at", FROM, "--hotel", HOTEL],
      "logmaster-hub lookup: ADDR:PORT (lookup nat ADDR:PORT) must be ADDRESS:PORT",
    ],
    [
      ["lookup", "ip", "10.1.1.9", "--at", FROM, "--hotel", HOTEL, "--limit", "3"],
      "logmaster-hub lookup: --limit does not apply to this command",
    ],
    [
      ["reindex", "--hotel", HOTEL, "--from", "2026-03-12"],
      "logmaster-hub reindex: --from must be an ISO 8601 time with a zone",
    ],
    [
      ["lookup", "ip", "10.1.1.9", "--at", FROM, "--hotel", "nope"],
      "logmaster-hub lookup: no such hotel, or not in your scope: nope",
    ],
  ];
  test.each(cases)(
    "%j",
    async (args, message) => {
      const { exitCode, stdout, stderr } = await hubCli(args);
      expect(stderr.split("\n")[0]).toStartWith(message);
      expect(exitCode).toBe(2);
      expect(stdout).toBe("");
    },
    CLI_TEST_MS,
  );
});

describe("with no hub running, the read commands open the data dir", () => {
  test(
    "lookup and reindex on the stopped hub's database",
    async () => {
      await testHub.stop();
      // The hub's database, and no Redis: a CLI alone uses its in-process parts.
      const env = [`DATABASE_URL=${testHub.databaseUrl}`, "REDIS_URL="];
      const lease = knownLease();
      const answer = await json<IpLookup>(
        ["lookup", "ip", lease.ip, "--at", istanbulIso(lease.at), "--hotel", HOTEL],
        env,
      );
      expect(answer.mac).toBe(lease.mac);
      expect(answer.lease?.evidence[0]?.raw).toBe(lease.line);
      const summary = await hubOk(["reindex", "--hotel", HOTEL], env);
      expect(summary).toContain(`${lines.length} events`);
      const page = await json<SearchResponse>(
        ["search", "--hotel", HOTEL, "--from", FROM, "--to", TO, "--text", "deassigned"],
        env,
      );
      expect(page.hits.length).toBe(lines.filter((l) => l.line.includes("deassigned")).length);
    },
    CLI_TEST_MS,
  );
});
