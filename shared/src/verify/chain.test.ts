import { describe, expect, test } from "bun:test";
import { buildManifest, type ManifestWithBytes } from "../custody/index.ts";
import { firstManifestFields, nextManifest } from "../custody/testing.ts";
import { type ChainMember, checkChain, groupByAgent } from "./chain.ts";

/** An agent's first chunks: 08, 09 sealed early at :20 (09 and 09.1), 10. */
function agentChunks(agentId = "test-agent-01"): ManifestWithBytes[] {
  const h8 = buildManifest(firstManifestFields({ agent_id: agentId }));
  const h9 = nextManifest(h8, { agent_id: agentId, window_end: "2026-11-22T09:20:00.000000Z" });
  const h9part1 = nextManifest(h9, { agent_id: agentId });
  const h10 = nextManifest(h9part1, { agent_id: agentId });
  return [h8, h9, h9part1, h10];
}

const members = (manifests: ManifestWithBytes[], prefix = "export") =>
  manifests.map((parsed, i): ChainMember => ({ dir: `${prefix}/${i}`, parsed }));

describe("checkChain", () => {
  test("consecutive chunks from the agent's first: both checks pass", () => {
    const report = checkChain(members(agentChunks()));
    expect(report.chunks).toEqual([
      "2026-11-22T08",
      "2026-11-22T09",
      "2026-11-22T09.1",
      "2026-11-22T10",
    ]);
    expect(report.checks.map((check) => check.status)).toEqual(["PASS", "PASS"]);
    expect(report.checks[0].detail).toContain("it starts at the agent's first chunk");
    expect(report.checks[1].detail).toContain(
      "every hour from 2026-11-22T08 to 2026-11-22T10 whole",
    );
  });

  test("a missing part is named, with the bundle that shows it", () => {
    const [h8, h9, , h10] = agentChunks();
    const report = checkChain(members([h8, h9, h10] as ManifestWithBytes[]));
    const [hashChain, completeness] = report.checks;
    expect(completeness.status).toBe("FAIL");
    expect(completeness.detail).toContain(
      "chunk 2026-11-22T10 (export/2): missing between chunk 2026-11-22T09 and chunk 2026-11-22T10: parts 1.. of hour 2026-11-22T09",
    );
    // The chunk after the gap names another manifest as its predecessor.
    expect(hashChain.status).toBe("FAIL");
  });

  test("a changed manifest breaks the next chunk's hash", () => {
    const [h8, h9, h9part1] = agentChunks();
    const changed = buildManifest({
      ...(h8 as ManifestWithBytes).manifest,
      created_at: "2026-11-22T09:00:00.600000Z",
    });
    const [hashChain, completeness] = checkChain(
      members([changed, h9, h9part1] as ManifestWithBytes[]),
    ).checks;
    expect(hashChain).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("chunk 2026-11-22T09 (export/1): prev_manifest_sha256 is"),
    });
    expect(completeness.status).toBe("PASS");
  });

  test("the edges of the supplied chunks: parts of an hour before or after them are a warning", () => {
    const [, h9, h9part1] = agentChunks();
    expect(checkChain(members([h9part1] as ManifestWithBytes[])).checks[1]).toMatchObject({
      status: "WARN",
      detail: expect.stringContaining(
        "the part 0 of hour 2026-11-22T09 before chunk 2026-11-22T09.1",
      ),
    });
    expect(checkChain(members([h9] as ManifestWithBytes[])).checks[1]).toMatchObject({
      status: "WARN",
      detail: expect.stringContaining(
        "hour 2026-11-22T09 continues after chunk 2026-11-22T09 (from 2026-11-22T09:20:00.000000Z, part 1)",
      ),
    });
  });

  test("a certificate renewal is not a break, but is shown", () => {
    const [h8] = agentChunks();
    const renewed = nextManifest(h8 as ManifestWithBytes, { agent_cert_sha256: "ab".repeat(32) });
    const [hashChain] = checkChain(members([h8, renewed] as ManifestWithBytes[])).checks;
    expect(hashChain).toMatchObject({
      status: "PASS",
      detail: expect.stringContaining(
        "the agent certificate changes at chunk 2026-11-22T09 (a renewal)",
      ),
    });
  });
});

describe("groupByAgent", () => {
  test("per agent; in chunk order when asked, else as given", () => {
    const a = members(agentChunks("agent-a"), "a");
    const b = members(agentChunks("agent-b"), "b");
    const shuffled = [a[2], b[1], a[0], b[0], a[1], a[3]] as ChainMember[];
    const sorted = groupByAgent(shuffled, { sortByChunk: true });
    expect([...sorted.keys()]).toEqual(["agent-a", "agent-b"]);
    expect(sorted.get("agent-a")?.map((m) => m.dir)).toEqual(["a/0", "a/1", "a/2", "a/3"]);
    expect(
      groupByAgent(shuffled, { sortByChunk: false })
        .get("agent-a")
        ?.map((m) => m.dir),
    ).toEqual(["a/2", "a/0", "a/1", "a/3"]);
  });
});
