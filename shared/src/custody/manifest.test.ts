import { describe, expect, test } from "bun:test";
import { CustodyError, type CustodyErrorCode } from "./errors.ts";
import { EMPTY_SHA256 } from "./hash.ts";
import {
  buildManifest,
  CHUNK_FORMAT,
  CHUNK_FORMAT_1,
  CHUNK_FORMAT_1_1,
  hasMerkleRoot,
  type ManifestFields,
  parseManifest,
  serializeManifest,
} from "./manifest.ts";
import { firstManifestFields, TEST_CERT_SHA256, withRecords } from "./testing.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function codeOf(run: () => unknown): CustodyErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CustodyError) return error.code;
    throw error;
  }
  return undefined;
}

describe("buildManifest", () => {
  test("canonical bytes: fixed key order, 2-space indent, trailing newline", () => {
    const { bytes } = buildManifest(
      firstManifestFields({
        ...withRecords(1, 3),
        gap_lost: 5,
        records_sha256: EMPTY_SHA256.replace("e3", "00"),
      }),
    );
    expect(decoder.decode(bytes)).toBe(`{
  "format": "${CHUNK_FORMAT_1}",
  "chain_id": "test-chain",
  "hotel_id": "test-hotel-istanbul",
  "agent_id": "test-agent-01",
  "agent_cert_sha256": "${TEST_CERT_SHA256}",
  "hour_start": "2026-11-22T08:00:00Z",
  "hour_end": "2026-11-22T09:00:00Z",
  "part": 0,
  "window_start": "2026-11-22T08:00:00.000000Z",
  "window_end": "2026-11-22T09:00:00.000000Z",
  "first_seq": 1,
  "last_seq": 3,
  "record_count": 3,
  "gap_lost": 5,
  "byte_length": 600,
  "records_sha256": "${EMPTY_SHA256.replace("e3", "00")}",
  "prev_manifest_sha256": null,
  "clock": {
    "ntp_synchronized": true,
    "source": "chrony"
  },
  "created_at": "2026-11-22T09:00:00.500000Z"
}
`);
  });

  test("the key order does not depend on the order the caller wrote the fields in", () => {
    const fields = firstManifestFields();
    const reversed = Object.fromEntries(Object.entries(fields).reverse()) as ManifestFields;
    reversed.clock = { source: "chrony", ntp_synchronized: true };
    expect(buildManifest(reversed).bytes).toEqual(buildManifest(fields).bytes);
  });

  test("an empty hour", () => {
    const { manifest } = buildManifest(firstManifestFields());
    expect(manifest).toMatchObject({
      first_seq: null,
      last_seq: null,
      record_count: 0,
      byte_length: 0,
    });
    expect(manifest.records_sha256).toBe(EMPTY_SHA256);
  });

  test("parts of an early-sealed hour: part 0 closed early, part 1 to the hour's end", () => {
    const part0 = buildManifest(
      firstManifestFields({ window_end: "2026-11-22T08:20:00.000000Z" }),
    ).manifest;
    expect(part0).toMatchObject({
      part: 0,
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T08:20:00.000000Z",
      hour_end: "2026-11-22T09:00:00Z",
    });
    const part1 = buildManifest(
      firstManifestFields({
        part: 1,
        window_start: "2026-11-22T08:20:00.000000Z",
        window_end: "2026-11-22T09:00:00.000000Z",
      }),
    ).manifest;
    expect(part1.part).toBe(1);
    // A part may be as short as one microsecond.
    expect(() =>
      buildManifest(
        firstManifestFields({
          part: 7,
          window_start: "2026-11-22T08:59:59.999999Z",
          window_end: "2026-11-22T09:00:00.000000Z",
        }),
      ),
    ).not.toThrow();
  });

  test("non-ASCII clock source is literal UTF-8", () => {
    const { bytes } = buildManifest(
      firstManifestFields({ clock: { ntp_synchronized: null, source: "saat-sunucusu-İzmir" } }),
    );
    expect(decoder.decode(bytes)).toContain(
      '"ntp_synchronized": null,\n    "source": "saat-sunucusu-İzmir"',
    );
  });

  test.each<[string, Partial<ManifestFields>, RegExp]>([
    ["seqs in an empty hour", { first_seq: 1, last_seq: 1 }, /first_seq/],
    ["bytes in an empty hour", { byte_length: 10 }, /byte_length/],
    ["a hash of bytes in an empty hour", { records_sha256: TEST_CERT_SHA256 }, /records_sha256/],
    ["lost datagrams without a gap record", { gap_lost: 3 }, /gap_lost/],
    ["last_seq that does not match the count", { ...withRecords(1, 3), last_seq: 4 }, /last_seq/],
    ["null seqs with records", { ...withRecords(1, 3), first_seq: null }, /first_seq/],
    ["no bytes with records", { ...withRecords(1, 3), byte_length: 0 }, /byte_length/],
    ["upper-case hex", { agent_cert_sha256: TEST_CERT_SHA256.toUpperCase() }, /agent_cert_sha256/],
    ["a half hour", { hour_start: "2026-11-22T08:30:00Z" }, /hour_start/],
    ["an id with a space", { hotel_id: "hotel 1" }, /hotel_id/],
    ["created_at in ms", { created_at: "2026-11-22T09:00:00.500Z" }, /created_at/],
    ["a negative part", { part: -1 }, /part/],
    ["a fractional part", { part: 1.5 }, /part/],
    ["a window_start in hour format", { window_start: "2026-11-22T08:00:00Z" }, /window_start/],
    [
      "part 0 that does not start at hour_start",
      { window_start: "2026-11-22T08:00:00.000001Z" },
      /in part 0\n.*window_start/,
    ],
    [
      "a part > 0 that starts at hour_start",
      { part: 1, window_end: "2026-11-22T08:30:00.000000Z" },
      /in a part > 0.*\n.*window_start/,
    ],
    [
      "a window that starts before the hour",
      { part: 1, window_start: "2026-11-22T07:59:59.999999Z" },
      /before hour_start.*\n.*window_start/,
    ],
    [
      "a window that ends after the hour",
      { window_end: "2026-11-22T09:00:00.000001Z" },
      /after hour_end.*\n.*window_end/,
    ],
    [
      "an empty window (window_end = window_start)",
      {
        part: 1,
        window_start: "2026-11-22T08:30:00.000000Z",
        window_end: "2026-11-22T08:30:00.000000Z",
      },
      /after window_start\n.*window_end/,
    ],
    [
      "a window that ends before it starts",
      {
        part: 2,
        window_start: "2026-11-22T08:30:00.000000Z",
        window_end: "2026-11-22T08:10:00.000000Z",
      },
      /after window_start\n.*window_end/,
    ],
  ])("refuses %s", (_name, overrides, field) => {
    expect(() => buildManifest(firstManifestFields(overrides))).toThrow(field);
    expect(codeOf(() => buildManifest(firstManifestFields(overrides)))).toBe("invalid_argument");
  });
});

describe("parseManifest", () => {
  const built = buildManifest(firstManifestFields(withRecords(10, 5)));
  const text = decoder.decode(built.bytes);

  test("canonical round trip", () => {
    const parsed = parseManifest(built.bytes);
    expect(parsed.manifest).toEqual(built.manifest);
    expect(serializeManifest(parsed.manifest)).toEqual(built.bytes);
  });

  test.each([
    ["no trailing newline", text.slice(0, -1)],
    ["CRLF line ends", text.replaceAll("\n", "\r\n")],
    ["4-space indent", `${JSON.stringify(built.manifest, null, 4)}\n`],
    ["compact JSON", `${JSON.stringify(built.manifest)}\n`],
    [
      "keys reordered",
      text.replace(
        / {2}"chain_id": "test-chain",\n( {2}"hotel_id": "test-hotel-istanbul",\n)/,
        '$1  "chain_id": "test-chain",\n',
      ),
    ],
    ["escaped character", text.replace('"chrony"', '"\\u0063hrony"')],
    ["two trailing newlines", `${text}\n`],
  ])("rejects a non-canonical manifest: %s", (_name, variant) => {
    expect(variant).not.toBe(text);
    expect(codeOf(() => parseManifest(encoder.encode(variant)))).toBe("non_canonical_manifest");
  });

  test("names the first differing byte", () => {
    expect(() => parseManifest(encoder.encode(text.slice(0, -1)))).toThrow(/byte \d+/);
  });

  test.each([
    ["not JSON", "{"],
    ["an array", "[]\n"],
    ["a BOM", `\ufeff${text}`],
    ["an unknown key", text.replace('"format"', '"extra": 1,\n  "format"')],
    ["a missing key", text.replace(/ {2}"gap_lost": 0,\n/, "")],
    [
      "hour_end that is not one hour after hour_start",
      text.replace('"hour_end": "2026-11-22T09:00:00Z"', '"hour_end": "2026-11-22T10:00:00Z"'),
    ],
    ["a missing part", text.replace(/ {2}"part": 0,\n/, "")],
    [
      "part 0 whose window starts after hour_start",
      text.replace(
        '"window_start": "2026-11-22T08:00:00.000000Z"',
        '"window_start": "2026-11-22T08:10:00.000000Z"',
      ),
    ],
    [
      "a window beyond hour_end",
      text.replace(
        '"window_end": "2026-11-22T09:00:00.000000Z"',
        '"window_end": "2026-11-22T09:00:00.000001Z"',
      ),
    ],
  ])("rejects an invalid manifest: %s", (_name, variant) => {
    expect(variant).not.toBe(text);
    expect(codeOf(() => parseManifest(encoder.encode(variant)))).toBe("invalid_manifest");
  });

  test("rejects bytes that are not UTF-8", () => {
    const bytes = new Uint8Array(built.bytes);
    bytes[text.indexOf("chrony")] = 0xff;
    expect(codeOf(() => parseManifest(bytes))).toBe("invalid_manifest");
  });

  test("a different format version is unsupported, not invalid", () => {
    const variant = text.replace(CHUNK_FORMAT_1, "logmaster-chunk/2");
    expect(codeOf(() => parseManifest(encoder.encode(variant)))).toBe("unsupported_format");
    expect(() => parseManifest(encoder.encode(variant))).toThrow(/logmaster-chunk\/2/);
  });
});

describe("format 1.1: the Merkle root over the lines", () => {
  const merkleRoot = EMPTY_SHA256.replace("e3", "0f");
  const fields = firstManifestFields({
    ...withRecords(1, 3),
    merkle_root: merkleRoot,
    merkle_size: 3,
  });

  test("agents write 1.1: merkle_root and merkle_size right after records_sha256", () => {
    expect(CHUNK_FORMAT).toBe(CHUNK_FORMAT_1_1);
    const { manifest, bytes } = buildManifest(fields);
    expect(manifest.format).toBe(CHUNK_FORMAT_1_1);
    expect(hasMerkleRoot(manifest)).toBe(true);
    const text = decoder.decode(bytes);
    expect(text).toStartWith(`{\n  "format": "${CHUNK_FORMAT_1_1}",\n`);
    expect(text).toContain(
      `  "records_sha256": "${withRecords(1, 3).records_sha256}",\n  "merkle_root": "${merkleRoot}",\n  "merkle_size": 3,\n  "prev_manifest_sha256": null,\n`,
    );
    expect(parseManifest(bytes).manifest).toEqual(manifest);
  });

  test("without the Merkle fields the manifest is format 1, and both formats parse", () => {
    const { manifest, bytes } = buildManifest(firstManifestFields());
    expect(manifest.format).toBe(CHUNK_FORMAT_1);
    expect(hasMerkleRoot(manifest)).toBe(false);
    expect(decoder.decode(bytes)).not.toContain("merkle");
    expect(parseManifest(bytes).manifest.format).toBe(CHUNK_FORMAT_1);
    expect(parseManifest(buildManifest(fields).bytes).manifest.format).toBe(CHUNK_FORMAT_1_1);
  });

  test("one leaf per line: merkle_size must be record_count", () => {
    expect(() => buildManifest({ ...fields, merkle_size: 4 })).toThrow(
      /must be record_count \(3\): one leaf per line\n.*at merkle_size/,
    );
  });

  test("an empty chunk's root is the empty tree's (SHA-256 of no bytes)", () => {
    const empty = firstManifestFields({ merkle_root: EMPTY_SHA256, merkle_size: 0 });
    expect(buildManifest(empty).manifest.format).toBe(CHUNK_FORMAT_1_1);
    expect(() => buildManifest({ ...empty, merkle_root: merkleRoot })).toThrow(
      /must be the SHA-256 of no bytes \(the empty tree\).*\n.*at merkle_root/,
    );
  });

  test("a 1.1 manifest needs both fields; a format-1 manifest may have neither", () => {
    const text = decoder.decode(buildManifest(fields).bytes);
    const withoutSize = text.replace('  "merkle_size": 3,\n', "");
    expect(codeOf(() => parseManifest(encoder.encode(withoutSize)))).toBe("invalid_manifest");
    const asFormat1 = text.replace(CHUNK_FORMAT_1_1, CHUNK_FORMAT_1);
    expect(codeOf(() => parseManifest(encoder.encode(asFormat1)))).toBe("invalid_manifest");
    expect(() => buildManifest({ ...fields, merkle_root: "not hex" })).toThrow(CustodyError);
  });

  test("an unknown format names both it reads", () => {
    const text = decoder.decode(buildManifest(fields).bytes);
    const variant = text.replace(CHUNK_FORMAT_1_1, "logmaster-chunk/1.2");
    expect(() => parseManifest(encoder.encode(variant))).toThrow(
      'has format "logmaster-chunk/1.2"; this verifier implements "logmaster-chunk/1" and "logmaster-chunk/1.1"',
    );
  });
});
