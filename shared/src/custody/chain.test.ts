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
      expectedHourStart: "2026-11-22T09:00:00Z",
      foundHourStart: "2026-11-22T10:00:00Z",
      missingHours: 1,
    });
  });

  test("hours out of order", () => {
    const [h08, h09] = healthyChain();
    expect(breakKinds([h09, h08])[1]).toContain("hour_out_of_order");
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
