/**
 * Writes the custody format's test vectors, tests/vectors/v1/: one agent's
 * first four hours in five chunks (two hours with records, one empty, one
 * early-sealed hour in two parts), signed with a committed TEST-ONLY key,
 * plus the inputs they were made from, the expected hashes, and lines,
 * manifests and chains a verifier must refuse.
 *
 *   bun scripts/make-test-vectors.ts             # rewrite the vectors from the committed keys
 *   bun scripts/make-test-vectors.ts --new-keys  # also make new keys and certificates (changes every hash!)
 *
 * Deterministic given the keys: PKCS#1 v1.5 signatures have no randomness,
 * and every time and datagram below is fixed. Keys and certificates are made
 * with the openssl CLI (only when missing or with --new-keys) so that the
 * vectors do not depend on our own certificate code.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildManifest,
  CHUNK_FORMAT,
  type ChainBreakKind,
  certificateSha256,
  chunkIdOf,
  encodeDataRecord,
  encodeGapRecord,
  type GapReason,
  type ManifestWithBytes,
  scanRecords,
  sha256Hex,
  signManifest,
  type Transport,
  verifyHashChain,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

export const VECTORS_DIR = join(import.meta.dir, "../tests/vectors/v1");

/** The committed vector key files (TEST material: they sign nothing real). */
export const VECTOR_FILES = {
  caKey: "TEST-ONLY-chain-ca-key.pem",
  caCert: "chain-ca.pem",
  agentKey: "TEST-ONLY-agent-key.pem",
  agentCert: "agent.pem",
} as const;

/** Run the openssl CLI in `cwd`; throws with openssl's own words when it fails. */
export function openssl(
  args: string[],
  cwd: string,
): { exitCode: number; stdout: string; stderr: string } {
  const result = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

function mustOpenssl(args: string[], cwd: string): string {
  const result = openssl(args, cwd);
  if (result.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout;
}

// --- what the vectors contain -------------------------------------------------

/** One datagram as the agent's socket delivered it. */
export interface DatagramInput {
  seq: number;
  received_at_us: number;
  /** The address as the socket reported it (the record may normalise it). */
  src: string;
  port: number;
  transport: Transport;
  /** The datagram bytes, hex: exact, whatever the encoding. */
  datagram_hex: string;
  note: string;
}

/** Datagrams the agent could not keep. */
export interface GapInput {
  seq: number;
  written_at_us: number;
  gap: { reason: GapReason; lost: number; first_lost_at_us: number; last_lost_at_us: number };
  note: string;
}

export interface ChunkInput {
  dir: string;
  hour_start: string;
  /** 0 for a whole hour or the first part of an early-sealed hour. */
  part: number;
  window_start: string;
  window_end: string;
  clock: { ntp_synchronized: boolean | null; source: string };
  created_at: string;
  records: (DatagramInput | GapInput)[];
}

export interface VectorInputs {
  format: string;
  chain_id: string;
  hotel_id: string;
  agent_id: string;
  chunks: ChunkInput[];
}

const HOUR_8_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
const HOUR_US = 3_600_000_000;
const utf8 = (text: string) => Buffer.from(text, "utf8").toString("hex");

function datagram(
  seq: number,
  offsetUs: number,
  src: string,
  port: number,
  transport: Transport,
  datagramHex: string,
  note: string,
): DatagramInput {
  return {
    seq,
    received_at_us: HOUR_8_US + offsetUs,
    src,
    port,
    transport,
    datagram_hex: datagramHex,
    note,
  };
}

export const INPUTS: VectorInputs = {
  format: CHUNK_FORMAT,
  chain_id: "test-chain",
  hotel_id: "test-hotel-istanbul",
  agent_id: "test-hotel-istanbul-testvect",
  chunks: [
    {
      dir: "chunk-1",
      hour_start: "2026-11-22T08:00:00Z",
      part: 0,
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T09:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T09:00:00.250000Z",
      records: [
        datagram(
          1,
          123_456,
          "192.168.88.1",
          51234,
          "udp",
          utf8(
            "<134>firewall,info forward: in:vlan20-guest out:ether1-wan, connection-state:new src-mac 3c:22:fb:11:22:33, proto TCP (SYN), 10.20.30.40:51234->142.250.187.110:443, NAT (10.20.30.40:51234->85.105.1.2:51234)->142.250.187.110:443, len 60",
          ),
          "plain ASCII RouterOS firewall line",
        ),
        datagram(
          2,
          1_000_001,
          "192.168.88.1",
          51234,
          "udp",
          utf8(
            "<134>hotspot,account,info misafir-İ203 (10.20.30.41): logged in, Ağ: Şişli-Misafir, cihaz: Şükrü'nün iPhone'u",
          ),
          "Turkish letters İ ğ Ş ş ü as literal UTF-8",
        ),
        datagram(
          3,
          2_500_000,
          "192.168.88.1",
          51234,
          "udp",
          utf8(
            '<132>script,warning tab\there "quoted" back\\slash nul\u0000 esc\u001b[0m del\u007f bell\u0007 crlf\r\n',
          ),
          "control characters, quote and backslash: escaped; DEL literal",
        ),
        datagram(
          4,
          3_000_000,
          "192.168.88.3",
          40100,
          "udp",
          // "<134>dhcp,info Şişli" in ISO-8859-9 (Latin-5): 0xDE = Ş, 0xFE = ş; not UTF-8.
          `${utf8("<134>dhcp,info ")}de${utf8("i")}fe${utf8("li")}`,
          "Latin-5 bytes, invalid UTF-8: msg_b64",
        ),
        datagram(
          5,
          900_000_000,
          "2001:db8:5651::1",
          6514,
          "tls",
          utf8(
            "<165>1 2026-11-22T08:15:00.000Z core-sw1 sshd 812 - - \ufeffAccepted publickey for admin",
          ),
          "IPv6 source over TLS; RFC 5424 MSG with a BOM (kept, literal)",
        ),
        {
          seq: 6,
          written_at_us: HOUR_8_US + 1_800_000_000,
          gap: {
            reason: "receive_buffer_overflow",
            lost: 37,
            first_lost_at_us: HOUR_8_US + 1_795_000_000,
            last_lost_at_us: HOUR_8_US + 1_799_999_999,
          },
          note: "kernel dropped 37 datagrams in the 5 s before the agent noticed",
        },
        datagram(
          7,
          1_800_000_123,
          "::ffff:192.168.88.2",
          514,
          "udp",
          utf8(
            "<134>wireless,info 3C:22:FB:11:22:34@wlan2-misafir: connected, signal strength -61",
          ),
          "IPv4-mapped address from a dual-stack socket: written as IPv4",
        ),
        datagram(
          8,
          3_599_999_999,
          "192.168.88.1",
          51234,
          "tcp",
          utf8("<134>system,info line\u2028separator\u2029and emoji 😀 at the hour's last µs"),
          "U+2028/U+2029 and a 4-byte character, literal; last microsecond of the hour",
        ),
      ],
    },
    {
      dir: "chunk-2",
      hour_start: "2026-11-22T09:00:00Z",
      part: 0,
      window_start: "2026-11-22T09:00:00.000000Z",
      window_end: "2026-11-22T10:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T10:00:00.250000Z",
      records: [
        datagram(
          9,
          HOUR_US,
          "192.168.88.1",
          51234,
          "udp",
          "",
          "empty datagram: msg is the empty string",
        ),
        datagram(
          10,
          HOUR_US + 5,
          "fe80::4e5e:cff:fe01:2345%ether1",
          514,
          "udp",
          utf8("<134>dhcp,info dhcp-misafir deassigned 10.20.30.41 from 3C:22:FB:11:22:33"),
          "link-local IPv6 source keeps its zone",
        ),
        {
          seq: 11,
          written_at_us: HOUR_8_US + HOUR_US + 600_000_000,
          gap: {
            reason: "disk_full",
            lost: 1234,
            first_lost_at_us: HOUR_8_US + HOUR_US + 60_000_000,
            last_lost_at_us: HOUR_8_US + HOUR_US + 599_000_000,
          },
          note: "disk budget exhausted for ~9 minutes",
        },
        datagram(
          12,
          HOUR_US + 600_000_001,
          "192.168.88.1",
          51234,
          "udp",
          `${utf8("<134>truncated ")}e282`,
          "a UTF-8 sequence cut short at the end: msg_b64",
        ),
      ],
    },
    {
      dir: "chunk-3",
      hour_start: "2026-11-22T10:00:00Z",
      part: 0,
      window_start: "2026-11-22T10:00:00.000000Z",
      window_end: "2026-11-22T11:00:00.000000Z",
      clock: { ntp_synchronized: false, source: "chrony" },
      created_at: "2026-11-22T11:00:00.250000Z",
      records: [],
    },
    {
      // `logmaster-agent seal` at 11:20: part 0 of hour 11 ends there...
      dir: "chunk-4",
      hour_start: "2026-11-22T11:00:00Z",
      part: 0,
      window_start: "2026-11-22T11:00:00.000000Z",
      window_end: "2026-11-22T11:20:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T11:20:00.180000Z",
      records: [
        datagram(
          13,
          3 * HOUR_US,
          "192.168.88.1",
          51234,
          "udp",
          utf8("<134>system,info router rebooted, uptime 0s"),
          "first microsecond of the hour: part 0 of an early-sealed hour",
        ),
        datagram(
          14,
          3 * HOUR_US + 300_000_000,
          "192.168.88.1",
          51234,
          "udp",
          utf8("<134>hotspot,account,info misafir-İ305 (10.20.30.52): logged in"),
          "an ordinary record of part 0",
        ),
        datagram(
          15,
          3 * HOUR_US + 1_199_999_999,
          "192.168.88.1",
          51234,
          "udp",
          utf8("<134>firewall,info last datagram before the early seal"),
          "last microsecond of part 0's window (window_end is exclusive)",
        ),
      ],
    },
    {
      // ... and part 1 takes the rest of the hour, sealed when the hour ends.
      dir: "chunk-5",
      hour_start: "2026-11-22T11:00:00Z",
      part: 1,
      window_start: "2026-11-22T11:20:00.000000Z",
      window_end: "2026-11-22T12:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T12:00:00.250000Z",
      records: [
        datagram(
          16,
          3 * HOUR_US + 1_200_000_000,
          "192.168.88.1",
          51234,
          "udp",
          utf8("<134>firewall,info first datagram after the early seal"),
          "first microsecond of part 1's window (window_start is inclusive)",
        ),
        datagram(
          17,
          3 * HOUR_US + 2_700_000_000,
          "192.168.88.3",
          40100,
          "udp",
          utf8("<134>dhcp,info dhcp-misafir assigned 10.20.30.53 to 3C:22:FB:11:22:35"),
          "an ordinary record of part 1",
        ),
        {
          seq: 18,
          written_at_us: HOUR_8_US + 3 * HOUR_US + 3_000_000_000,
          gap: {
            reason: "queue_overflow",
            lost: 2,
            first_lost_at_us: HOUR_8_US + 3 * HOUR_US + 2_999_000_000,
            last_lost_at_us: HOUR_8_US + 3 * HOUR_US + 2_999_500_000,
          },
          note: "a gap record in a later part",
        },
        datagram(
          19,
          3 * HOUR_US + 3_599_999_999,
          "192.168.88.1",
          51234,
          "tcp",
          utf8("<134>system,info last microsecond of the hour"),
          "last microsecond of the hour: the end of the last part",
        ),
      ],
    },
  ],
};

// --- encoding the inputs (shared with tests/custody-vectors.test.ts) -----------

function isGapInput(record: DatagramInput | GapInput): record is GapInput {
  return "gap" in record;
}

/** records.jsonl bytes for a chunk's inputs, through the library's encoders. */
export function encodeChunkRecords(chunk: ChunkInput): Uint8Array {
  const lines = chunk.records.map((record) =>
    isGapInput(record)
      ? encodeGapRecord({
          seq: record.seq,
          writtenAtUs: record.written_at_us,
          reason: record.gap.reason,
          lost: record.gap.lost,
          firstLostAtUs: record.gap.first_lost_at_us,
          lastLostAtUs: record.gap.last_lost_at_us,
        })
      : encodeDataRecord({
          seq: record.seq,
          receivedAtUs: record.received_at_us,
          src: record.src,
          port: record.port,
          transport: record.transport,
          bytes: Buffer.from(record.datagram_hex, "hex"),
        }),
  );
  return Buffer.concat(lines);
}

/** The manifest of each chunk, chained; built by the library from the inputs. */
export function buildChunkManifests(
  inputs: VectorInputs,
  agentCertSha256: string,
): { records: Uint8Array; manifest: ManifestWithBytes }[] {
  const built: { records: Uint8Array; manifest: ManifestWithBytes }[] = [];
  for (const chunk of inputs.chunks) {
    const records = encodeChunkRecords(chunk);
    const previous = built.at(-1)?.manifest;
    const manifest = buildManifest({
      chain_id: inputs.chain_id,
      hotel_id: inputs.hotel_id,
      agent_id: inputs.agent_id,
      agent_cert_sha256: agentCertSha256,
      hour_start: chunk.hour_start,
      part: chunk.part,
      window_start: chunk.window_start,
      window_end: chunk.window_end,
      ...scanRecords(records, { window: chunk }).summary,
      prev_manifest_sha256: previous ? sha256Hex(previous.bytes) : null,
      clock: chunk.clock,
      created_at: chunk.created_at,
    });
    built.push({ records, manifest });
  }
  return built;
}

// --- lines and manifests a verifier must refuse ----------------------------------

export interface InvalidCase {
  description: string;
  /** The exact bytes, as a JSON string (all cases are valid UTF-8). */
  text: string;
  code:
    | "invalid_record"
    | "non_canonical_record"
    | "invalid_manifest"
    | "non_canonical_manifest"
    | "unsupported_format";
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`invalid-case fixture: "${from}" not found`);
  return text.replace(from, to);
}

/** Chunks that do not form a chain: the link at `link` has these breaks, in this order. */
export interface InvalidChain {
  description: string;
  /** Chunk directories, in the order given to the verifier. */
  dirs: string[];
  link: number;
  breaks: ChainBreakKind[];
}

const INVALID_CHAINS: InvalidChain[] = [
  {
    description: "part 0 of the early-sealed hour missing",
    dirs: ["chunk-3", "chunk-5"],
    link: 1,
    breaks: ["prev_hash_mismatch", "missing_chunks"],
  },
  {
    description: "an hour missing",
    dirs: ["chunk-2", "chunk-4"],
    link: 1,
    breaks: ["prev_hash_mismatch", "missing_chunks"],
  },
  {
    description: "the parts of an hour in the wrong order",
    dirs: ["chunk-5", "chunk-4"],
    link: 1,
    breaks: ["prev_hash_mismatch", "chunk_out_of_order", "seq_discontinuity"],
  },
];

function invalidCases(
  lines: string[],
  manifestText: string,
  partOneManifestText: string,
): { records: InvalidCase[]; manifests: InvalidCase[]; chains: InvalidChain[] } {
  const [first = "", turkish = "", control = ""] = lines;
  return {
    records: [
      {
        description: "keys reordered (ts before seq)",
        text: replaceOnce(
          first,
          '{"seq":1,"ts":"2026-11-22T08:00:00.123456Z"',
          '{"ts":"2026-11-22T08:00:00.123456Z","seq":1',
        ),
        code: "non_canonical_record",
      },
      {
        description: "whitespace after a colon",
        text: replaceOnce(first, '"seq":1', '"seq": 1'),
        code: "non_canonical_record",
      },
      {
        description: "non-ASCII escaped as \\u (İ as \\u0130)",
        text: replaceOnce(turkish, "İ", "\\u0130"),
        code: "non_canonical_record",
      },
      {
        description: "upper-case hex in an escape (\\u001B)",
        text: replaceOnce(control, "\\u001b", "\\u001B"),
        code: "non_canonical_record",
      },
      {
        description: "solidus escaped (\\/)",
        text: replaceOnce(first, "->142", "-\\/142"),
        code: "non_canonical_record",
      },
      {
        description: "msg_b64 for bytes that are valid UTF-8",
        text: `${first.slice(0, first.indexOf('"msg":'))}"msg_b64":"${Buffer.from("<134>x").toString("base64")}"}`,
        code: "non_canonical_record",
      },
      {
        description: "ts with 3 fractional digits",
        text: replaceOnce(first, ".123456Z", ".123Z"),
        code: "invalid_record",
      },
      {
        description: "an extra key",
        text: replaceOnce(first, '"transport":"udp",', '"transport":"udp","host":"gw",'),
        code: "invalid_record",
      },
      {
        description: "IPv4-mapped IPv6 src",
        text: replaceOnce(first, '"src":"192.168.88.1"', '"src":"::ffff:192.168.88.1"'),
        code: "invalid_record",
      },
      {
        description: "seq 0",
        text: replaceOnce(first, '"seq":1,', '"seq":0,'),
        code: "invalid_record",
      },
    ],
    manifests: [
      {
        description: "no trailing newline",
        text: manifestText.slice(0, -1),
        code: "non_canonical_manifest",
      },
      {
        description: "compact JSON",
        text: `${JSON.stringify(JSON.parse(manifestText))}\n`,
        code: "non_canonical_manifest",
      },
      {
        description: "CRLF line ends",
        text: manifestText.replaceAll("\n", "\r\n"),
        code: "non_canonical_manifest",
      },
      {
        description: "record_count that contradicts first_seq/last_seq",
        text: replaceOnce(manifestText, '"record_count": 8', '"record_count": 9'),
        code: "invalid_manifest",
      },
      {
        description: "another format version",
        text: replaceOnce(manifestText, CHUNK_FORMAT, "logmaster-chunk/2"),
        code: "unsupported_format",
      },
      {
        description: "part 0 whose window does not start at hour_start",
        text: replaceOnce(
          manifestText,
          '"window_start": "2026-11-22T08:00:00.000000Z"',
          '"window_start": "2026-11-22T08:00:00.000001Z"',
        ),
        code: "invalid_manifest",
      },
      {
        description: "a window that ends after hour_end",
        text: replaceOnce(
          manifestText,
          '"window_end": "2026-11-22T09:00:00.000000Z"',
          '"window_end": "2026-11-22T09:00:00.000001Z"',
        ),
        code: "invalid_manifest",
      },
      {
        description: "a window in hour format",
        text: replaceOnce(
          manifestText,
          '"window_end": "2026-11-22T09:00:00.000000Z"',
          '"window_end": "2026-11-22T09:00:00Z"',
        ),
        code: "invalid_manifest",
      },
      {
        description: "part 1 whose window starts at hour_start",
        text: replaceOnce(
          partOneManifestText,
          '"window_start": "2026-11-22T11:20:00.000000Z"',
          '"window_start": "2026-11-22T11:00:00.000000Z"',
        ),
        code: "invalid_manifest",
      },
      {
        description: "an empty window (window_end = window_start)",
        text: replaceOnce(
          partOneManifestText,
          '"window_end": "2026-11-22T12:00:00.000000Z"',
          '"window_end": "2026-11-22T11:20:00.000000Z"',
        ),
        code: "invalid_manifest",
      },
      {
        description: "a negative part",
        text: replaceOnce(partOneManifestText, '"part": 1,', '"part": -1,'),
        code: "invalid_manifest",
      },
      {
        description: "part missing",
        text: replaceOnce(partOneManifestText, '  "part": 1,\n', ""),
        code: "invalid_manifest",
      },
    ],
    chains: INVALID_CHAINS,
  };
}

// --- writing ------------------------------------------------------------------

/**
 * `openssl ca` rather than `req -x509` / `x509 -req`: only `ca` (on OpenSSL
 * 3.0) takes fixed validity dates, and the certificates must be valid from
 * before the vector chunks' hours, not from whenever the generator ran.
 */
const NOT_BEFORE = "20260101000000Z";
const NOT_AFTER = "21260101000000Z"; // the vectors must outlive the project

function makeKeysAndCertificates(dir: string, inputs: VectorInputs): void {
  const work = mkdtempSync(join(tmpdir(), "logmaster-vectors-"));
  try {
    writeFileSync(join(work, "index.txt"), "");
    writeFileSync(join(work, "serial"), "01\n");
    writeFileSync(
      join(work, "ca.cnf"),
      [
        "[ca]",
        "default_ca = vectors",
        "[vectors]",
        `database = ${join(work, "index.txt")}`,
        `new_certs_dir = ${work}`,
        `serial = ${join(work, "serial")}`,
        "default_md = sha256",
        "policy = names",
        "unique_subject = no",
        "[names]",
        "commonName = supplied",
        "organizationName = supplied",
        "organizationalUnitName = optional",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(work, "ca.ext"),
      "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
    );
    // The names the hub's CA gives an agent: CN=agent, O=chain, OU=hotel, SAN URI.
    writeFileSync(
      join(work, "agent.ext"),
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=clientAuth",
        `subjectAltName=URI:urn:logmaster:${inputs.chain_id}:${inputs.hotel_id}:${inputs.agent_id}`,
        "",
      ].join("\n"),
    );
    const caKey = join(dir, VECTOR_FILES.caKey);
    const agentKey = join(dir, VECTOR_FILES.agentKey);
    const caCert = join(dir, VECTOR_FILES.caCert);
    const sign = (csr: string, ext: string, out: string, issuer: string[]) =>
      mustOpenssl(
        [
          "ca",
          "-batch",
          "-notext",
          "-config",
          "ca.cnf",
          "-keyfile",
          caKey,
          ...issuer,
          "-in",
          csr,
          "-startdate",
          NOT_BEFORE,
          "-enddate",
          NOT_AFTER,
          "-extfile",
          ext,
          "-out",
          out,
        ],
        work,
      );
    for (const key of [caKey, agentKey]) {
      mustOpenssl(
        ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", key],
        work,
      );
    }
    mustOpenssl(
      [
        "req",
        "-new",
        "-key",
        caKey,
        "-subj",
        `/CN=LogMaster TEST-ONLY chain CA/O=${inputs.chain_id}`,
        "-out",
        "ca.csr",
      ],
      work,
    );
    sign("ca.csr", "ca.ext", caCert, ["-selfsign"]);
    const subject = `/CN=${inputs.agent_id}/O=${inputs.chain_id}/OU=${inputs.hotel_id}`;
    mustOpenssl(["req", "-new", "-key", agentKey, "-subj", subject, "-out", "agent.csr"], work);
    sign("agent.csr", "agent.ext", join(dir, VECTOR_FILES.agentCert), ["-cert", caCert]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const dir = VECTORS_DIR;
  mkdirSync(dir, { recursive: true });
  const newKeys = process.argv.includes("--new-keys");
  if (newKeys || !Object.values(VECTOR_FILES).every((name) => existsSync(join(dir, name)))) {
    console.log("making TEST-ONLY keys and certificates with openssl");
    makeKeysAndCertificates(dir, INPUTS);
  }
  const agentKeyPem = readFileSync(join(dir, VECTOR_FILES.agentKey), "utf8");
  const agentCertPem = readFileSync(join(dir, VECTOR_FILES.agentCert), "utf8");
  const agentCertSha256 = certificateSha256(agentCertPem);

  const built = buildChunkManifests(INPUTS, agentCertSha256);
  const expectedChunks = [];
  for (const [index, { records, manifest }] of built.entries()) {
    const chunk = INPUTS.chunks[index];
    if (!chunk) throw new Error("unreachable");
    const signature = signManifest(manifest.bytes, agentKeyPem);
    if (!verifyManifestSignature(manifest.bytes, signature, agentCertPem))
      throw new Error(`${chunk.dir}: signature does not verify`);
    const chunkDir = join(dir, chunk.dir);
    mkdirSync(chunkDir, { recursive: true });
    writeFileSync(join(chunkDir, "records.jsonl"), records);
    writeFileSync(join(chunkDir, "manifest.json"), manifest.bytes);
    writeFileSync(join(chunkDir, "manifest.sig"), signature);
    expectedChunks.push({
      dir: chunk.dir,
      chunk_id: chunkIdOf(manifest.manifest),
      hour_start: manifest.manifest.hour_start,
      part: manifest.manifest.part,
      window_start: manifest.manifest.window_start,
      window_end: manifest.manifest.window_end,
      record_count: manifest.manifest.record_count,
      first_seq: manifest.manifest.first_seq,
      last_seq: manifest.manifest.last_seq,
      gap_lost: manifest.manifest.gap_lost,
      byte_length: records.byteLength,
      records_sha256: sha256Hex(records),
      manifest_sha256: sha256Hex(manifest.bytes),
      prev_manifest_sha256: manifest.manifest.prev_manifest_sha256,
      manifest_sig_sha256: sha256Hex(signature),
    });
  }
  const verdict = verifyHashChain(built.map((chunk) => chunk.manifest));
  if (!verdict.ok) throw new Error(`the vector chain does not verify: ${JSON.stringify(verdict)}`);

  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(join(dir, "inputs.json"), json(INPUTS));
  writeFileSync(
    join(dir, "expected.json"),
    json({
      format: CHUNK_FORMAT,
      agent_cert_sha256: agentCertSha256,
      chunks: expectedChunks,
      chain: "valid",
    }),
  );
  const firstChunk = built[0];
  const partOne = built.find(({ manifest }) => manifest.manifest.part === 1);
  if (!firstChunk || !partOne) throw new Error("unreachable");
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const lines = decode(firstChunk.records).split("\n");
  const invalid = invalidCases(
    lines,
    decode(firstChunk.manifest.bytes),
    decode(partOne.manifest.bytes),
  );
  const byDir = new Map(INPUTS.chunks.map((chunk, index) => [chunk.dir, built[index]?.manifest]));
  for (const chain of invalid.chains) {
    const manifests = chain.dirs.map((name) => byDir.get(name) as ManifestWithBytes);
    const found = verifyHashChain(manifests).links[chain.link]?.breaks.map((b) => b.kind);
    if (JSON.stringify(found) !== JSON.stringify(chain.breaks)) {
      throw new Error(`invalid chain "${chain.description}" gives ${JSON.stringify(found)}`);
    }
  }
  writeFileSync(join(dir, "invalid.json"), json(invalid));
  console.log(`wrote ${dir}: ${built.length} chunks, agent certificate ${agentCertSha256}`);
}

if (import.meta.main) main();
