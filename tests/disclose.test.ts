/**
 * Disclosure packs end to end (issue 12): the traffic simulator sends a
 * hotel's router logs to a real agent, the hub seals and verifies its
 * format-1.1 chunks; `logmaster-hub disclose --lookup ip`, through the
 * running hub, writes a pack that `verify_disclosure.py` passes and that
 * holds no other guest's address or MAC (the PDF's drawn texts included).
 * Each tampering fails the Python verifier; the disclosure is audit-logged
 * with its case; another hotel's manager gets 404.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashPassword } from "../hub/src/auth/passwords.ts";
import { disclosureSummaryPdf } from "../hub/src/disclose/pdf.ts";
import { makeCertificateRequest } from "../hub/src/identity/testing.ts";
import { enrollOverHttp2, h2Request } from "../hub/src/ingest/testing.ts";
import type { EvidenceLine } from "../hub/src/query/index.ts";
import { insertUser, listAudit, rawQuery } from "../hub/src/store/index.ts";
import {
  buildManifest,
  certificateSha256,
  type DisclosedLine,
  type Disclosure,
  encodeDataRecord,
  formatMicrosUtc,
  hourAfter,
  hourAsMicrosUtc,
  scanRecords,
  signManifest,
} from "../shared/src/custody/index.ts";
import { sendTraffic, simulateTraffic } from "../shared/src/simulate/index.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { runCli } from "./support/bundles.ts";
import {
  type LeaseFact,
  leaseFacts,
  longestReleasedLease,
  type WalRecord,
} from "./support/index-data.ts";
import {
  type AgentProcess,
  agentCli,
  agentSealedRecords,
  enrollAgent,
  repoRoot,
  sealAndAwaitVerified,
  spawnAgent,
  startTestHub,
  type TestHub,
  tempDir,
  waitFor,
} from "./support/pipeline.ts";
import { filesBelow, runInBash, shellBlocks } from "./support/verify-md.ts";

/** Every file under `dir`, relative. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const relative = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, relative)).isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** An address or MAC as a whole token (10.1.0.5 is not inside 10.1.0.52). */
const tokenPattern = (value: string) =>
  new RegExp(`(?<![0-9a-f.:])${escapeRegExp(value)}(?![0-9a-f])`, "i");

async function python(pack: string) {
  return runProcess(["python3", join(pack, "verify_disclosure.py"), pack]);
}

describe("logmaster-hub disclose", () => {
  const hotelId = "otel-ifsa";
  const traffic = { seed: 1212, hotels: 1, eps: 400, count: 4000 };
  let testHub: TestHub;
  const agentDir = tempDir("disclose-agent");
  const work = tempDir("disclose-out");
  let agent: AgentProcess | undefined;
  let lease: LeaseFact;
  let at: string;
  const pack = join(work.path, "pack");
  /** `logmaster-hub disclose --hotel <the test's hotel> …ARGS`, through the running hub. */
  const disclose = (...args: string[]) =>
    runProcess([
      "bun",
      join(repoRoot, "hub/src/cli/main.ts"),
      "disclose",
      "--hotel",
      hotelId,
      ...args,
      "--data-dir",
      testHub.dataDir,
    ]);

  beforeAll(async () => {
    testHub = await startTestHub({ index: { catchUpMs: 250 } });
    const { hub } = testHub;
    await enrollAgent(hub, agentDir.path, "Otel Ifsa");
    agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: hub.ingestUrl });
    const running = agent;
    // An early seal halfway: the hour becomes two chunks (parts 0 and 1).
    const sending = sendTraffic({ host: "127.0.0.1", port: running.udpPort, ...traffic });
    await Bun.sleep(5_000);
    await agentCli("seal", "--data-dir", agentDir.path);
    expect((await sending).lines).toBe(traffic.count);
    await waitFor("the agent to receive every line", async () => {
      return (await running.status()).receive.received >= traffic.count;
    });
    await waitFor("the hub to index every line", async () => {
      const [row] = await rawQuery<{ n: string }>(
        hub.raw,
        "select count(*) as n from events where hotel_key = (select key from hotels where id = $1)",
        [hotelId],
      );
      return Number(row?.n) === traffic.count;
    });
    await sealAndAwaitVerified(testHub, agentDir.path, hotelId);
    await waitFor("the worker to time-stamp the sealed chunks", async () => {
      const chunks = (await hub.admin.listChunks({ limit: 20 })).filter(
        (chunk) => chunk.hotel_id === hotelId && chunk.status === "verified",
      );
      return chunks.length >= 2 && chunks.every((chunk) => chunk.timestamp === "timestamped");
    });

    const records = agentSealedRecords(agentDir.path)
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WalRecord);
    const longest = longestReleasedLease([...simulateTraffic({ ...traffic, startMs: 0 })], records);
    lease = longest.lease;
    const { fromMs, toMs } = longest;
    at = new Date(Math.floor((fromMs + toMs) / 2)).toISOString();
  }, 180_000);

  afterAll(async () => {
    await agent?.kill();
    await testHub?.destroy();
    agentDir.remove();
    work.remove();
  });

  test("an IP lookup's pack, made through the running hub, passes verify_disclosure.py and names no other guest", async () => {
    const run = await disclose(
      "--case",
      "2026/4512 Soruşturma",
      "--out",
      pack,
      "--lookup",
      "ip",
      lease.ip,
      "--at",
      at,
    );
    if (run.exitCode !== 0) throw new Error(`disclose failed: ${run.stdout}${run.stderr}`);
    expect(run.stderr).toContain(`written to ${pack}`);
    expect(run.stderr).toMatch(/: \d+ line\(s\) from [12] chunk\(s\)/);

    const verified = await python(pack);
    expect(verified.stdout).not.toContain("FAIL");
    expect(verified.stdout).toContain("0 failed");
    expect(verified.exitCode).toBe(0);

    const disclosure = JSON.parse(
      readFileSync(join(pack, "disclosure.json"), "utf8"),
    ) as Disclosure;
    expect(disclosure).toMatchObject({
      format: "logmaster-disclosure/1",
      case: "2026/4512 Soruşturma",
      hotel_id: hotelId,
      query: { kind: "ip", ip: lease.ip, at },
      answer: { mac: lease.mac },
    });
    expect(disclosure.chunks.every((chunk) => chunk.disclosed === "lines")).toBe(true);
    const files = filesUnder(pack);
    for (const name of ["disclosure.json", "VERIFY.md", "verify_disclosure.py", "summary.pdf"])
      expect(files).toContain(name);
    for (const chunk of disclosure.chunks) {
      for (const name of [
        "manifest.json",
        "manifest.sig",
        "agent.pem",
        "chain-ca.pem",
        "chain-ca.crl.pem",
        "lines.jsonl",
      ])
        expect(files).toContain(`${chunk.dir}/${name}`);
      expect(files).not.toContain(`${chunk.dir}/records.jsonl`);
    }
    const verifyMd = readFileSync(join(pack, "VERIFY.md"), "utf8");
    expect(verifyMd).toContain("openssl dgst -sha256 -verify");
    expect(verifyMd).toContain("python3 verify_disclosure.py");

    // LogMaster's own verifier: every line, and the signature, certificate and time-stamp checks.
    const logmasterVerify = await runCli(["verify", pack]);
    expect(logmasterVerify.stdout).toMatch(/^VERDICT: PASS/m);
    expect(logmasterVerify.stdout).toMatch(/PASS\s+disclosed_line/);
    expect(logmasterVerify.stdout).not.toMatch(/FAIL\s/);
    expect(logmasterVerify.exitCode).toBe(0);
    // Standard tools: each chunk's openssl block of VERIFY.md, pasted into bash at the pack's root.
    const chunkBlocks = shellBlocks(verifyMd).slice(1);
    expect(chunkBlocks.length).toBe(disclosure.chunks.length);
    const untouched = filesBelow(pack);
    for (const block of chunkBlocks) {
      const { code, output } = await runInBash(block, pack);
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(output).toContain("Verified OK");
      expect(output).toContain("agent.pem: OK");
      expect(output).toContain("Verification: OK");
    }
    expect(filesBelow(pack)).toEqual(untouched);

    // The PDF's texts, drawn again from the pack's own files.
    const evidence = disclosure.chunks.flatMap((chunk) =>
      readFileSync(join(pack, chunk.dir, "lines.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((text) => {
          const record = JSON.parse((JSON.parse(text) as DisclosedLine).line) as WalRecord;
          return {
            dir: chunk.dir,
            line: { raw: record.msg, received_at: record.ts, seq: record.seq } as EvidenceLine,
          };
        }),
    );
    const { texts } = await disclosureSummaryPdf({ disclosure, evidence, whole: [] });
    expect(texts.join("\n")).toContain(lease.mac);
    expect(texts.join("\n")).toContain("Cevap");

    // No other guest: no other lease's address or MAC anywhere in the pack.
    const everything = [
      ...files.map((name) => readFileSync(join(pack, name)).toString("latin1")),
      texts.join("\n"),
    ].join("\n");
    const others = leaseFacts([...simulateTraffic({ ...traffic, startMs: 0 })]).filter(
      (fact) => fact.mac !== lease.mac && fact.ip !== lease.ip,
    );
    expect(others.length).toBeGreaterThan(3);
    const leaked = others.flatMap((fact) =>
      [fact.ip, fact.mac].filter((value) => tokenPattern(value).test(everything)),
    );
    expect(leaked).toEqual([]);

    // Audit-logged with its case, before the files left.
    const rows = await listAudit(testHub.hub.db, 20);
    const row = rows.find((entry) => entry.action === "disclose");
    expect(row?.id).toBe(disclosure.audit_id ?? -1);
    expect(row?.detail).toMatchObject({ case: "2026/4512 Soruşturma" });
  }, 60_000);

  test("each tampering fails verify_disclosure.py", async () => {
    const disclosure = JSON.parse(
      readFileSync(join(pack, "disclosure.json"), "utf8"),
    ) as Disclosure;
    const first = disclosure.chunks[0];
    if (!first) throw new Error("no chunk");
    const linesOf = (dir: string) =>
      readFileSync(join(dir, "lines.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((text) => JSON.parse(text) as DisclosedLine);
    const write = (dir: string, lines: DisclosedLine[]) =>
      writeFileSync(
        join(dir, "lines.jsonl"),
        lines.map((line) => `${JSON.stringify(line)}\n`).join(""),
      );
    const copy = (name: string) => {
      const dir = join(work.path, name);
      cpSync(pack, dir, { recursive: true });
      return dir;
    };
    const archive = (await testHub.hub.admin.listChunks({ limit: 10 })).length;
    expect(archive).toBeGreaterThan(0);

    const cases: [string, (dir: string) => void][] = [
      [
        "a changed byte",
        (dir) => {
          const lines = linesOf(join(dir, first.dir));
          const [line] = lines;
          if (line) line.line = line.line.replace("dhcp", "dhcq");
          write(join(dir, first.dir), lines);
        },
      ],
      [
        "an added line",
        (dir) => {
          const lines = linesOf(join(dir, first.dir));
          const [line] = lines;
          if (line) lines.push({ ...line, index: line.index + 1_000_000 });
          write(join(dir, first.dir), lines);
        },
      ],
      [
        "a removed line",
        (dir) => {
          const lines = linesOf(join(dir, first.dir));
          write(join(dir, first.dir), lines.slice(1));
        },
      ],
      [
        "a wrong audit path",
        (dir) => {
          const lines = linesOf(join(dir, first.dir));
          const [line] = lines;
          if (line?.audit_path[0]) line.audit_path[0] = "0".repeat(64);
          write(join(dir, first.dir), lines);
        },
      ],
    ];
    const second = disclosure.chunks[1];
    if (second) {
      cases.push([
        "a line moved to another chunk's lines.jsonl",
        (dir) => {
          const from = linesOf(join(dir, first.dir));
          const to = linesOf(join(dir, second.dir));
          const moved = from.shift();
          if (moved) to.push(moved);
          write(join(dir, first.dir), from);
          write(join(dir, second.dir), to);
        },
      ]);
    }
    for (const [name, tamper] of cases) {
      const dir = copy(name.replaceAll(" ", "-").replaceAll("'", ""));
      tamper(dir);
      const verdict = await python(dir);
      expect([name, verdict.exitCode, verdict.stdout.includes("FAIL")]).toEqual([name, 1, true]);
    }
  }, 60_000);

  test("a format-1 chunk in the same pack goes whole, and both verifiers say so as a WARN", async () => {
    const { hub } = testHub;
    // An agent of before format 1.1 in the same hotel: one sealed hour, three lines, one of
    // them about the asked guest's MAC, so a search for the MAC spans both formats.
    const { token } = await hub.admin.createToken({
      hotel: hotelId,
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const keyPair = makeCertificateRequest(2048);
    const old = await enrollOverHttp2(hub.ingestUrl, hub.caPem, token, keyPair);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000)
      .toISOString()
      .slice(0, 13);
    const startUs = Date.parse(`${hour}:00:00Z`) * 1000;
    const texts = [
      "<30>Dec  3 09:00:01 eski-gw system,info router rebooted",
      `<30>Dec  3 09:00:02 eski-gw dhcp,info guest ${lease.mac} seen on the old bridge`,
      "<30>Dec  3 09:00:03 eski-gw system,info config saved",
    ];
    const records = Buffer.concat(
      texts.map((text, i) =>
        encodeDataRecord({
          seq: i + 1,
          receivedAtUs: startUs + 1_000_000 * (i + 1),
          src: "192.168.88.1",
          port: 514,
          transport: "udp",
          bytes: new TextEncoder().encode(text),
        }),
      ),
    );
    const call = (request: Parameters<typeof h2Request>[2]) =>
      h2Request(hub.ingestUrl, hub.caPem, request, old);
    const stored = await call({
      method: "POST",
      path: `/v1/chunks/${hour}/records`,
      headers: { "x-lm-offset": "0", "x-lm-length": String(records.byteLength) },
      body: records,
    });
    expect(stored.json).toMatchObject({ status: "accepted" });
    const manifest = buildManifest({
      chain_id: hub.chainId,
      hotel_id: hotelId,
      agent_id: old.agentId,
      agent_cert_sha256: certificateSha256(old.certificatePem),
      hour_start: `${hour}:00:00Z`,
      part: 0,
      window_start: `${hour}:00:00.000000Z`,
      window_end: hourAsMicrosUtc(hourAfter(`${hour}:00:00Z`)),
      ...scanRecords(records).summary,
      prev_manifest_sha256: null,
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: formatMicrosUtc(BigInt(Date.now()) * 1000n),
    });
    expect(manifest.manifest.format).toBe("logmaster-chunk/1");
    const sealed = await call({
      method: "PUT",
      path: `/v1/chunks/${hour}/seal`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        manifest_b64: Buffer.from(manifest.bytes).toString("base64"),
        signature_b64: Buffer.from(signManifest(manifest.bytes, keyPair.privateKeyPem)).toString(
          "base64",
        ),
      }),
    });
    expect(sealed.json).toEqual({ status: "verified" });
    await waitFor("the old agent's chunk to be indexed and time-stamped", async () => {
      const [row] = await rawQuery<{ indexed: boolean; stamped: boolean }>(
        hub.raw,
        `select indexed_length = length as indexed, timestamp_status = 'timestamped' as stamped
           from chunks where agent_id = $1`,
        [old.agentId],
      );
      return row?.indexed === true && row.stamped === true;
    });

    const mixed = join(work.path, "mixed");
    const run = await disclose(
      "--case",
      "2026/4513",
      "--out",
      mixed,
      "--from",
      `${hour}:00:00Z`,
      "--to",
      new Date(Date.now() + 60_000).toISOString(),
      "--text",
      lease.mac,
    );
    if (run.exitCode !== 0) throw new Error(`disclose failed: ${run.stdout}${run.stderr}`);
    const disclosure = JSON.parse(
      readFileSync(join(mixed, "disclosure.json"), "utf8"),
    ) as Disclosure;
    const whole = disclosure.chunks.filter((chunk) => chunk.disclosed === "whole");
    expect(whole.map((chunk) => [chunk.agent_id, chunk.format, chunk.seqs])).toEqual([
      [old.agentId, "logmaster-chunk/1", [2]],
    ]);
    expect(disclosure.chunks.some((chunk) => chunk.disclosed === "lines")).toBe(true);
    expect(run.stderr + run.stdout).toMatch(/whole/i);
    expect(readFileSync(join(mixed, whole[0]?.dir ?? "", "records.jsonl"))).toEqual(records);

    const byPython = await python(mixed);
    expect(byPython.stdout).toMatch(/^WARN .*disclosed whole/m);
    expect(byPython.stdout).toContain(" 0 failed");
    expect(byPython.exitCode).toBe(0);
    const byLogmaster = await runCli(["verify", mixed]);
    expect(byLogmaster.stdout).toMatch(/WARN\s+disclosed_whole/);
    expect(byLogmaster.stdout).toMatch(/^VERDICT: PASS with warnings/m);
    expect(byLogmaster.exitCode).toBe(0);
  }, 90_000);

  test("another hotel's manager gets 404; an unknown query kind is refused", async () => {
    const { hub } = testHub;
    await hub.admin.addHotel({ name: "Otel Baska", id: "otel-baska" });
    await insertUser(hub.db, {
      username: "mudur-b",
      role: "hotel_manager",
      hotels: ["otel-baska"],
      passwordHash: await hashPassword("a long password 123"),
    });
    const login = await fetch(`${hub.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "mudur-b", password: "a long password 123" }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const ask = (body: unknown) =>
      fetch(`${hub.httpUrl}/api/disclose`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const refused = await ask({
      hotel: hotelId,
      case: "X-1",
      query: { kind: "ip", ip: lease.ip, at },
    });
    expect(refused.status).toBe(404);
    const invalid = await ask({ hotel: "otel-baska", case: "X-1", query: { kind: "who" } });
    expect([400, 422]).toContain(invalid.status);
  }, 30_000);
});
