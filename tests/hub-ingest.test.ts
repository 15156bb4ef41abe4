/**
 * The hub's ingest over real HTTP/2 + mTLS, on the real PostgreSQL of
 * DATABASE_URL (a scratch database for this file): enrollment, replication by
 * offset, authentication refusals, tenant isolation, seal verdicts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createChainCa,
  issueAgentCertificate,
  loadOrCreateChainCa,
} from "../hub/src/identity/index.ts";
import { makeCertificateRequest } from "../hub/src/identity/testing.ts";
import { type RunningHub, startHub } from "../hub/src/index.ts";
import { type ClientIdentity, enrollOverHttp2, h2Request } from "../hub/src/ingest/testing.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import {
  buildManifest,
  certificateSha256,
  EMPTY_SHA256,
  encodeDataRecord,
  formatMicrosUtc,
  hourAfter,
  hourAsMicrosUtc,
  type ManifestWithBytes,
  scanRecords,
  sha256Hex,
  signManifest,
} from "../shared/src/custody/index.ts";

let hub: RunningHub;
let dataDir: string;
let dropDatabase: () => Promise<void>;
const keyPair = makeCertificateRequest(2048);

interface EnrolledAgent extends ClientIdentity {
  agentId: string;
  hotelId: string;
}

async function enroll(hotel: string): Promise<EnrolledAgent> {
  const { token } = await hub.admin.createToken({ hotel, ttl_ms: 60_000, actor: "cli:test" });
  return enrollOverHttp2(hub.ingestUrl, hub.caPem, token, keyPair);
}

function sendBatch(
  agent: ClientIdentity,
  hour: string,
  offset: number,
  bytes: Uint8Array,
  options: { zstd?: boolean; headers?: Record<string, string> } = {},
) {
  const body = options.zstd === false ? bytes : Bun.zstdCompressSync(bytes);
  return h2Request(
    hub.ingestUrl,
    hub.caPem,
    {
      method: "POST",
      path: `/v1/chunks/${hour}/records`,
      headers: {
        ...(options.zstd === false ? {} : { "content-encoding": "zstd" }),
        "x-lm-offset": String(offset),
        "x-lm-length": String(bytes.byteLength),
        "x-lm-agent-time": new Date().toISOString(),
        "x-lm-agent-stats": JSON.stringify({ received: 3, written: 3 }),
        ...options.headers,
      },
      body,
    },
    agent,
  );
}

/** A records body sent as is, claiming zstd and `declaredLength` bytes: for bodies that lie. */
const sendRawZstd = (
  agent: ClientIdentity,
  hour: string,
  body: string | Uint8Array,
  declaredLength: number,
) =>
  h2Request(
    hub.ingestUrl,
    hub.caPem,
    {
      method: "POST",
      path: `/v1/chunks/${hour}/records`,
      headers: {
        "content-encoding": "zstd",
        "x-lm-offset": "0",
        "x-lm-length": String(declaredLength),
      },
      body,
    },
    agent,
  );

const getChunk = (agent: ClientIdentity, hour: string) =>
  h2Request(hub.ingestUrl, hub.caPem, { method: "GET", path: `/v1/chunks/${hour}` }, agent);

const seal = (
  agent: ClientIdentity,
  hour: string,
  manifest: Uint8Array,
  signature: Uint8Array,
  headers: Record<string, string> = {},
) =>
  h2Request(
    hub.ingestUrl,
    hub.caPem,
    {
      method: "PUT",
      path: `/v1/chunks/${hour}/seal`,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({
        manifest_b64: Buffer.from(manifest).toString("base64"),
        signature_b64: Buffer.from(signature).toString("base64"),
      }),
    },
    agent,
  );

/** records.jsonl of `count` records from `firstSeq`, inside `hour`. */
function recordsFile(hour: string, firstSeq: number, count: number): Uint8Array {
  const startUs = Date.parse(`${hour}:00:00Z`) * 1000;
  const lines = Array.from({ length: count }, (_, i) =>
    encodeDataRecord({
      seq: firstSeq + i,
      receivedAtUs: startUs + 1000 * (i + 1),
      src: "192.168.88.1",
      port: 514,
      transport: "udp",
      bytes: new TextEncoder().encode(`<134>Jan 15 10:30:45 gw firewall,info line ${firstSeq + i}`),
    }),
  );
  return Buffer.concat(lines);
}

/** A whole hour (part 0) unless `window` names a part of an early-sealed hour. */
function manifestFor(
  agent: EnrolledAgent,
  hour: string,
  records: Uint8Array,
  prev: ManifestWithBytes | null,
  window: { part: number; window_start: string; window_end: string } = {
    part: 0,
    window_start: `${hour}:00:00.000000Z`,
    window_end: hourAsMicrosUtc(hourAfter(`${hour}:00:00Z`)),
  },
): ManifestWithBytes {
  const { summary } = scanRecords(records);
  return buildManifest({
    chain_id: hub.chainId,
    hotel_id: agent.hotelId,
    agent_id: agent.agentId,
    agent_cert_sha256: certificateSha256(agent.certificatePem),
    hour_start: `${hour}:00:00Z`,
    ...window,
    ...summary,
    prev_manifest_sha256: prev ? sha256Hex(prev.bytes) : null,
    clock: { ntp_synchronized: true, source: "chrony" },
    created_at: formatMicrosUtc(BigInt(Date.now()) * 1000n),
  });
}

/** The same chunk in format 1.1, as agents write it now: with the Merkle root over the lines. */
function asFormat1_1(
  manifest: ManifestWithBytes,
  records: Uint8Array,
  merkleRoot?: string,
): ManifestWithBytes {
  const { format: _format, hour_end: _hourEnd, ...fields } = manifest.manifest;
  const tree = scanRecords(records, { merkle: true }).merkle;
  return buildManifest({ ...fields, ...tree, ...(merkleRoot ? { merkle_root: merkleRoot } : {}) });
}

let agentA: EnrolledAgent;
let agentB: EnrolledAgent;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "hub-ingest-"));
  const scratch = await createScratchDatabase();
  dropDatabase = scratch.drop;
  hub = await startHub({
    dataDir,
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    databaseUrl: scratch.url,
    caKeyBits: 2048,
    quiet: true,
  });
  await hub.admin.addHotel({ name: "Grand Hotel", id: "grand" });
  await hub.admin.addHotel({ name: "Sea View", id: "sea" });
  agentA = await enroll("grand");
  agentB = await enroll("Sea View");
});

afterAll(async () => {
  await hub?.stop();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("enrollment", () => {
  const post = (body: unknown) =>
    h2Request(hub.ingestUrl, hub.caPem, {
      method: "POST",
      path: "/v1/enroll",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  test("the certificate names the token's hotel and chains to the CA", () => {
    expect(agentA.hotelId).toBe("grand");
    expect(agentA.agentId).toMatch(/^grand-[a-z2-7]{8}$/);
    expect(agentB.hotelId).toBe("sea");
  });

  test("a token works once; bad tokens and bodies are refused with reasons", async () => {
    const { token } = await hub.admin.createToken({
      hotel: "grand",
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    expect((await post({ token, csr_pem: keyPair.csrPem })).status).toBe(201);
    expect(await post({ token, csr_pem: keyPair.csrPem })).toMatchObject({
      status: 401,
      json: { code: "token_used", message: expect.stringContaining("used already") },
    });
    expect((await post({ token: "lm1.garbage", csr_pem: keyPair.csrPem })).json).toMatchObject({
      code: "token_invalid",
    });
    const fresh = await hub.admin.createToken({
      hotel: "grand",
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const badCsr = await post({ token: fresh.token, csr_pem: "nope" });
    expect(badCsr.status).toBe(400);
    expect(badCsr.json.code).toBe("invalid_request");
    expect((await post({ nothing: true })).status).toBe(400);
  });

  test("re-enrollment: same agent and key only, in the token's hotel; the token is kept on refusal", async () => {
    const { token } = await hub.admin.createToken({
      hotel: "grand",
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const otherKey = makeCertificateRequest(2048);
    const refusals = [
      await post({ token, csr_pem: otherKey.csrPem, agent_id: agentA.agentId }),
      await post({ token, csr_pem: keyPair.csrPem, agent_id: agentB.agentId }),
      await post({ token, csr_pem: keyPair.csrPem, agent_id: "grand-zzzzzzzz" }),
    ];
    expect(refusals.map((answer) => [answer.status, answer.json.code])).toEqual([
      [403, "reenroll_refused"],
      [403, "reenroll_refused"],
      [403, "reenroll_refused"],
    ]);
    expect(String(refusals[0]?.json.message)).toContain("is not agent");
    expect(String(refusals[1]?.json.message)).toContain("in hotel grand");
    const again = await post({ token, csr_pem: keyPair.csrPem, agent_id: agentA.agentId });
    expect(again.status).toBe(201);
    expect(again.json.agent_id).toBe(agentA.agentId);
    const agentRow = (await hub.admin.listAgents()).find((row) => row.id === agentA.agentId);
    expect(agentRow?.cert_sha256).toBe(certificateSha256(String(again.json.certificate_pem)));
  });
});

describe("replication by offset", () => {
  const hour = "2025-01-15T10";
  const records = recordsFile(hour, 1, 6);
  const cut = records.indexOf(0x0a) + 1;

  test("accepted, duplicate, overlap, gap, conflict, then resume from GET", async () => {
    expect((await getChunk(agentA, hour)).json).toEqual({ length: 0, status: "open" });
    expect(await sendBatch(agentA, hour, 0, records.subarray(0, cut))).toEqual({
      status: 200,
      json: { status: "accepted", length: cut },
    });
    expect(await sendBatch(agentA, hour, 0, records.subarray(0, cut))).toEqual({
      status: 200,
      json: { status: "duplicate", length: cut },
    });
    expect(await sendBatch(agentA, hour, cut + 10, records.subarray(cut + 10))).toEqual({
      status: 409,
      json: { status: "gap", length: cut, wanted_offset: cut },
    });
    const changed = Uint8Array.from(records.subarray(0, cut + 5));
    changed[3] = (changed[3] ?? 0) ^ 1;
    expect(await sendBatch(agentA, hour, 0, changed)).toEqual({
      status: 409,
      json: { status: "conflict", length: cut },
    });
    // Overlapping the end: the held part matches, the rest is stored.
    expect(await sendBatch(agentA, hour, 2, records.subarray(2), { zstd: false })).toEqual({
      status: 200,
      json: { status: "accepted", length: records.byteLength },
    });
    expect((await getChunk(agentA, hour)).json).toEqual({
      length: records.byteLength,
      status: "open",
    });
  });

  test("malformed batches get 400 with a reason, bombs and big bodies 413", async () => {
    const bad = await sendBatch(agentA, hour, 0, records, { headers: { "x-lm-offset": "-1" } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("invalid_batch");
    expect(String(bad.json.message)).toContain("x-lm-offset");
    const garbage = await sendRawZstd(agentA, hour, "not zstd at all", 5);
    expect(garbage.status).toBe(400);
    const bomb = Bun.zstdCompressSync(new Uint8Array(200 * 1024 * 1024));
    const bombAnswer = await sendRawZstd(agentA, hour, bomb, 100);
    expect(bombAnswer).toMatchObject({ status: 413, json: { code: "too_large" } });
    const hugeHeader = await sendBatch(agentA, hour, 0, records, {
      headers: { "x-lm-length": String(65 * 1024 * 1024) },
    });
    expect(hugeHeader.status).toBe(413);
    for (const badId of [
      "2025-02-30T10",
      "2025-01-15T10.0",
      "2025-01-15T10.01",
      "2025-01-15T10.x",
    ]) {
      const answer = await sendBatch(agentA, badId, 0, records);
      expect(answer.status).toBe(400);
      expect(String(answer.json.message)).toContain("YYYY-MM-DDTHH.N");
    }
    // The hub kept running and kept what it had.
    expect((await getChunk(agentA, hour)).json.length).toBe(records.byteLength);
  });

  test("a 4 MB batch arrives whole over HTTP/2 (Bun upload-stall regression)", async () => {
    const big = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const answer = await sendBatch(agentA, "2025-01-14T00", 0, big, { zstd: false });
    expect(answer).toEqual({ status: 200, json: { status: "accepted", length: big.byteLength } });
  });
});

describe("authentication and tenants", () => {
  const hour = "2025-01-15T12";

  test("no client certificate: 401", async () => {
    const answer = await h2Request(hub.ingestUrl, hub.caPem, {
      method: "GET",
      path: `/v1/chunks/${hour}`,
    });
    expect(answer).toMatchObject({ status: 401, json: { code: "client_certificate_required" } });
  });

  test("a certificate from another CA: 403", async () => {
    const otherCa = createChainCa({ chainId: hub.chainId, keyBits: 2048 });
    const forged = issueAgentCertificate(otherCa, keyPair.csrPem, {
      chainId: hub.chainId,
      hotelId: "grand",
      agentId: agentA.agentId,
    });
    const answer = await getChunk(
      { certificatePem: forged.certificatePem, privateKeyPem: keyPair.privateKeyPem },
      hour,
    );
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe("client_certificate_invalid");
  });

  test("an expired certificate of the right CA: 403", async () => {
    const ca = loadOrCreateChainCa(hub.config.caDir, { chainId: hub.chainId, keyBits: 2048 });
    const expired = issueAgentCertificate(
      ca,
      keyPair.csrPem,
      { chainId: hub.chainId, hotelId: "grand", agentId: agentA.agentId },
      -1,
    );
    const answer = await getChunk(
      { certificatePem: expired.certificatePem, privateKeyPem: keyPair.privateKeyPem },
      hour,
    );
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: "client_certificate_invalid" });
    expect(String(answer.json.message)).toMatch(/EXPIRED|expired/);
  });

  test("a revoked agent: 403 at once", async () => {
    const doomed = await enroll("grand");
    expect((await getChunk(doomed, hour)).status).toBe(200);
    await hub.admin.revokeAgent({ agent: doomed.agentId, actor: "cli:test" });
    expect(await getChunk(doomed, hour)).toMatchObject({
      status: 403,
      json: { code: "agent_revoked" },
    });
  });

  test("hotel A's certificate can never write hotel B: no request field names a hotel", async () => {
    const bytes = recordsFile(hour, 1, 2);
    // Whatever a client claims in headers or query, the certificate decides.
    const answer = await h2Request(
      hub.ingestUrl,
      hub.caPem,
      {
        method: "POST",
        path: `/v1/chunks/${hour}/records?hotel=sea&agent=${agentB.agentId}`,
        headers: {
          "x-lm-offset": "0",
          "x-lm-length": String(bytes.byteLength),
          "x-lm-hotel": "sea",
          "x-lm-agent": agentB.agentId,
        },
        body: bytes,
      },
      agentA,
    );
    expect(answer.json).toEqual({ status: "accepted", length: bytes.byteLength });
    expect((await getChunk(agentB, hour)).json).toEqual({ length: 0, status: "open" });
    expect((await getChunk(agentA, hour)).json.length).toBe(bytes.byteLength);
    const chunks = (await (
      await fetch(`${hub.httpUrl}/api/chunks`, {
        headers: { authorization: `Bearer ${hub.adminCredential}` },
      })
    ).json()) as { hotel_id: string; agent_id: string; hour_start: string }[];
    const atHour = chunks.filter((c) => c.hour_start === `${hour}:00:00.000Z`);
    expect(atHour.map((c) => [c.hotel_id, c.agent_id])).toEqual([["grand", agentA.agentId]]);
  });
});

describe("seal", () => {
  async function upload(agent: EnrolledAgent, hour: string, records: Uint8Array) {
    const answer = await sendBatch(agent, hour, 0, records);
    expect(answer.json.status).toBe("accepted");
  }

  test("a good chunk is verified and archived; sealing again is idempotent; no more bytes after", async () => {
    const hour = "2025-01-16T08";
    const records = recordsFile(hour, 1, 5);
    await upload(agentB, hour, records);
    const manifest = manifestFor(agentB, hour, records, null);
    const signature = signManifest(manifest.bytes, keyPair.privateKeyPem);
    expect(await seal(agentB, hour, manifest.bytes, signature)).toEqual({
      status: 200,
      json: { status: "verified" },
    });
    const dir = join(dataDir, "archive", "sea", agentB.agentId, "2025", "01", "16", "08");
    expect(sha256Hex(readFileSync(join(dir, "records.jsonl")))).toBe(
      manifest.manifest.records_sha256,
    );
    expect(existsSync(join(dir, "manifest.sig"))).toBe(true);
    expect(await seal(agentB, hour, manifest.bytes, signature)).toEqual({
      status: 200,
      json: { status: "verified" },
    });
    expect((await sendBatch(agentB, hour, records.byteLength, records)).json.status).toBe("sealed");
    expect((await getChunk(agentB, hour)).json).toEqual({
      length: records.byteLength,
      status: "verified",
    });

    // The next hour (empty) links to it; a wrong link fails.
    const next = "2025-01-16T09";
    const empty = buildManifest({
      ...manifest.manifest,
      hour_start: `${next}:00:00Z`,
      window_start: `${next}:00:00.000000Z`,
      window_end: "2025-01-16T10:00:00.000000Z",
      first_seq: null,
      last_seq: null,
      record_count: 0,
      byte_length: 0,
      records_sha256: EMPTY_SHA256,
      prev_manifest_sha256: sha256Hex("not the previous manifest"),
    });
    const linkAnswer = await seal(
      agentB,
      next,
      empty.bytes,
      signManifest(empty.bytes, keyPair.privateKeyPem),
    );
    expect(linkAnswer.json.status).toBe("failed");
    expect(String(linkAnswer.json.reason)).toContain("hash chain");
    expect(String(linkAnswer.json.reason)).toContain("prev_manifest_sha256");
  });

  test("the seal carries the agent's report too; a malformed report is ignored, the seal is not", async () => {
    const first = "2025-01-20T08";
    const records = recordsFile(first, 1, 4);
    await upload(agentA, first, records);
    const manifest = manifestFor(agentA, first, records, null);
    const report = {
      received: 4,
      unsent_bytes: 7,
      disk_used_bytes: 1_000,
      disk_max_bytes: 4_000,
      refusing: true,
    };
    const agentTime = new Date(Date.now() - 5_000); // the agent's clock is 5 s behind
    const sealed = await seal(
      agentA,
      first,
      manifest.bytes,
      signManifest(manifest.bytes, keyPair.privateKeyPem),
      { "x-lm-agent-time": agentTime.toISOString(), "x-lm-agent-stats": JSON.stringify(report) },
    );
    expect(sealed.json).toEqual({ status: "verified" });
    const reported = async () =>
      (await hub.admin.listAgents()).find((agent) => agent.id === agentA.agentId);
    const seen = await reported();
    expect(seen).toMatchObject({
      unsent_bytes: 7,
      disk_used_bytes: 1_000,
      disk_max_bytes: 4_000,
      wal_refusing: true,
    });
    expect(seen?.last_clock_skew_ms).toBeGreaterThanOrEqual(5_000);
    expect(Math.abs(Date.parse(seen?.reported_at ?? "") - Date.now())).toBeLessThan(30_000);

    const next = "2025-01-20T09";
    const empty = manifestFor(agentA, next, new Uint8Array(0), manifest);
    const garbled = await seal(
      agentA,
      next,
      empty.bytes,
      signManifest(empty.bytes, keyPair.privateKeyPem),
      { "x-lm-agent-time": "yesterday", "x-lm-agent-stats": "{not json" },
    );
    expect(garbled.json).toEqual({ status: "verified" });
    const kept = await reported();
    for (const field of ["reported_at", "last_clock_skew_ms", "unsent_bytes"] as const)
      expect(kept?.[field]).toEqual(seen?.[field]);
  });

  test("a changed byte: failed, records hash mismatch", async () => {
    const hour = "2025-01-17T08";
    const records = recordsFile(hour, 1, 3);
    const tampered = Uint8Array.from(records);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    await upload(agentA, hour, tampered);
    const manifest = manifestFor(agentA, hour, records, null);
    const answer = await seal(
      agentA,
      hour,
      manifest.bytes,
      signManifest(manifest.bytes, keyPair.privateKeyPem),
    );
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe("failed");
    expect(String(answer.json.reason)).toStartWith("records hash mismatch");
    expect((await getChunk(agentA, hour)).json.status).toBe("failed");
  });

  test("format 1.1: verified when the lines make the signed Merkle root; failed, merkle root mismatch, when not", async () => {
    const hour = "2025-02-03T08";
    const records = recordsFile(hour, 1, 5);
    await upload(agentA, hour, records);
    const manifest = asFormat1_1(manifestFor(agentA, hour, records, null), records);
    expect(manifest.manifest.format).toBe("logmaster-chunk/1.1");
    const sealed = await seal(
      agentA,
      hour,
      manifest.bytes,
      signManifest(manifest.bytes, keyPair.privateKeyPem),
    );
    expect(sealed.json).toEqual({ status: "verified" });

    // The next hour: the records as signed (hash, count), a root that is not their tree's.
    const next = "2025-02-03T09";
    const nextRecords = recordsFile(next, 6, 3);
    await upload(agentA, next, nextRecords);
    const wrongRoot = sha256Hex("a tree over other lines");
    const lying = asFormat1_1(
      manifestFor(agentA, next, nextRecords, manifest),
      nextRecords,
      wrongRoot,
    );
    const answer = await seal(
      agentA,
      next,
      lying.bytes,
      signManifest(lying.bytes, keyPair.privateKeyPem),
    );
    expect(answer.json.status).toBe("failed");
    const { merkle } = scanRecords(nextRecords, { merkle: true });
    expect(answer.json.reason).toBe(
      `merkle root mismatch: the archived records.jsonl's 3 lines give merkle_root ${merkle?.merkle_root}, manifest says ${wrongRoot} over 3 lines`,
    );
  });

  test("a bad signature: failed, bad signature", async () => {
    const hour = "2025-01-17T09";
    const records = recordsFile(hour, 1, 3);
    await upload(agentA, hour, records);
    const manifest = manifestFor(agentA, hour, records, null);
    const signature = signManifest(new TextEncoder().encode("other bytes"), keyPair.privateKeyPem);
    const answer = await seal(agentA, hour, manifest.bytes, signature);
    expect(answer.json.status).toBe("failed");
    expect(String(answer.json.reason)).toContain("bad signature");
  });

  test("fewer bytes than the manifest: 409 incomplete; garbage manifest: 400", async () => {
    const hour = "2025-01-17T11";
    const records = recordsFile(hour, 1, 4);
    await upload(agentA, hour, records.subarray(0, 10));
    const manifest = manifestFor(agentA, hour, records, null);
    expect(
      await seal(agentA, hour, manifest.bytes, signManifest(manifest.bytes, keyPair.privateKeyPem)),
    ).toEqual({
      status: 409,
      json: { status: "incomplete", length: 10 },
    });
    const garbage = await seal(agentA, hour, new TextEncoder().encode("{}"), new Uint8Array(8));
    expect(garbage.status).toBe(400);
    expect(garbage.json.code).toBe("invalid_manifest");
  });

  test("an early-sealed hour: part 0 and part 1 (`/v1/chunks/H.1`) replicate, seal and link", async () => {
    const hour = "2026-11-22T08";
    const part1Id = `${hour}.1`;
    const early = "2026-11-22T08:20:00.000000Z";
    const all = recordsFile(hour, 1, 5); // ts 08:00:00.001 .. 08:00:00.005
    const cut = all.indexOf(0x0a, all.indexOf(0x0a) + 1) + 1; // 2 records in part 0
    const records0 = all.subarray(0, cut);
    // Part 1: 3 records from 08:20 on, seqs 3..5.
    const startUs = Date.parse(early) * 1000;
    const records1 = Buffer.concat(
      [3, 4, 5].map((seq) =>
        encodeDataRecord({
          seq,
          receivedAtUs: startUs + seq,
          src: "192.168.88.1",
          port: 514,
          transport: "udp",
          bytes: new TextEncoder().encode(`<134>after the early seal ${seq}`),
        }),
      ),
    );
    const part0 = manifestFor(agentA, hour, records0, null, {
      part: 0,
      window_start: `${hour}:00:00.000000Z`,
      window_end: early,
    });
    const part1 = manifestFor(agentA, hour, records1, part0, {
      part: 1,
      window_start: early,
      window_end: "2026-11-22T09:00:00.000000Z",
    });
    const sign = (m: ManifestWithBytes) => signManifest(m.bytes, keyPair.privateKeyPem);

    expect((await sendBatch(agentA, hour, 0, records0)).json.status).toBe("accepted");
    expect(await seal(agentA, hour, part0.bytes, sign(part0))).toEqual({
      status: 200,
      json: { status: "verified" },
    });
    // Part 1 is its own chunk at the hub: it starts empty, at offset 0.
    expect((await getChunk(agentA, part1Id)).json).toEqual({ length: 0, status: "open" });
    expect(await sendBatch(agentA, part1Id, 0, records1)).toEqual({
      status: 200,
      json: { status: "accepted", length: records1.byteLength },
    });
    expect(await seal(agentA, part1Id, part1.bytes, sign(part1))).toEqual({
      status: 200,
      json: { status: "verified" },
    });
    expect((await getChunk(agentA, part1Id)).json).toEqual({
      length: records1.byteLength,
      status: "verified",
    });
    expect((await getChunk(agentA, hour)).json).toEqual({
      length: records0.byteLength,
      status: "verified",
    });
    const archive = join(dataDir, "archive", "grand", agentA.agentId, "2026", "11", "22");
    expect(sha256Hex(readFileSync(join(archive, "08", "records.jsonl")))).toBe(
      part0.manifest.records_sha256,
    );
    expect(sha256Hex(readFileSync(join(archive, "08.1", "records.jsonl")))).toBe(
      part1.manifest.records_sha256,
    );
    expect(readFileSync(join(archive, "08.1", "manifest.json"))).toEqual(Buffer.from(part1.bytes));
    const rows = (await (
      await fetch(`${hub.httpUrl}/api/chunks`, {
        headers: { authorization: `Bearer ${hub.adminCredential}` },
      })
    ).json()) as {
      agent_id: string;
      chunk: string;
      part: number;
      window_start: string;
      window_end: string;
    }[];
    expect(
      rows
        .filter((row) => row.agent_id === agentA.agentId && row.chunk.startsWith(hour))
        .map((row) => [row.chunk, row.part, row.window_start, row.window_end]),
    ).toEqual([
      [part1Id, 1, early, "2026-11-22T09:00:00.000000Z"],
      [hour, 0, "2026-11-22T08:00:00.000000Z", early],
    ]);

    // A part 2 whose window overlaps part 1's (which runs to 09:00): failed, hash chain.
    const overlapping = buildManifest({
      ...part1.manifest,
      part: 2,
      window_start: "2026-11-22T08:40:00.000000Z",
      first_seq: null,
      last_seq: null,
      record_count: 0,
      byte_length: 0,
      records_sha256: EMPTY_SHA256,
      prev_manifest_sha256: sha256Hex(part1.bytes),
    });
    const answer = await seal(agentA, `${hour}.2`, overlapping.bytes, sign(overlapping));
    expect(answer.json.status).toBe("failed");
    expect(String(answer.json.reason)).toStartWith(
      "hash chain: chunk 2026-11-22T08.2 (window from 2026-11-22T08:40:00.000000Z) does not follow chunk 2026-11-22T08.1",
    );
  });

  test("the manifest's hour and part must be the URL's", async () => {
    const hour = "2026-11-23T08";
    const records = recordsFile(hour, 1, 2);
    await upload(agentA, `${hour}.3`, records);
    const manifest = manifestFor(agentA, hour, records, null, {
      part: 2,
      window_start: "2026-11-23T08:30:00.000000Z",
      window_end: "2026-11-23T09:00:00.000000Z",
    });
    const answer = await seal(
      agentA,
      `${hour}.3`,
      manifest.bytes,
      signManifest(manifest.bytes, keyPair.privateKeyPem),
    );
    expect(answer.json.status).toBe("failed");
    expect(String(answer.json.reason)).toContain(
      "manifest part is 2 but the URL's (2026-11-23T08.3) is 3",
    );
  });

  test("a part that skips the previous part's successor: failed, hash chain names the missing part", async () => {
    const hour = "2026-11-24T08";
    const early = "2026-11-24T08:20:00.000000Z";
    const empty = new Uint8Array();
    const part0 = manifestFor(agentB, hour, empty, null, {
      part: 0,
      window_start: `${hour}:00:00.000000Z`,
      window_end: early,
    });
    const sign = (m: ManifestWithBytes) => signManifest(m.bytes, keyPair.privateKeyPem);
    expect((await seal(agentB, hour, part0.bytes, sign(part0))).json.status).toBe("verified");
    // Numbered part 2 but starting where part 0 ended: part 1 is missing.
    const part2 = manifestFor(agentB, hour, empty, part0, {
      part: 2,
      window_start: early,
      window_end: "2026-11-24T09:00:00.000000Z",
    });
    const answer = await seal(agentB, `${hour}.2`, part2.bytes, sign(part2));
    expect(answer.json.status).toBe("failed");
    expect(String(answer.json.reason)).toContain(
      "hash chain: missing between chunk 2026-11-24T08 and chunk 2026-11-24T08.2: part 1 of hour 2026-11-24T08",
    );
  });

  test("the API answers a refused request with its status and reason, on every route", async () => {
    const get = (path: string) =>
      fetch(`${hub.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${hub.adminCredential}` },
      });
    const unknownHotel = await get("/api/export?hotel=nope&hour=2026-11-22T08");
    expect(unknownHotel.status).toBe(404);
    expect(await unknownHotel.json()).toEqual({
      code: "not_found",
      message: 'no hotel with id or name "nope"',
    });
    const badFormat = await get("/api/export?hotel=grand&hour=2026-11-22T08&format=zip");
    expect([badFormat.status, await badFormat.json()]).toEqual([
      400,
      { code: "invalid_request", message: "format must be tar.gz" },
    ]);
    const badMonth = await get("/api/reports/compliance?hotel=grand&month=November");
    expect(badMonth.status).toBe(422); // invalid input, with the field
    const badMonthBody = (await badMonth.json()) as { code: string; message: string };
    expect(badMonthBody.code).toBe("invalid_request");
    expect(badMonthBody.message).toContain("--month");
  });

  test("metrics count what happened", async () => {
    const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(text).toContain('logmaster_hub_batches_total{outcome="accepted"}');
    expect(text).toContain('logmaster_hub_batches_total{outcome="gap"} 1');
    expect(text).toContain('logmaster_hub_batches_total{outcome="conflict"} 1');
    expect(text).toContain('logmaster_hub_batches_total{outcome="too_large"}');
    expect(text).toContain('logmaster_hub_chunks_sealed_total{result="verified"} 7');
    expect(text).toContain(
      'logmaster_hub_requests_refused_total{code="agent_revoked",listener="ingest"} 1',
    );
    // Fleet gauges, from the database at the scrape: fresh certificates, agents just seen.
    expect(text).toMatch(/^logmaster_hub_agents [1-9]\d*$/m);
    expect(text).toMatch(/^logmaster_hub_agent_certificates_expiring 0$/m);
    expect(text).toMatch(/^logmaster_hub_agents_silent \d+$/m);
    expect((await fetch(`${hub.httpUrl}/healthz`)).status).toBe(200);
  });
});
