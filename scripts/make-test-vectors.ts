/**
 * Writes the custody format's test vectors. tests/vectors/v1/
 * (`logmaster-chunk/1`): one agent's first four hours in five chunks (two
 * hours with records, one empty, one early-sealed hour in two parts), signed
 * with a committed TEST-ONLY key, plus the inputs they were made from, the
 * expected hashes, and lines, manifests and chains a verifier must refuse.
 * tests/vectors/v1.1/ (`logmaster-chunk/1.1`): the same agent's next four
 * hours after an upgrade (its chain goes on from v1's last chunk), each
 * manifest with the Merkle root over its lines; expected.json adds every leaf
 * hash and audit path.
 *
 *   bun scripts/make-test-vectors.ts             # rewrite the vectors from the committed keys
 *   bun scripts/make-test-vectors.ts --new-keys  # also make new keys and certificates (changes every hash!)
 *
 * Deterministic given the keys: PKCS#1 v1.5 signatures have no randomness,
 * and every time and datagram below is fixed. Keys and certificates are made
 * with the openssl CLI (only when missing or with --new-keys) so that the
 * vectors do not depend on our own certificate code.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  auditPaths,
  buildManifest,
  CHUNK_FORMAT_1,
  CHUNK_FORMAT_1_1,
  type ChainBreakKind,
  certificateSha256,
  chunkIdOf,
  encodeDataRecord,
  encodeGapRecord,
  type GapReason,
  hasMerkleRoot,
  leafHash,
  type ManifestWithBytes,
  parseManifest,
  scanRecords,
  sha256Hex,
  signManifest,
  type Transport,
  verifyHashChain,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

export const VECTORS_DIR = join(import.meta.dir, "../tests/vectors/v1");
export const VECTORS_DIR_1_1 = join(import.meta.dir, "../tests/vectors/v1.1");

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
  /**
   * The chunk directory (relative to this set's) whose manifest.json the
   * first chunk chains to; absent: the first chunk starts the agent's chain.
   */
  continues?: string;
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
  format: CHUNK_FORMAT_1,
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

/**
 * v1.1: the same agent after an upgrade to `logmaster-chunk/1.1`, the four
 * hours after v1's (12:00-16:00). Its chain goes on from v1's last chunk (the
 * rules of §7 are the same across the format change): the first 1.1 chunk's
 * prev_manifest_sha256 is the SHA-256 of v1/chunk-5/manifest.json, and seqs
 * continue at 20. Tree sizes 1, 0, 7 and 5: one leaf, the empty tree, and two
 * sizes that are not powers of two (so the right edge of the tree is ragged).
 */
export const INPUTS_1_1: VectorInputs = {
  format: CHUNK_FORMAT_1_1,
  chain_id: INPUTS.chain_id,
  hotel_id: INPUTS.hotel_id,
  agent_id: INPUTS.agent_id,
  continues: "../v1/chunk-5",
  chunks: [
    {
      dir: "chunk-1",
      hour_start: "2026-11-22T12:00:00Z",
      part: 0,
      window_start: "2026-11-22T12:00:00.000000Z",
      window_end: "2026-11-22T13:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T13:00:00.250000Z",
      records: [
        datagram(
          20,
          4 * HOUR_US + 42_000_000,
          "192.168.88.1",
          51234,
          "udp",
          utf8("<134>system,info router configuration saved by admin"),
          "one record: the tree is one leaf, its root that leaf's hash",
        ),
      ],
    },
    {
      dir: "chunk-2",
      hour_start: "2026-11-22T13:00:00Z",
      part: 0,
      window_start: "2026-11-22T13:00:00.000000Z",
      window_end: "2026-11-22T14:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T14:00:00.250000Z",
      records: [],
    },
    {
      dir: "chunk-3",
      hour_start: "2026-11-22T14:00:00Z",
      part: 0,
      window_start: "2026-11-22T14:00:00.000000Z",
      window_end: "2026-11-22T15:00:00.000000Z",
      clock: { ntp_synchronized: true, source: "chrony" },
      created_at: "2026-11-22T15:00:00.250000Z",
      records: [
        datagram(
          21,
          6 * HOUR_US,
          "192.168.88.1",
          51234,
          "udp",
          utf8(
            "<134>hotspot,account,info misafir-İ412 (10.20.30.61): logged in, Ağ: Şişli-Misafir",
          ),
          "first microsecond of the hour; Turkish letters",
        ),
        datagram(
          22,
          6 * HOUR_US + 60_000_000,
          "192.168.88.1",
          51234,
          "udp",
          utf8(
            "<134>firewall,info forward: in:vlan20-guest out:ether1-wan, proto UDP, 10.20.30.61:53001->1.1.1.1:53, NAT (10.20.30.61:53001->85.105.1.2:53001)->1.1.1.1:53, len 71",
          ),
          "a NAT line, what the 5651 lookups read",
        ),
        datagram(
          23,
          6 * HOUR_US + 61_000_000,
          "192.168.88.3",
          40100,
          "udp",
          `${utf8("<134>dhcp,info ")}dd${utf8("stanbul")}`,
          "Latin-5 İ (0xDD): invalid UTF-8, msg_b64",
        ),
        {
          seq: 24,
          written_at_us: HOUR_8_US + 6 * HOUR_US + 900_000_000,
          gap: {
            reason: "oversized",
            lost: 1,
            first_lost_at_us: HOUR_8_US + 6 * HOUR_US + 899_000_000,
            last_lost_at_us: HOUR_8_US + 6 * HOUR_US + 899_000_000,
          },
          note: "a gap record is a leaf like any line",
        },
        datagram(
          25,
          6 * HOUR_US + 1_800_000_000,
          "2001:db8:5651::1",
          6514,
          "tls",
          utf8(
            "<165>1 2026-11-22T14:30:00.000Z core-sw1 sshd 812 - - Accepted publickey for admin",
          ),
          "IPv6 over TLS",
        ),
        datagram(
          26,
          6 * HOUR_US + 1_800_000_001,
          "192.168.88.1",
          51234,
          "udp",
          "",
          "empty datagram: the shortest line",
        ),
        datagram(
          27,
          6 * HOUR_US + 3_599_999_999,
          "192.168.88.1",
          51234,
          "tcp",
          utf8('<132>script,warning tab\there "quoted" back\\slash emoji 😀'),
          "escapes and a 4-byte character; the last microsecond of the hour; leaf 6 of 7",
        ),
      ],
    },
    {
      dir: "chunk-4",
      hour_start: "2026-11-22T15:00:00Z",
      part: 0,
      window_start: "2026-11-22T15:00:00.000000Z",
      window_end: "2026-11-22T16:00:00.000000Z",
      clock: { ntp_synchronized: null, source: "unknown" },
      created_at: "2026-11-22T16:00:00.250000Z",
      records: [28, 29, 30, 31, 32].map((seq, i) =>
        datagram(
          seq,
          7 * HOUR_US + (i + 1) * 600_000_000,
          "192.168.88.2",
          514,
          "udp",
          utf8(
            `<134>wireless,info 3C:22:FB:11:22:3${i}@wlan2-misafir: connected, signal strength -6${i}`,
          ),
          `five records, the tree 4 + 1: the last leaf's path is one hash (record ${i + 1} of 5)`,
        ),
      ),
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

/**
 * The manifest of each chunk, chained; built by the library from the inputs.
 * `previousManifest`: the bytes of the manifest the first chunk chains to
 * (`inputs.continues`), absent when the first chunk starts the agent's chain.
 */
export function buildChunkManifests(
  inputs: VectorInputs,
  agentCertSha256: string,
  previousManifest?: Uint8Array,
): { records: Uint8Array; manifest: ManifestWithBytes }[] {
  const built: { records: Uint8Array; manifest: ManifestWithBytes }[] = [];
  const withMerkle = inputs.format === CHUNK_FORMAT_1_1;
  for (const chunk of inputs.chunks) {
    const records = encodeChunkRecords(chunk);
    const previous = built.at(-1)?.manifest.bytes ?? previousManifest;
    const scan = scanRecords(records, { window: chunk, merkle: withMerkle });
    const manifest = buildManifest({
      chain_id: inputs.chain_id,
      hotel_id: inputs.hotel_id,
      agent_id: inputs.agent_id,
      agent_cert_sha256: agentCertSha256,
      hour_start: chunk.hour_start,
      part: chunk.part,
      window_start: chunk.window_start,
      window_end: chunk.window_end,
      ...scan.summary,
      ...scan.merkle,
      prev_manifest_sha256: previous ? sha256Hex(previous) : null,
      clock: chunk.clock,
      created_at: chunk.created_at,
    });
    if (manifest.manifest.format !== inputs.format)
      throw new Error(`${chunk.dir}: built ${manifest.manifest.format}, not ${inputs.format}`);
    built.push({ records, manifest });
  }
  return built;
}

/** The lines of records.jsonl without their `\n`: the leaves of the chunk's Merkle tree. */
export function recordLines(records: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < records.byteLength; ) {
    const end = records.indexOf(0x0a, start);
    lines.push(records.subarray(start, end));
    start = end + 1;
  }
  return lines;
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
        text: replaceOnce(manifestText, CHUNK_FORMAT_1, "logmaster-chunk/2"),
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

/** An audit path that must not lead to the chunk's merkle_root. */
export interface InvalidProof {
  description: string;
  /** The chunk whose manifest's merkle_root and merkle_size the proof is checked against. */
  dir: string;
  index: number;
  leaf_hash: string;
  path: string[];
}

const INVALID_CHAINS_1_1: InvalidChain[] = [
  {
    description: "the last format-1 chunk missing before the first 1.1 chunk",
    dirs: ["../v1/chunk-4", "chunk-1"],
    link: 1,
    breaks: ["prev_hash_mismatch", "missing_chunks", "seq_discontinuity"],
  },
  {
    description: "the empty hour between two 1.1 chunks missing",
    dirs: ["chunk-1", "chunk-3"],
    link: 1,
    breaks: ["prev_hash_mismatch", "missing_chunks"],
  },
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function invalidCases1_1(
  built: { records: Uint8Array; manifest: ManifestWithBytes }[],
  dirs: string[],
): { manifests: InvalidCase[]; chains: InvalidChain[]; proofs: InvalidProof[] } {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const byDir = (dir: string) => {
    const chunk = built[dirs.indexOf(dir)];
    if (!chunk) throw new Error(`no vector chunk ${dir}`);
    return chunk;
  };
  const seven = byDir("chunk-3");
  const text = decode(seven.manifest.bytes);
  const emptyText = decode(byDir("chunk-2").manifest.bytes);
  const m = seven.manifest.manifest;
  if (!hasMerkleRoot(m)) throw new Error("chunk-3 is not format 1.1");
  const rootLine = `  "merkle_root": "${m.merkle_root}",\n`;
  const sizeLine = `  "merkle_size": ${m.merkle_size},\n`;
  const leaves = recordLines(seven.records).map(leafHash);
  const paths = auditPaths([2, 6], leaves);
  const pathOf2 = (paths[0] as Uint8Array[]).map(hex);
  const pathOf6 = (paths[1] as Uint8Array[]).map(hex);
  const flip = (hexDigest: string) =>
    `${(Number.parseInt(hexDigest.slice(0, 2), 16) ^ 0x01).toString(16).padStart(2, "0")}${hexDigest.slice(2)}`;
  return {
    manifests: [
      {
        description: "merkle_size that is not record_count",
        text: replaceOnce(text, '"merkle_size": 7', '"merkle_size": 8'),
        code: "invalid_manifest",
      },
      {
        description: "format 1.1 without merkle_root",
        text: replaceOnce(text, rootLine, ""),
        code: "invalid_manifest",
      },
      {
        description: "format 1.1 without either Merkle field",
        text: replaceOnce(replaceOnce(text, rootLine, ""), sizeLine, ""),
        code: "invalid_manifest",
      },
      {
        description: "Merkle fields in a format-1 manifest",
        text: replaceOnce(text, CHUNK_FORMAT_1_1, CHUNK_FORMAT_1),
        code: "invalid_manifest",
      },
      {
        description: "merkle_root in upper-case hex",
        text: replaceOnce(text, m.merkle_root, m.merkle_root.toUpperCase()),
        code: "invalid_manifest",
      },
      {
        description: "merkle_root and merkle_size after prev_manifest_sha256 (key order)",
        text: replaceOnce(
          replaceOnce(text, `${rootLine}${sizeLine}`, ""),
          '  "clock": {',
          `${rootLine}${sizeLine}  "clock": {`,
        ),
        code: "non_canonical_manifest",
      },
      {
        description: "an empty chunk whose merkle_root is not the empty tree's",
        text: replaceOnce(
          emptyText,
          `"merkle_root": "${sha256Hex(new Uint8Array())}"`,
          `"merkle_root": "${hex(leafHash(new Uint8Array()))}"`,
        ),
        code: "invalid_manifest",
      },
      {
        description: "a later minor version",
        text: replaceOnce(text, CHUNK_FORMAT_1_1, "logmaster-chunk/1.2"),
        code: "unsupported_format",
      },
    ],
    chains: INVALID_CHAINS_1_1,
    proofs: [
      {
        description: "a leaf's path checked at another index",
        dir: "chunk-3",
        index: 3,
        leaf_hash: hex(leaves[2] as Uint8Array),
        path: pathOf2,
      },
      {
        description: "one hash of the path with one bit changed",
        dir: "chunk-3",
        index: 2,
        leaf_hash: hex(leaves[2] as Uint8Array),
        path: pathOf2.map((p, i) => (i === 1 ? flip(p) : p)),
      },
      {
        description: "the leaf hash of the line with its newline (leaves exclude the \\n)",
        dir: "chunk-3",
        index: 6,
        leaf_hash: hex(
          leafHash(new Uint8Array([...(recordLines(seven.records)[6] as Uint8Array), 0x0a])),
        ),
        path: pathOf6,
      },
      {
        description: "the line's plain SHA-256 instead of its leaf hash (no 0x00 prefix)",
        dir: "chunk-3",
        index: 6,
        leaf_hash: sha256Hex(recordLines(seven.records)[6] as Uint8Array),
        path: pathOf6,
      },
      {
        description: "a path with the last hash missing",
        dir: "chunk-3",
        index: 2,
        leaf_hash: hex(leaves[2] as Uint8Array),
        path: pathOf2.slice(0, -1),
      },
      {
        description: "a leaf of chunk-3 against chunk-4's root",
        dir: "chunk-4",
        index: 2,
        leaf_hash: hex(leaves[2] as Uint8Array),
        path: pathOf2,
      },
    ],
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

/** Sign and write a set's chunks; returns what expected.json says of each. */
function writeChunks(
  dir: string,
  inputs: VectorInputs,
  built: { records: Uint8Array; manifest: ManifestWithBytes }[],
  agentKeyPem: string,
  agentCertPem: string,
): Record<string, unknown>[] {
  return built.map(({ records, manifest }, index) => {
    const chunk = inputs.chunks[index];
    if (!chunk) throw new Error("unreachable");
    const signature = signManifest(manifest.bytes, agentKeyPem);
    if (!verifyManifestSignature(manifest.bytes, signature, agentCertPem))
      throw new Error(`${chunk.dir}: signature does not verify`);
    const chunkDir = join(dir, chunk.dir);
    mkdirSync(chunkDir, { recursive: true });
    writeFileSync(join(chunkDir, "records.jsonl"), records);
    writeFileSync(join(chunkDir, "manifest.json"), manifest.bytes);
    writeFileSync(join(chunkDir, "manifest.sig"), signature);
    const m = manifest.manifest;
    const expected: Record<string, unknown> = {
      dir: chunk.dir,
      chunk_id: chunkIdOf(m),
      hour_start: m.hour_start,
      part: m.part,
      window_start: m.window_start,
      window_end: m.window_end,
      record_count: m.record_count,
      first_seq: m.first_seq,
      last_seq: m.last_seq,
      gap_lost: m.gap_lost,
      byte_length: records.byteLength,
      records_sha256: sha256Hex(records),
    };
    if (hasMerkleRoot(m)) {
      // Every leaf and audit path, for implementers of disclosures (§16).
      const leaves = recordLines(records).map(leafHash);
      const paths = auditPaths(
        leaves.map((_, i) => i),
        leaves,
      );
      Object.assign(expected, {
        merkle_root: m.merkle_root,
        merkle_size: m.merkle_size,
        leaf_hashes: leaves.map(hex),
        audit_paths: paths.map((path) => path.map(hex)),
      });
    }
    return Object.assign(expected, {
      manifest_sha256: sha256Hex(manifest.bytes),
      prev_manifest_sha256: m.prev_manifest_sha256,
      manifest_sig_sha256: sha256Hex(signature),
    });
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The chains a set's invalid.json lists must break exactly as it says. */
function checkInvalidChains(dir: string, chains: InvalidChain[]): void {
  for (const chain of chains) {
    const manifests = chain.dirs.map((name) => {
      const bytes = new Uint8Array(readFileSync(join(dir, name, "manifest.json")));
      return { manifest: buildManifestOf(bytes), bytes };
    });
    const found = verifyHashChain(manifests).links[chain.link]?.breaks.map((b) => b.kind);
    if (JSON.stringify(found) !== JSON.stringify(chain.breaks)) {
      throw new Error(`invalid chain "${chain.description}" gives ${JSON.stringify(found)}`);
    }
  }
}

function buildManifestOf(bytes: Uint8Array): ManifestWithBytes["manifest"] {
  return parseManifest(bytes).manifest;
}

function writeV1(agentKeyPem: string, agentCertPem: string): void {
  const dir = VECTORS_DIR;
  const agentCertSha256 = certificateSha256(agentCertPem);
  const built = buildChunkManifests(INPUTS, agentCertSha256);
  const expectedChunks = writeChunks(dir, INPUTS, built, agentKeyPem, agentCertPem);
  const verdict = verifyHashChain(built.map((chunk) => chunk.manifest));
  if (!verdict.ok) throw new Error(`the vector chain does not verify: ${JSON.stringify(verdict)}`);

  writeFileSync(join(dir, "inputs.json"), json(INPUTS));
  writeFileSync(
    join(dir, "expected.json"),
    json({
      format: CHUNK_FORMAT_1,
      agent_cert_sha256: agentCertSha256,
      chunks: expectedChunks,
      chain: "valid",
    }),
  );
  const firstChunk = built[0];
  const partOne = built.find(({ manifest }) => manifest.manifest.part === 1);
  if (!firstChunk || !partOne) throw new Error("unreachable");
  const lines = decode(firstChunk.records).split("\n");
  const invalid = invalidCases(
    lines,
    decode(firstChunk.manifest.bytes),
    decode(partOne.manifest.bytes),
  );
  checkInvalidChains(dir, invalid.chains);
  writeFileSync(join(dir, "invalid.json"), json(invalid));
  console.log(`wrote ${dir}: ${built.length} chunks, agent certificate ${agentCertSha256}`);
}

function writeV1_1(agentKeyPem: string, agentCertPem: string): void {
  const dir = VECTORS_DIR_1_1;
  mkdirSync(dir, { recursive: true });
  // The same TEST-ONLY agent and CA as v1: the directory stands on its own.
  for (const name of Object.values(VECTOR_FILES)) {
    copyFileSync(join(VECTORS_DIR, name), join(dir, name));
  }
  const agentCertSha256 = certificateSha256(agentCertPem);
  const continues = INPUTS_1_1.continues;
  if (!continues) throw new Error("unreachable: v1.1 continues v1's chain");
  const previous = new Uint8Array(readFileSync(join(dir, continues, "manifest.json")));
  const built = buildChunkManifests(INPUTS_1_1, agentCertSha256, previous);
  const expectedChunks = writeChunks(dir, INPUTS_1_1, built, agentKeyPem, agentCertPem);
  const v1Chain = INPUTS.chunks.map((chunk) => {
    const bytes = new Uint8Array(readFileSync(join(VECTORS_DIR, chunk.dir, "manifest.json")));
    return { manifest: buildManifestOf(bytes), bytes };
  });
  const verdict = verifyHashChain([...v1Chain, ...built.map((chunk) => chunk.manifest)]);
  if (!verdict.ok) throw new Error(`v1 + v1.1 do not form one chain: ${JSON.stringify(verdict)}`);

  writeFileSync(join(dir, "inputs.json"), json(INPUTS_1_1));
  writeFileSync(
    join(dir, "expected.json"),
    json({
      format: CHUNK_FORMAT_1_1,
      agent_cert_sha256: agentCertSha256,
      continues: { dir: continues, manifest_sha256: sha256Hex(previous) },
      chunks: expectedChunks,
      chain: "valid, continuing v1's chain",
    }),
  );
  const invalid = invalidCases1_1(
    built,
    INPUTS_1_1.chunks.map((chunk) => chunk.dir),
  );
  checkInvalidChains(dir, invalid.chains);
  writeFileSync(join(dir, "invalid.json"), json(invalid));
  console.log(`wrote ${dir}: ${built.length} chunks, continuing ${continues}`);
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
  writeV1(agentKeyPem, agentCertPem);
  writeV1_1(agentKeyPem, agentCertPem);
}

if (import.meta.main) main();
