/**
 * The forwarder against a real HTTP/2 mTLS server that answers as the hub
 * protocol says (docs/agent-hub-protocol.md), with real certificates: bytes
 * arrive identical by offset, a hub outage is retried, the seal is verified.
 * Then the early seal against the real hub (startHub, real PostgreSQL):
 * `seal` mid-hour closes part 0, the rest of the hour goes to part 1, the
 * hour's end seals part 1, and the hub verifies both with their chain link.
 */
import { afterEach, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import type { SealNowResult } from "../agent/src/chunk/sealer.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import {
  createTestPki,
  issueServerCertificate,
  writeTestIdentity,
} from "../agent/src/testing/pki.ts";
import { startHub } from "../hub/src/index.ts";
import { listChunks } from "../hub/src/store/index.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import {
  parseManifest,
  scanRecords,
  sha256Hex,
  verifyHashChain,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface HubChunk {
  bytes: Buffer;
  status: "open" | "verified" | "failed";
}

/** Just enough hub: offsets, gaps, duplicates, seal with hash + signature check; fails the first requests. */
function startMiniHub(
  tls: { key: string; cert: string; ca: string },
  agentCertPem: string,
  failFirst: number,
) {
  const chunks = new Map<string, HubChunk>();
  const seenHeaders: http2.IncomingHttpHeaders[] = [];
  const seenSealHeaders: http2.IncomingHttpHeaders[] = [];
  let failures = failFirst;
  const server = http2.createSecureServer({ ...tls, requestCert: true, rejectUnauthorized: true });
  server.on("stream", (stream: http2.ServerHttp2Stream, headers) => {
    const parts: Buffer[] = [];
    stream.on("data", (part: Buffer) => parts.push(part));
    stream.on("end", () => {
      const reply = (status: number, body: unknown) => {
        stream.respond({ ":status": status, "content-type": "application/json" });
        stream.end(JSON.stringify(body));
      };
      if (failures > 0) {
        failures--;
        return reply(503, { code: "internal_error", message: "unavailable" });
      }
      const path = String(headers[":path"]);
      const match = /^\/v1\/chunks\/([0-9T.-]+)(\/records|\/seal)?$/.exec(path);
      if (!match?.[1]) return reply(404, { code: "not_found", message: "no such chunk" });
      const hour = match[1];
      const chunk = chunks.get(hour) ?? { bytes: Buffer.alloc(0), status: "open" as const };
      chunks.set(hour, chunk);
      const length = chunk.bytes.byteLength;
      if (headers[":method"] === "GET") return reply(200, { length, status: chunk.status });
      if (match[2] === "/records") {
        seenHeaders.push(headers);
        if (chunk.status !== "open") return reply(409, { status: "sealed", length });
        const body = Buffer.from(Bun.zstdDecompressSync(Buffer.concat(parts)));
        const offset = Number(headers["x-lm-offset"]);
        if (body.byteLength !== Number(headers["x-lm-length"]))
          return reply(400, { code: "invalid_batch", message: "bad batch" });
        if (offset > length) return reply(409, { status: "gap", length, wanted_offset: length });
        const overlap = Math.min(length - offset, body.byteLength);
        if (!chunk.bytes.subarray(offset, offset + overlap).equals(body.subarray(0, overlap))) {
          return reply(409, { status: "conflict", length });
        }
        if (overlap === body.byteLength) return reply(200, { status: "duplicate", length });
        chunk.bytes = Buffer.concat([chunk.bytes, body.subarray(overlap)]);
        return reply(200, { status: "accepted", length: chunk.bytes.byteLength });
      }
      seenSealHeaders.push(headers);
      const seal = JSON.parse(Buffer.concat(parts).toString()) as {
        manifest_b64: string;
        signature_b64: string;
      };
      const manifestBytes = new Uint8Array(Buffer.from(seal.manifest_b64, "base64"));
      const { manifest } = parseManifest(manifestBytes);
      if (manifest.byte_length !== length) return reply(409, { status: "incomplete", length });
      const ok =
        sha256Hex(chunk.bytes) === manifest.records_sha256 &&
        verifyManifestSignature(
          manifestBytes,
          new Uint8Array(Buffer.from(seal.signature_b64, "base64")),
          agentCertPem,
        );
      chunk.status = ok ? "verified" : "failed";
      return reply(200, ok ? { status: "verified" } : { status: "failed", reason: "mismatch" });
    });
  });
  return new Promise<{
    url: string;
    chunks: Map<string, HubChunk>;
    seenHeaders: typeof seenHeaders;
    seenSealHeaders: typeof seenSealHeaders;
    close: () => void;
  }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `https://127.0.0.1:${port}`,
        chunks,
        seenHeaders,
        seenSealHeaders,
        close: () => server.close(),
      });
    });
  });
}

test("chunks replicate by offset over mTLS HTTP/2, survive a hub outage, and seal as verified", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "lm-fwd-"));
  dirs.push(dataDir);
  const pki = createTestPki();
  const server = issueServerCertificate(pki);
  const identity = await writeTestIdentity(dataDir, pki);
  const hub = await startMiniHub(
    { key: server.keyPem, cert: server.certPem, ca: pki.caPem },
    identity.certPem,
    2,
  );
  const BASE_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
  let nowUs = BASE_US + 1000;
  const agent = await startAgent(
    {
      dataDir,
      udp: { listen: "127.0.0.1:0" },
      tcp: { listen: [] },
      status: { listen: "127.0.0.1:0" },
      wal: { fsyncIntervalMs: 10 },
      hub: {
        url: hub.url,
        batchMaxBytes: 4096,
        batchMaxDelayMs: 50,
        retryBaseMs: 20,
        retryMaxMs: 100,
      },
    },
    { nowUs: () => nowUs++, log: () => {} },
  );
  const sender = dgram.createSocket("udp4");
  for (let i = 0; i < 300; i++)
    sender.send(`<134>dhcp,info lease ${i} ${"x".repeat(i % 50)}`, agent.udpPort, "127.0.0.1");
  const hour = "2026-11-22T08";
  const local = () => readFileSync(join(dataDir, "chunks", hour, "records.jsonl"));
  const waitFor = async (what: () => boolean, label: string) => {
    const deadline = Date.now() + 10_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
      await Bun.sleep(20);
    }
  };
  await waitFor(() => agent.status().receive.received === 300, "300 records");
  await waitFor(
    () => hub.chunks.get(hour)?.bytes.byteLength === local().byteLength,
    "hub to catch up",
  );
  expect(hub.chunks.get(hour)?.bytes.equals(local())).toBe(true);
  expect(agent.telemetry.count("ForwardRetry")).toBeGreaterThanOrEqual(1);
  const headers = hub.seenHeaders[0];
  expect(headers?.["content-encoding"]).toBe("zstd");
  expect(String(headers?.["x-lm-agent-time"])).toMatch(/^2026-11-22T08:00:00\.\d{6}Z$/);
  const stats = JSON.parse(String(headers?.["x-lm-agent-stats"]));
  expect(stats).toHaveProperty("received");
  // The agent's report: its backlog beyond this batch, its WAL's disk use and cap.
  expect(stats).toMatchObject({ refusing: false, disk_max_bytes: agent.status().wal.maxDiskBytes });
  expect(stats.disk_used_bytes).toBeGreaterThan(0);
  expect(stats.unsent_bytes).toBeGreaterThanOrEqual(0);
  expect(stats.unsent_bytes).toBeLessThan(local().byteLength);

  nowUs = BASE_US + 3_600_000_000; // the hour is over, not a microsecond more: nothing to close early
  expect(await agent.seal()).toEqual({ sealed: [hour], open: "2026-11-22T09", enrolled: true });
  await waitFor(() => hub.chunks.get(hour)?.status === "verified", "verified seal");
  const manifest = parseManifest(
    new Uint8Array(readFileSync(join(dataDir, "chunks", hour, "manifest.json"))),
  );
  expect(manifest.manifest.record_count).toBe(300);
  await waitFor(() => agent.status().forward.chunksPendingSeal === 0, "verdict recorded");
  expect(agent.telemetry.count("HubSealVerdict", { verdict: "verified" })).toBe(1);
  // The seal reports too (an idle agent's hourly report), with nothing left to send.
  const sealHeaders = hub.seenSealHeaders.at(-1);
  expect(String(sealHeaders?.["x-lm-agent-time"])).toMatch(/^2026-11-22T09:00:00\.\d{6}Z$/);
  expect(JSON.parse(String(sealHeaders?.["x-lm-agent-stats"]))).toMatchObject({ unsent_bytes: 0 });
  sender.close();
  await agent.stop();
  hub.close();
}, 30_000);

test("early seal against the real hub: part 0 now, part 1 takes the rest of the hour, both verified and chained", async () => {
  const hubDir = mkdtempSync(join(tmpdir(), "lm-fwd-hub-"));
  const dataDir = mkdtempSync(join(tmpdir(), "lm-fwd-agent-"));
  dirs.push(hubDir, dataDir);
  const scratch = await createScratchDatabase();
  const hub = await startHub({
    dataDir: hubDir,
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    databaseUrl: scratch.url,
    caKeyBits: 2048,
    quiet: true,
  });
  const sender = dgram.createSocket("udp4");
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    const hotel = await hub.admin.addHotel({ name: "Otel Early Seal", id: "early" });
    const { token } = await hub.admin.createToken({
      hotel: hotel.id,
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const enrolled = await enrollAgent({ token, dataDir });
    expect(enrolled.hotelId).toBe("early");

    const BASE_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
    const MIN_US = 60_000_000;
    let nowUs = BASE_US + MIN_US;
    agent = await startAgent(
      {
        dataDir,
        udp: { listen: "127.0.0.1:0" },
        tcp: { listen: [] },
        status: { listen: "127.0.0.1:0" },
        wal: { fsyncIntervalMs: 10 },
        hub: { batchMaxBytes: 4096, batchMaxDelayMs: 50, retryBaseMs: 20, retryMaxMs: 100 },
      },
      { nowUs: () => nowUs, log: () => {} },
    );
    const running = agent;
    const waitFor = async (what: () => boolean | Promise<boolean>, label: string) => {
      const deadline = Date.now() + 20_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
        await Bun.sleep(20);
      }
    };
    const hubRows = async () =>
      (await listChunks(hub.db, 100)).filter((row) => row.agentId === enrolled.agentId);
    const send = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        sender.send(`<134>firewall,info forward seq=${i}`, running.udpPort, "127.0.0.1");
      }
      await waitFor(
        () => running.status().receive.received === from + count,
        `${from + count} datagrams`,
      );
    };

    await send(0, 40);
    nowUs = BASE_US + 20 * MIN_US; // 08:20: `logmaster-agent seal` asks the status server
    const early = (await (
      await fetch(`${running.statusUrl}/seal`, { method: "POST" })
    ).json()) as SealNowResult;
    expect(early).toEqual({ sealed: ["2026-11-22T08"], open: "2026-11-22T08.1", enrolled: true });
    await send(40, 25); // the same hour, after the early seal
    await waitFor(
      async () => (await hubRows()).some((row) => row.part === 0 && row.status === "verified"),
      "part 0 verified",
    );

    nowUs = BASE_US + 60 * MIN_US; // 09:00: the hour is over and seals part 1
    expect((await running.seal()).sealed).toEqual(["2026-11-22T08.1"]);
    await waitFor(
      async () => (await hubRows()).some((row) => row.part === 1 && row.status !== "open"),
      "part 1 sealed at the hub",
    );
    const rows = (await hubRows()).sort((a, b) => a.part - b.part);
    expect(rows.map((row) => [row.part, row.status, row.reason, row.recordCount])).toEqual([
      [0, "verified", null, 40],
      [1, "verified", null, 25],
    ]);
    expect(rows.map((row) => [row.windowStart, row.windowEnd])).toEqual([
      ["2026-11-22T08:00:00.000000Z", "2026-11-22T08:20:00.000000Z"],
      ["2026-11-22T08:20:00.000000Z", "2026-11-22T09:00:00.000000Z"],
    ]);
    // The hub's archive is byte-identical to the agent's chunks, and chains.
    const archive = join(hubDir, "archive", "early", enrolled.agentId, "2026", "11", "22");
    const manifests = [];
    for (const [id, dir] of [
      ["2026-11-22T08", "08"],
      ["2026-11-22T08.1", "08.1"],
    ] as const) {
      const hubRecords = readFileSync(join(archive, dir, "records.jsonl"));
      expect(hubRecords.equals(readFileSync(join(dataDir, "chunks", id, "records.jsonl")))).toBe(
        true,
      );
      const manifest = parseManifest(
        new Uint8Array(readFileSync(join(archive, dir, "manifest.json"))),
      );
      expect(scanRecords(hubRecords, { window: manifest.manifest }).recordsOutsideWindow).toBe(0);
      manifests.push(manifest);
    }
    expect(verifyHashChain(manifests).ok).toBe(true);
    const seqs = readFileSync(join(archive, "08.1", "records.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).seq);
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => 41 + i));
    await waitFor(
      () => running.telemetry.count("HubSealVerdict", { verdict: "verified" }) === 2,
      "both verdicts recorded",
    );
    expect(running.status().chain.lastSealedChunk).toBe("2026-11-22T08.1");
    // What the agent reported reached the hub's agent view, its time by the hub's clock.
    const [reported] = (await hub.admin.listAgents()).filter((a) => a.id === enrolled.agentId);
    const wal = running.status().wal;
    expect(reported).toMatchObject({
      unsent_bytes: 0,
      disk_max_bytes: wal.maxDiskBytes,
      wal_refusing: false,
    });
    expect(reported?.disk_used_bytes).toBeGreaterThan(0);
    expect(reported?.disk_used_bytes).toBeLessThanOrEqual(wal.diskUsedBytes);
    expect(Math.abs(Date.parse(reported?.reported_at ?? "") - Date.now())).toBeLessThan(60_000);
  } finally {
    sender.close();
    await agent?.stop();
    await hub.stop();
    await scratch.drop();
  }
}, 60_000);
