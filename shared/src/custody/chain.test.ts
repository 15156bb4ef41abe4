import { describe, expect, test } from "bun:test";
import { type ChainBreakKind, verifyHashChain } from "./chain.ts";
import { sha256Hex } from "./hash.ts";
import { buildManifest, type ManifestWithBytes } from "./manifest.ts";
import { firstManifestFields, nextManifest, withRecords } from "./testing.ts";

// Hour 08: seqs 1-3; 09: empty; 10: seqs 4-5; 11: seqs 6-6.
type FourHours = [ManifestWithBytes, ManifestWithBytes, ManifestWithBytes, ManifestWithBytes];

function healthyChain(): FourHours {
  const h08 = buildManifest(firstManifestFields(withRecords(1, 3)));
  const h09 = nextManifest(h08);
  const h10 = nextManifest(h09, withRecords(4, 2));
  const h11 = nextManifest(h10, withRecords(6, 1));
  return [h08, h09, h10, h11];
}

function breakKinds(chain: ManifestWithBytes[]): ChainBreakKind[][] {
  return verifyHashChain(chain).links.map((link) => link.breaks.map((b) => b.kind));
}

describe("verifyHashChain", () => {
  test("a healthy chain, with an empty hour carrying the seq over", () => {
    const verdict = verifyHashChain(healthyChain());
    expect(verdict.ok).toBe(true);
    expect(verdict.links.map((link) => [link.hourStart, link.from])).toEqual([
      ["2026-11-22T08:00:00Z", "agent_start"],
      ["2026-11-22T09:00:00Z", "previous"],
      ["2026-11-22T10:00:00Z", "previous"],
      ["2026-11-22T11:00:00Z", "previous"],
    ]);
  });

  test("a window that starts mid-chain checks seqs from its first non-empty chunk", () => {
    const [, h09, h10, h11] = healthyChain();
    const verdict = verifyHashChain([h09, h10, h11]);
    expect(verdict.ok).toBe(true);
    expect(verdict.links[0]?.from).toBe("not_supplied");
  });

  test("no manifests, no breaks", () => {
    expect(verifyHashChain([])).toEqual({ ok: true, links: [] });
  });

  test("a changed manifest breaks the next link: prev_hash_mismatch", () => {
    const chain = healthyChain();
    const [h08] = chain;
    // Same fields, one clock value changed: still a valid manifest on its own.
    chain[0] = buildManifest(
      firstManifestFields({
        ...withRecords(1, 3),
        clock: { ntp_synchronized: false, source: "chrony" },
      }),
    );
    const verdict = verifyHashChain(chain);
    expect(breakKinds(chain)).toEqual([[], ["prev_hash_mismatch"], [], []]);
    const [broken] = verdict.links[1]?.breaks ?? [];
    expect(broken).toMatchObject({
      expected: sha256Hex(chain[0].bytes),
      found: sha256Hex(h08.bytes),
    });
  });

  test("a missing chunk: missing_chunks (and the prev hash no longer matches)", () => {
    const [h08, , h10, h11] = healthyChain();
    const verdict = verifyHashChain([h08, h10, h11]);
    expect(verdict.ok).toBe(false);
    expect(verdict.links[1]?.breaks.map((b) => b.kind)).toEqual([
      "prev_hash_mismatch",
      "missing_chunks",
    ]);
    expect(verdict.links[1]?.breaks[1]).toMatchObject({
      expectedChunk: "2026-11-22T09",
      expectedHourStart: "2026-11-22T09:00:00Z",
      foundChunk: "2026-11-22T10",
      foundHourStart: "2026-11-22T10:00:00Z",
      missingHours: 1,
      missing: ["hour 2026-11-22T09 (every part)"],
    });
  });

  test("hours out of order", () => {
    const [h08, h09] = healthyChain();
    expect(breakKinds([h09, h08])[1]).toContain("chunk_out_of_order");
  });

  test("a seq discontinuity after an empty hour", () => {
    const [h08, h09] = healthyChain();
    const h10 = nextManifest(h09, withRecords(5, 2));
    const verdict = verifyHashChain([h08, h09, h10]);
    expect(verdict.links[2]?.breaks).toEqual([
      {
        kind: "seq_discontinuity",
        message: "first_seq is 5 but the chain continues at seq 4",
        expectedFirstSeq: 4,
        foundFirstSeq: 5,
      },
    ]);
  });

  test("the agent's first chunk must start at seq 1", () => {
    const h08 = buildManifest(firstManifestFields(withRecords(2, 3)));
    expect(breakKinds([h08])).toEqual([["seq_discontinuity"]]);
  });

  test("a chain that restarts (prev null) in the middle", () => {
    const [h08] = healthyChain();
    const restarted = buildManifest(
      firstManifestFields({ ...withRecords(4, 1), hour_start: "2026-11-22T09:00:00Z" }),
    );
    const verdict = verifyHashChain([h08, restarted]);
    expect(verdict.links[1]?.breaks).toMatchObject([{ kind: "prev_hash_mismatch", found: null }]);
  });

  test.each(["chain_id", "hotel_id", "agent_id"] as const)("identity_mismatch on %s", (field) => {
    const [h08] = healthyChain();
    const other = nextManifest(h08, { ...withRecords(4, 1), [field]: "someone-else" });
    const verdict = verifyHashChain([h08, other]);
    expect(verdict.links[1]?.breaks).toMatchObject([
      { kind: "identity_mismatch", field, found: "someone-else" },
    ]);
  });

  test("a renewed agent certificate is noted, not a break", () => {
    const [h08] = healthyChain();
    const renewed = nextManifest(h08, {
      ...withRecords(4, 1),
      agent_cert_sha256: sha256Hex("renewed"),
    });
    const verdict = verifyHashChain([h08, renewed]);
    expect(verdict.ok).toBe(true);
    expect(verdict.links[1]?.certificateChanged).toBe(true);
  });
});

describe("verifyHashChain: parts of an early-sealed hour", () => {
  const at = (time: string) => `2026-11-22T${time}.000000Z`;

  // 08 part 0: seqs 1-3 until 08:20 (early seal); 08 part 1: seqs 4-5 to 09:00; 09: seq 6.
  function splitHour(): [ManifestWithBytes, ManifestWithBytes, ManifestWithBytes] {
    const p0 = buildManifest(
      firstManifestFields({ ...withRecords(1, 3), window_end: at("08:20:00") }),
    );
    const p1 = nextManifest(p0, withRecords(4, 2));
    const h09 = nextManifest(p1, withRecords(6, 1));
    return [p0, p1, h09];
  }

  test("two parts in one hour, then the next hour: a valid chain", () => {
    const chain = splitHour();
    expect(chain[1].manifest).toMatchObject({
      hour_start: "2026-11-22T08:00:00Z",
      part: 1,
      window_start: at("08:20:00"),
      window_end: at("09:00:00"),
    });
    const verdict = verifyHashChain(chain);
    expect(verdict.ok).toBe(true);
    expect(verdict.links.map((link) => [link.chunk, link.part])).toEqual([
      ["2026-11-22T08", 0],
      ["2026-11-22T08.1", 1],
      ["2026-11-22T09", 0],
    ]);
  });

  test("an empty remainder part carries the seq over", () => {
    const [p0] = splitHour();
    const p1 = nextManifest(p0);
    const h09 = nextManifest(p1, withRecords(4, 1));
    expect(verifyHashChain([p0, p1, h09]).ok).toBe(true);
  });

  test("a missing part 1: missing_chunks names the rest of the hour", () => {
    const [p0, p1] = splitHour();
    const h09 = nextManifest(p1, withRecords(6, 1));
    // part 1 is dropped: hour 09 follows part 0 directly (its link is re-signed to part 0)
    const forged = nextManifest(p0, {
      ...withRecords(4, 1),
      hour_start: "2026-11-22T09:00:00Z",
      part: 0,
      window_start: at("09:00:00"),
      window_end: at("10:00:00"),
    });
    expect(breakKinds([p0, forged])).toEqual([[], ["missing_chunks"]]);
    const [missing] = verifyHashChain([p0, forged]).links[1]?.breaks ?? [];
    expect(missing).toMatchObject({
      kind: "missing_chunks",
      expectedChunk: "2026-11-22T08.1",
      expectedWindowStart: at("08:20:00"),
      foundChunk: "2026-11-22T09",
      missingHours: 0,
      missing: [
        `parts 1.. of hour 2026-11-22T08 (receive time ${at("08:20:00")} to the hour's end)`,
      ],
    });
    // Without forging, the prev hash breaks too.
    expect(breakKinds([p0, h09])[1]).toEqual([
      "prev_hash_mismatch",
      "missing_chunks",
      "seq_discontinuity",
    ]);
  });

  test("a part number skipped in the same hour: missing_chunks names the part", () => {
    const [p0] = splitHour();
    const p2 = nextManifest(p0, { ...withRecords(4, 2), part: 2 });
    const [missing] = verifyHashChain([p0, p2]).links[1]?.breaks ?? [];
    expect(missing).toMatchObject({
      kind: "missing_chunks",
      expectedChunk: "2026-11-22T08.1",
      foundChunk: "2026-11-22T08.2",
      missing: ["part 1 of hour 2026-11-22T08"],
    });
  });

  test("a window that starts later than the previous one ended: missing_chunks", () => {
    const [p0] = splitHour();
    const late = nextManifest(p0, { ...withRecords(4, 2), window_start: at("08:25:00") });
    const [missing] = verifyHashChain([p0, late]).links[1]?.breaks ?? [];
    expect(missing).toMatchObject({
      kind: "missing_chunks",
      expectedWindowStart: at("08:20:00"),
      foundWindowStart: at("08:25:00"),
      missing: [`receive time ${at("08:20:00")} to ${at("08:25:00")} of hour 2026-11-22T08`],
    });
  });

  test("an overlapping window or a repeated part: chunk_out_of_order", () => {
    const [p0, p1] = splitHour();
    const overlapping = nextManifest(p0, { window_start: at("08:15:00") });
    expect(breakKinds([p0, overlapping])[1]).toEqual(["chunk_out_of_order"]);
    const again = nextManifest(p1, {
      hour_start: "2026-11-22T08:00:00Z",
      part: 1,
      window_start: at("08:40:00"),
      window_end: at("09:00:00"),
    });
    // p1 already ends at the hour's end, so another part 1 of hour 08 cannot follow it.
    expect(breakKinds([p1, again])[1]).toEqual(["chunk_out_of_order"]);
    expect(breakKinds([p1, p0])[1]).toEqual([
      "prev_hash_mismatch",
      "chunk_out_of_order",
      "seq_discontinuity",
    ]);
  });

  test("the next hour without its part 0, after a missing hour: every piece is named", () => {
    const [p0, p1] = splitHour();
    const h10p1 = nextManifest(p1, {
      hour_start: "2026-11-22T10:00:00Z",
      part: 1,
      window_start: at("10:05:00"),
      window_end: at("11:00:00"),
    });
    const [missing] = verifyHashChain([p0, p1, h10p1]).links[2]?.breaks ?? [];
    expect(missing).toMatchObject({
      kind: "missing_chunks",
      expectedChunk: "2026-11-22T09",
      foundChunk: "2026-11-22T10.1",
      missingHours: 1,
      missing: [
        "hour 2026-11-22T09 (every part)",
        `part 0 of hour 2026-11-22T10 (receive time ${at("10:00:00")} to ${at("10:05:00")})`,
      ],
    });
    expect(missing?.message).toStartWith(
      "missing between chunk 2026-11-22T08.1 and chunk 2026-11-22T10.1: hour 2026-11-22T09",
    );
  });

  test("an hour left early-sealed, several hours missing, then the next part 0", () => {
    const [p0] = splitHour();
    const h12 = nextManifest(p0, {
      hour_start: "2026-11-22T12:00:00Z",
      part: 0,
      window_start: at("12:00:00"),
      window_end: at("13:00:00"),
    });
    const [missing] = verifyHashChain([p0, h12]).links[1]?.breaks ?? [];
    expect(missing).toMatchObject({
      kind: "missing_chunks",
      missingHours: 3,
      missing: [
        `parts 1.. of hour 2026-11-22T08 (receive time ${at("08:20:00")} to the hour's end)`,
        "3 hours 2026-11-22T09..2026-11-22T11 (every part)",
      ],
    });
  });
});
