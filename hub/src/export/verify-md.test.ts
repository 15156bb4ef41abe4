import { describe, expect, test } from "bun:test";
import type { DayManifest } from "../../../shared/src/custody/day-manifest.ts";
import { DEVELOPMENT_TSA_POLICY_OID } from "../../../shared/src/timestamp/development-tsa.ts";
import { renderDayVerifyMd } from "./day-verify-md.ts";
import { renderVerifyMd, SCRATCH_DIR, type VerifyFacts } from "./verify-md.ts";

const facts: VerifyFacts = {
  hotelId: "otel-sile",
  agentId: "otel-sile-abcdefgh",
  chunk: "2026-11-22T08",
  status: "verified",
  reason: null,
  recordsSha256: "a".repeat(64),
  byteLength: 299,
  recordCount: 1,
  agentCertSha256: "b".repeat(64),
  agentSerialHex: "0dacddf96e694be7",
  revokedAt: undefined,
  createdAt: "2026-11-22T09:00:00.250000Z",
  timestamp: { genTime: "2026-11-22T09:00:01.602Z", serial: "0f1657ca", tsaName: null },
  previous: { kind: "first" },
};

const day: DayManifest = {
  format: "logmaster-day/1",
  chain_id: "default",
  hotel_id: "otel-sile",
  day: "2026-11-22",
  agents: [
    {
      agent_id: "otel-sile-abcdefgh",
      chunks: [{ chunk: "2026-11-22T08", manifest_sha256: "c".repeat(64), status: "verified" }],
      missing: [],
      failed: [],
    },
  ],
  created_at: "2026-11-23T00:05:00.000000Z",
};

/** The last ```sh block: the standard-tool commands. */
function commands(markdown: string): string {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  return blocks.at(-1) ?? "";
}

/** Where the commands' output redirections (`> file`) write, comments left out. */
function writtenFiles(script: string): string[] {
  return script
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .flatMap((line) => [...line.matchAll(/>\s*("[^"]*"|\S+)/g)].map((match) => match[1] ?? ""));
}

describe.each([
  ["a bundle's VERIFY.md", renderVerifyMd(facts)],
  ["a day export's VERIFY.md", renderDayVerifyMd(day, { stamped: true })],
])("%s", (_name, markdown) => {
  const script = commands(markdown);

  test("writes only into a mktemp -d directory, made first and removed last", () => {
    const lines = script.trim().split("\n");
    expect(lines[0]).toBe(SCRATCH_DIR.make);
    expect(lines.at(-1)).toBe(SCRATCH_DIR.remove);
    const written = writtenFiles(script);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) expect(file).toStartWith('"$scratch/');
  });

  test("explains openssl's 'not a CA cert' warning and the development TSA's policy", () => {
    expect(script).toContain("is not a\n#    CA cert");
    expect(script).toContain("Expected and harmless.");
    expect(script).toContain("grep -E 'Policy OID|Serial number|Time stamp'");
    expect(script).toContain(`Policy OID ${DEVELOPMENT_TSA_POLICY_OID} is LogMaster's built-in`);
    expect(script).toContain("has NO legal value");
  });
});

test("a bundle's VERIFY.md says which time and serial the token must show", () => {
  expect(commands(renderVerifyMd(facts))).toContain(
    "#    expected: Time stamp: the time of 2026-11-22T09:00:01.602Z; Serial number: 0x0F1657CA",
  );
});

test("a format-1.1 bundle's VERIFY.md shows the signed Merkle root; a format-1 one does not", () => {
  const root = "3c54277841a1342bef7b94defde9947abbf8d797f55322fe194330a368c1633a";
  const withTree = commands(renderVerifyMd({ ...facts, merkle: { root, size: 7 } }));
  expect(withTree).toContain(
    `grep -E '"merkle_(root|size)"' manifest.json   # expected: ${root}, 7`,
  );
  expect(withTree).toContain("custody format §16.4");
  expect(commands(renderVerifyMd(facts))).not.toContain("merkle");
});
