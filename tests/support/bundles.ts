/**
 * Evidence bundles for the verify tests and benchmark, made without a hub:
 * a chain CA, agent certificates and CRLs made by `openssl ca` (a CA
 * implementation we did not write, with fixed validity dates), chunks made
 * and signed by the custody library, time-stamped by the hub's development
 * TSA through the same client the hub uses. Each bundle directory holds the
 * files of docs/custody-format.md §9 under their contract names, plus
 * `chain-ca.crl.pem`.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevTsa, loadOrCreateDevTsa } from "../../hub/src/timestamp/index.ts";
import {
  buildManifest,
  certificateSha256,
  chunkIdOf,
  encodeDataRecord,
  encodeGapRecord,
  formatMicrosUtc,
  type ManifestWithBytes,
  scanRecords,
  sha256Hex,
  signManifest,
} from "../../shared/src/custody/index.ts";
import { runProcess } from "../../shared/src/testing/run-process.ts";
import { createTimestampClient } from "../../shared/src/timestamp/index.ts";
import { BUNDLE_FILES } from "../../shared/src/verify/index.ts";
import { openssl } from "./openssl-tsa.ts";

const HOUR_MS = 3_600_000;

/** `YYYYMMDDHHMMSSZ`, the date form `openssl ca` takes. */
function opensslDate(at: Date): string {
  return `${at.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/** `YYMMDDHHMMSSZ`, the UTCTime form of openssl's index.txt. */
function indexDate(at: Date): string {
  return opensslDate(at).slice(2);
}

/** An agent certificate and its key (PEM), as enrollment would leave them. */
export interface TestAgent {
  chainId: string;
  hotelId: string;
  agentId: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Lower-case hex, as the CRL lists it. */
  serialHex: string;
  sha256: string;
}

/** One revoked serial of a CRL. */
export interface TestRevocation {
  serialHex: string;
  revokedAt: Date;
  /** An openssl CRL reason, e.g. `keyCompromise`. */
  reason?: string;
}

/** A chain CA on disk, run by `openssl ca`. */
export interface TestChainPki {
  dir: string;
  chainId: string;
  caPem: string;
  /** Issue an agent certificate (RSA 2048, the names the hub's CA gives, SAN URI included). */
  issueAgent(options: {
    hotelId: string;
    agentId: string;
    notBefore: Date;
    notAfter: Date;
  }): Promise<TestAgent>;
  /** A PEM CRL of this CA, signed by it, revoking the given serials. */
  makeCrl(revoked: readonly TestRevocation[], thisUpdate?: Date): Promise<string>;
}

/**
 * Make a chain CA in `dir` (RSA 2048, valid from `notBefore` for 20 years).
 *
 * @example
 * const pki = await makeTestChainPki(mkdtempSync(join(tmpdir(), "chain-")), { chainId: "test-chain" });
 * const agent = await pki.issueAgent({ hotelId, agentId, notBefore, notAfter });
 */
export async function makeTestChainPki(
  dir: string,
  options: { chainId: string; notBefore: Date },
): Promise<TestChainPki> {
  mkdirSync(dir, { recursive: true });
  const caConfig = (database: string) =>
    [
      "[ca]",
      "default_ca = chain",
      "[chain]",
      `database = ${database}`,
      `new_certs_dir = ${dir}`,
      `serial = ${join(dir, "serial")}`,
      "default_md = sha256",
      "default_crl_days = 30",
      "policy = names",
      "unique_subject = no",
      "[names]",
      "commonName = supplied",
      "organizationName = supplied",
      "organizationalUnitName = optional",
      "",
    ].join("\n");
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  writeFileSync(join(dir, "ca.cnf"), caConfig(join(dir, "index.txt")));
  writeFileSync(
    join(dir, "ca.ext"),
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
  );
  const genkey = (out: string) =>
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out], dir);
  await genkey("ca.key");
  await openssl(
    [
      "req",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      `/CN=LogMaster TEST chain CA/O=${options.chainId}`,
    ].concat(["-out", "ca.csr"]),
    dir,
  );
  const caNotAfter = new Date(options.notBefore.getTime() + 20 * 365 * 24 * HOUR_MS);
  await openssl(
    ["ca", "-batch", "-notext", "-config", "ca.cnf", "-selfsign", "-keyfile", "ca.key"]
      .concat(["-in", "ca.csr", "-startdate", opensslDate(options.notBefore)])
      .concat(["-enddate", opensslDate(caNotAfter), "-extfile", "ca.ext", "-out", "ca.pem"]),
    dir,
  );
  const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
  let crlCount = 0;
  return {
    dir,
    chainId: options.chainId,
    caPem,
    async issueAgent({ hotelId, agentId, notBefore, notAfter }) {
      const name = `agent-${agentId}`;
      writeFileSync(
        join(dir, `${name}.ext`),
        [
          "basicConstraints=critical,CA:FALSE",
          "keyUsage=critical,digitalSignature,keyEncipherment",
          "extendedKeyUsage=clientAuth",
          `subjectAltName=URI:urn:logmaster:${options.chainId}:${hotelId}:${agentId}`,
          "",
        ].join("\n"),
      );
      await genkey(`${name}.key`);
      const subject = `/CN=${agentId}/O=${options.chainId}/OU=${hotelId}`;
      await openssl(
        ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`],
        dir,
      );
      await openssl(
        ["ca", "-batch", "-notext", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem"]
          .concat(["-in", `${name}.csr`, "-startdate", opensslDate(notBefore)])
          .concat(["-enddate", opensslDate(notAfter), "-extfile", `${name}.ext`])
          .concat(["-out", `${name}.pem`]),
        dir,
      );
      const certificatePem = readFileSync(join(dir, `${name}.pem`), "utf8");
      const serial = await openssl(["x509", "-in", `${name}.pem`, "-noout", "-serial"], dir);
      return {
        chainId: options.chainId,
        hotelId,
        agentId,
        certificatePem,
        privateKeyPem: readFileSync(join(dir, `${name}.key`), "utf8"),
        serialHex: serial
          .trim()
          .replace(/^serial=/, "")
          .toLowerCase(),
        sha256: certificateSha256(certificatePem),
      };
    },
    async makeCrl(revoked, thisUpdate = new Date()) {
      // openssl ca -gencrl lists the database's R lines; this database holds exactly those.
      const name = `crl-${++crlCount}`;
      const lines = revoked.map((entry) =>
        [
          "R",
          indexDate(new Date(Date.now() + 365 * 24 * HOUR_MS)),
          `${indexDate(entry.revokedAt)}${entry.reason ? `,${entry.reason}` : ""}`,
          entry.serialHex.toUpperCase(),
          "unknown",
          "/CN=revoked",
        ].join("\t"),
      );
      writeFileSync(join(dir, `${name}.index.txt`), lines.map((line) => `${line}\n`).join(""));
      writeFileSync(join(dir, `${name}.cnf`), caConfig(join(dir, `${name}.index.txt`)));
      const nextUpdate = new Date(thisUpdate.getTime() + 30 * 24 * HOUR_MS);
      await openssl(
        ["ca", "-gencrl", "-config", `${name}.cnf`, "-keyfile", "ca.key", "-cert", "ca.pem"]
          .concat(["-crl_lastupdate", opensslDate(thisUpdate)])
          .concat(["-crl_nextupdate", opensslDate(nextUpdate), "-out", `${name}.pem`]),
        dir,
      );
      return readFileSync(join(dir, `${name}.pem`), "utf8");
    },
  };
}

let devTsa: Promise<DevTsa> | undefined;

/** The development TSA of this test process (made once, RSA 2048 for speed). */
export function testDevTsa(): Promise<DevTsa> {
  devTsa ??= loadOrCreateDevTsa(mkdtempSync(join(tmpdir(), "logmaster-test-dev-tsa-")), {
    keyBits: 2048,
  });
  return devTsa;
}

/** What a bundle adds to a chunk for the time-stamp: the three files the hub keeps. */
export interface TestStamp {
  tsr: Uint8Array;
  tsaChainPem: string;
  tsaCaPem: string;
  genTime: Date;
}

/**
 * Time-stamp manifest.json bytes with the development TSA, in-process,
 * through the hub's TSA client (so the token is verified as the hub would).
 *
 * @example
 * const stamp = await stampManifest(manifest.bytes);
 */
export async function stampManifest(manifestBytes: Uint8Array): Promise<TestStamp> {
  const tsa = await testDevTsa();
  const client = createTimestampClient({
    url: "http://dev-tsa.invalid/tsa",
    timeoutMs: 10_000,
    trustedCaPems: [tsa.caPem],
    fetchImpl: tsa.fetch,
  });
  const grant = await client.stamp(manifestBytes);
  return {
    tsr: grant.tsr,
    tsaChainPem: grant.chainPems.join(""),
    tsaCaPem: grant.trustAnchorPem,
    genTime: grant.genTime,
  };
}

/** The files of one bundle (records.jsonl may already be in place: pass no `records`). */
export interface BundleContents {
  records?: Uint8Array;
  manifest: Uint8Array;
  signature: Uint8Array;
  stamp?: TestStamp;
  agentPem: string;
  chainCaPem: string;
  crlPem?: string;
}

/**
 * Write a bundle directory under the contract's file names.
 *
 * @example
 * writeBundleFiles(dir, { records, manifest: manifest.bytes, signature, stamp, agentPem, chainCaPem, crlPem });
 */
export function writeBundleFiles(dir: string, contents: BundleContents): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, data: Uint8Array | string) => writeFileSync(join(dir, name), data);
  if (contents.records) write(BUNDLE_FILES.records, contents.records);
  write(BUNDLE_FILES.manifest, contents.manifest);
  write(BUNDLE_FILES.signature, contents.signature);
  write(BUNDLE_FILES.agentCertificate, contents.agentPem);
  write(BUNDLE_FILES.chainCa, contents.chainCaPem);
  if (contents.stamp) {
    write(BUNDLE_FILES.timestamp, contents.stamp.tsr);
    write(BUNDLE_FILES.tsaChain, contents.stamp.tsaChainPem);
    write(BUNDLE_FILES.tsaCa, contents.stamp.tsaCaPem);
  }
  if (contents.crlPem) write(BUNDLE_FILES.chainCrl, contents.crlPem);
  write(
    BUNDLE_FILES.instructions,
    "# Verifying this bundle\n\nTest bundle: see docs/custody-format.md §10 for the commands.\n",
  );
}

/** One bundle of a run. */
export interface TestBundle {
  dir: string;
  chunkId: string;
  manifest: ManifestWithBytes;
}

export interface BundleRun {
  /** The export root: `<root>/<agent-id>/<chunk-id>/`. */
  root: string;
  bundles: TestBundle[];
  pki: TestChainPki;
  agent: TestAgent;
  /** The first chunk's hour. */
  firstHourMs: number;
  cleanup(): void;
}

export interface BundleRunOptions {
  /** Time-stamp the manifests (default true). */
  stamp?: boolean;
}

const encoder = new TextEncoder();
const IDS = { chainId: "test-chain", hotelId: "test-otel", agentId: "test-otel-abcdefgh" };

/** A receive time `ms` into the hour that starts at `hourMs`, in µs. */
function at(hourMs: number, ms: number): number {
  return (hourMs + ms) * 1000;
}

/**
 * The chunks of a run, relative to the first hour H (six hours before this
 * one): H with six records (RouterOS UTF-8, Turkish UTF-8, Latin-5 that is
 * not UTF-8 so msg_b64, an IPv6 sender over TLS, a gap, an IPv4-mapped
 * sender), H+1 empty, H+2 sealed early at :20 (part 0, three records; part
 * 1, four records with a gap), H+3 with two records.
 */
function chunkPlan(hourMs: number) {
  const data = (seq: number, ms: number, text: string | Uint8Array, src = "192.168.88.1") =>
    encodeDataRecord({
      seq,
      receivedAtUs: at(hourMs, ms),
      src,
      port: 40_000 + seq,
      transport: src.includes(":") && !src.startsWith("::ffff:") ? "tls" : "udp",
      bytes: typeof text === "string" ? encoder.encode(text) : text,
    });
  const gap = (seq: number, ms: number, reason: "receive_buffer_overflow" | "queue_overflow") =>
    encodeGapRecord({
      seq,
      writtenAtUs: at(hourMs, ms),
      reason,
      lost: 37,
      firstLostAtUs: at(hourMs, ms - 5000),
      lastLostAtUs: at(hourMs, ms - 1),
    });
  const h = (n: number) => hourMs + n * HOUR_MS;
  const hour0 = [
    data(
      1,
      1_000,
      "<134>firewall,info forward: in:vlan20-guest out:ether1-wan, proto TCP (SYN), 10.20.1.7:51234->93.184.216.34:443, len 60",
    ),
    data(2, 2_000, "<134>hotspot,info oda-203 (10.20.1.7): Ağ girişi: Şişli İstanbul müşteri"),
    data(
      3,
      3_000,
      new Uint8Array([...encoder.encode("<134>dhcp,info "), 0xde, 0x69, 0xfe, 0x6c, 0x69]),
    ),
    data(
      4,
      4_000,
      '<165>1 2026-11-22T08:00:04Z sw-1 snmpd - - - link "up" \\ port 7',
      "2001:db8:5651::1",
    ),
    gap(5, 60_000, "receive_buffer_overflow"),
    data(6, HOUR_MS - 1, "<134>system,info last microsecond", "::ffff:192.168.88.2"),
  ];
  const part0End = 20 * 60_000;
  return [
    { hourMs: h(0), part: 0, fromMs: 0, toMs: HOUR_MS, lines: hour0 },
    { hourMs: h(1), part: 0, fromMs: 0, toMs: HOUR_MS, lines: [] },
    {
      hourMs: h(2),
      part: 0,
      fromMs: 0,
      toMs: part0End,
      lines: [7, 8, 9].map((seq, i) =>
        data(seq, 2 * HOUR_MS + i * 1000, `<134>part 0 line ${seq}`),
      ),
    },
    {
      hourMs: h(2),
      part: 1,
      fromMs: part0End,
      toMs: HOUR_MS,
      lines: [
        data(10, 2 * HOUR_MS + part0End, "<134>first microsecond of part 1"),
        data(11, 2 * HOUR_MS + part0End + 1000, "<134>tab\there, escape \u001b[0m, del \u007f"),
        gap(12, 2 * HOUR_MS + part0End + 9000, "queue_overflow"),
        data(13, 3 * HOUR_MS - 1, "<134>last of the hour"),
      ],
    },
    {
      hourMs: h(3),
      part: 0,
      fromMs: 0,
      toMs: HOUR_MS,
      lines: [14, 15].map((seq, i) => data(seq, 3 * HOUR_MS + i, `<134>hour 3 line ${seq}`)),
    },
  ];
}

/**
 * An agent's first five chunks as bundles in `<root>/<agent-id>/<chunk-id>/`,
 * signed, time-stamped (unless `stamp: false`), each with the chain CA's CRL
 * made after the stamps, as an export makes it. The agent certificate is
 * valid from a day before the first chunk to a year from now.
 *
 * @example
 * const run = await makeBundleRun();
 * const report = await verifyBundles(run.bundles.map((b) => b.dir));
 * run.cleanup();
 */
export async function makeBundleRun(options: BundleRunOptions = {}): Promise<BundleRun> {
  const base = mkdtempSync(join(tmpdir(), "logmaster-bundles-"));
  const root = join(base, "export");
  const now = Date.now();
  const firstHourMs = Math.floor(now / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
  const pki = await makeTestChainPki(join(base, "pki"), {
    chainId: IDS.chainId,
    notBefore: new Date(firstHourMs - 2 * 24 * HOUR_MS),
  });
  const agent = await pki.issueAgent({
    hotelId: IDS.hotelId,
    agentId: IDS.agentId,
    notBefore: new Date(firstHourMs - 24 * HOUR_MS),
    notAfter: new Date(now + 365 * 24 * HOUR_MS),
  });
  const chunks: (TestBundle & { contents: BundleContents })[] = [];
  let previous: ManifestWithBytes | undefined;
  for (const chunk of chunkPlan(firstHourMs)) {
    const records = Buffer.concat(chunk.lines);
    // Format 1.1, as agents write it: with the Merkle root over the lines.
    const scan = scanRecords(records, { merkle: true });
    const windowEndUs = at(chunk.hourMs, chunk.toMs);
    const manifest = buildManifest({
      chain_id: IDS.chainId,
      hotel_id: IDS.hotelId,
      agent_id: IDS.agentId,
      agent_cert_sha256: agent.sha256,
      hour_start: `${new Date(chunk.hourMs).toISOString().slice(0, 13)}:00:00Z`,
      part: chunk.part,
      window_start: formatMicrosUtc(at(chunk.hourMs, chunk.fromMs)),
      window_end: formatMicrosUtc(windowEndUs),
      ...scan.summary,
      ...scan.merkle,
      prev_manifest_sha256: previous ? sha256Hex(previous.bytes) : null,
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: formatMicrosUtc(windowEndUs + 250_000),
    });
    const chunkId = chunkIdOf(manifest.manifest);
    chunks.push({
      dir: join(root, IDS.agentId, chunkId),
      chunkId,
      manifest,
      contents: {
        records,
        manifest: manifest.bytes,
        signature: signManifest(manifest.bytes, agent.privateKeyPem),
        ...(options.stamp === false ? {} : { stamp: await stampManifest(manifest.bytes) }),
        agentPem: agent.certificatePem,
        chainCaPem: pki.caPem,
      },
    });
    previous = manifest;
  }
  // As an export makes it: after the stamps, so it covers their times.
  // Revokes another agent's serial, so the check has an entry to look past.
  const crlPem = await pki.makeCrl([
    { serialHex: "7e57", revokedAt: new Date(firstHourMs), reason: "keyCompromise" },
  ]);
  const bundles = chunks.map(({ contents, ...bundle }) => {
    writeBundleFiles(bundle.dir, { ...contents, crlPem });
    return bundle;
  });
  return {
    root,
    bundles,
    pki,
    agent,
    firstHourMs,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * Run `bun run logmaster <args>` from the repository root, as an auditor
 * would (async: the caller's event loop keeps running).
 *
 * @example
 * const { exitCode, stdout } = await runCli(["verify", run.root, "--json"]);
 */
export async function runCli(
  args: string[],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return runProcess(["bun", "run", "logmaster", ...args], {
    cwd: join(import.meta.dir, "..", ".."),
  });
}
