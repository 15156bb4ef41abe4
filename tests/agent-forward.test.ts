/**
 * The forwarder against a real HTTP/2 mTLS server that answers as the hub
 * protocol says (docs/agent-hub-protocol.md), with real certificates: bytes
 * arrive identical by offset, a hub outage is retried, the seal is verified.
 */
import { afterEach, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../agent/src/agent.ts";
import {
  createTestPki,
  issueServerCertificate,
  writeTestIdentity,
} from "../agent/src/testing/pki.ts";
import { parseManifest, sha256Hex, verifyManifestSignature } from "../shared/src/custody/index.ts";

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
        return reply(503, { error: "unavailable" });
      }
      const path = String(headers[":path"]);
      const match = /^\/v1\/chunks\/([0-9T-]+)(\/records|\/seal)?$/.exec(path);
      if (!match?.[1]) return reply(404, { error: "not_found" });
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
          return reply(400, { error: "invalid_batch" });
        if (offset > length) return reply(409, { status: "gap", length, wanted_offset: length });
        const overlap = Math.min(length - offset, body.byteLength);
        if (!chunk.bytes.subarray(offset, offset + overlap).equals(body.subarray(0, overlap))) {
          return reply(409, { status: "conflict", length });
        }
        if (overlap === body.byteLength) return reply(200, { status: "duplicate", length });
        chunk.bytes = Buffer.concat([chunk.bytes, body.subarray(overlap)]);
        return reply(200, { status: "accepted", length: chunk.bytes.byteLength });
      }
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
    close: () => void;
  }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `https://127.0.0.1:${port}`,
        chunks,
        seenHeaders,
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
  expect(JSON.parse(String(headers?.["x-lm-agent-stats"]))).toHaveProperty("received");

  nowUs = BASE_US + 3_600_000_000 + 10; // the hour is over
  expect((await agent.seal()).sealed).toEqual([hour]);
  await waitFor(() => hub.chunks.get(hour)?.status === "verified", "verified seal");
  const manifest = parseManifest(
    new Uint8Array(readFileSync(join(dataDir, "chunks", hour, "manifest.json"))),
  );
  expect(manifest.manifest.record_count).toBe(300);
  await waitFor(() => agent.status().forward.chunksPendingSeal === 0, "verdict recorded");
  expect(agent.telemetry.count("HubSealVerdict", { verdict: "verified" })).toBe(1);
  sender.close();
  await agent.stop();
  hub.close();
}, 30_000);
