import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { CustodyError } from "./errors.ts";
import { EMPTY_SHA256 } from "./hash.ts";
import {
  auditPath,
  auditPaths,
  EMPTY_MERKLE_ROOT,
  LinesMerkleTree,
  leafHash,
  MerkleTree,
  merkleRoot,
  nodeHash,
  rootFromAuditPath,
  verifyAuditPath,
} from "./merkle.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
const encoder = new TextEncoder();

/**
 * The Certificate Transparency test tree (google/certificate-transparency
 * merkle_tree_test.cc; transparency-dev/merkle testonly/constants.go): eight
 * leaf inputs, the root of each prefix of them, and audit paths.
 */
const CT_LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(fromHex);
const CT_LEAF_HASHES = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
  "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
  "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
  "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];
/** Index n: the root of the first n leaves. */
const CT_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
/** transparency-dev/merkle testonly/reference_test.go TestRefInclusionProof (0-based indices). */
const CT_AUDIT_PATHS: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  { index: 0, size: 2, path: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"] },
  { index: 1, size: 2, path: ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"] },
  { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

// --- a naive implementation, straight from the RFC's recursive definitions -----------------

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};
const naiveLeaf = (data: Uint8Array) => sha256(new Uint8Array([0]), data);
const naiveNode = (l: Uint8Array, r: Uint8Array) => sha256(new Uint8Array([1]), l, r);
const largestPowerOfTwoBelow = (n: number) => 2 ** Math.floor(Math.log2(n - 1));

function naiveMth(data: Uint8Array[]): Uint8Array {
  if (data.length === 0) return sha256();
  if (data.length === 1) return naiveLeaf(data[0] as Uint8Array);
  const k = largestPowerOfTwoBelow(data.length);
  return naiveNode(naiveMth(data.slice(0, k)), naiveMth(data.slice(k)));
}

function naivePath(m: number, data: Uint8Array[]): Uint8Array[] {
  if (data.length === 1) return [];
  const k = largestPowerOfTwoBelow(data.length);
  return m < k
    ? [...naivePath(m, data.slice(0, k)), naiveMth(data.slice(k))]
    : [...naivePath(m - k, data.slice(k)), naiveMth(data.slice(0, k))];
}

/** Distinct lines of varied length, like records. */
const linesOf = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    encoder.encode(`{"seq":${i + 1},"msg":"${"x".repeat(i * 7)}"}`),
  );

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

describe("hashes (RFC 6962 §2.1)", () => {
  test("the CT leaf hashes, and transparency-dev's hasher vectors", () => {
    expect(CT_LEAF_INPUTS.map((input) => hex(leafHash(input)))).toEqual(CT_LEAF_HASHES);
    expect(hex(leafHash(encoder.encode("L123456")))).toBe(
      "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    );
    expect(hex(nodeHash(encoder.encode("N123"), encoder.encode("N456")))).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  test("a leaf longer than the reused buffer, and results that stay put", () => {
    const long = new Uint8Array(100_000).fill(0x61);
    const first = leafHash(long);
    const second = leafHash(encoder.encode("short"));
    expect(hex(first)).toBe(hex(naiveLeaf(long)));
    expect(hex(second)).toBe(hex(naiveLeaf(encoder.encode("short"))));
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first.byteLength).toBe(32);
  });

  test("the empty tree's root is SHA-256 of no bytes", () => {
    expect(hex(EMPTY_MERKLE_ROOT)).toBe(EMPTY_SHA256);
    expect(hex(merkleRoot([]))).toBe(EMPTY_SHA256);
    expect(hex(new MerkleTree().root())).toBe(EMPTY_SHA256);
  });
});

describe("roots", () => {
  test("the CT roots of 0..8 leaves", () => {
    const leaves = CT_LEAF_INPUTS.map(leafHash);
    const tree = new MerkleTree();
    expect(hex(tree.root())).toBe(CT_ROOTS[0] as string);
    leaves.forEach((leaf, i) => {
      tree.push(leaf);
      expect(tree.size).toBe(i + 1);
      expect(hex(tree.root())).toBe(CT_ROOTS[i + 1] as string);
      expect(hex(merkleRoot(leaves.slice(0, i + 1)))).toBe(CT_ROOTS[i + 1] as string);
    });
  });

  test("sizes 0..20 and a few larger ones equal the naive recursive MTH", () => {
    for (const size of [...Array.from({ length: 21 }, (_, i) => i), 31, 32, 33, 100, 257]) {
      const lines = linesOf(size);
      expect(hex(merkleRoot(lines.map(leafHash)))).toBe(hex(naiveMth(lines)));
    }
  });
});

describe("audit paths (RFC 6962 §2.1.1, RFC 9162 §2.1.3.2)", () => {
  const ctLeaves = CT_LEAF_INPUTS.map(leafHash);

  test.each(CT_AUDIT_PATHS)("CT: leaf $index of $size", ({ index, size, path }) => {
    const leaves = ctLeaves.slice(0, size);
    expect(auditPath(index, leaves).map(hex)).toEqual(path);
    const root = fromHex(CT_ROOTS[size] as string);
    const proof = { leafHash: ctLeaves[index] as Uint8Array, index, size, root };
    expect(verifyAuditPath({ ...proof, path: path.map(fromHex) })).toBe(true);
  });

  test("sizes 1..20: every path equals the naive PATH and verifies; any changed bit fails", () => {
    for (let size = 1; size <= 20; size++) {
      const lines = linesOf(size);
      const leaves = lines.map(leafHash);
      const root = merkleRoot(leaves);
      const paths = auditPaths(
        leaves.map((_, i) => i),
        leaves,
      );
      for (let index = 0; index < size; index++) {
        const path = paths[index] as Uint8Array[];
        const leaf = leaves[index] as Uint8Array;
        expect(path.map(hex)).toEqual(naivePath(index, lines).map(hex));
        expect(auditPath(index, leaves).map(hex)).toEqual(path.map(hex));
        const proof = { leafHash: leaf, index, size, path, root };
        expect(verifyAuditPath(proof)).toBe(true);
        expect(hex(rootFromAuditPath(proof) as Uint8Array)).toBe(hex(root));
        const fails = (changed: Partial<typeof proof>) =>
          expect(verifyAuditPath({ ...proof, ...changed })).toBe(false);
        for (let bit = 0; bit < 256; bit++) {
          fails({ leafHash: flipBit(leaf, bit) });
          fails({ root: flipBit(root, bit) });
          path.forEach((sibling, at) => {
            fails({ path: path.map((p, j) => (j === at ? flipBit(sibling, bit) : p)) });
          });
        }
        // The line itself, one bit changed: another leaf.
        const line = lines[index] as Uint8Array;
        for (let bit = 0; bit < line.byteLength * 8; bit += 5)
          fails({ leafHash: leafHash(flipBit(line, bit)) });
        // Another place, another size (where the shape differs), a path too short or too long.
        for (const other of [index - 1, index + 1, index ^ 1, index ^ 2, size])
          if (other !== index) fails({ index: other });
        // A size the leaf is not in, or one with a level more. (Sizes with the same shape
        // on the leaf's way up give the same root: merkle_size is signed beside the root.)
        fails({ size: index });
        fails({ size: size * 2 });
        if (path.length > 0) fails({ path: path.slice(0, -1) });
        fails({ path: [...path, root] });
        fails({ path: [root, ...path] });
        if (size > 1) fails({ leafHash: root }); // (in a 1-leaf tree the root is the leaf)
      }
    }
  });

  test("a leaf at index 0 of a 1-leaf tree: the empty path, the root is the leaf", () => {
    const leaf = leafHash(encoder.encode("data"));
    expect(auditPath(0, [leaf])).toEqual([]);
    expect(verifyAuditPath({ leafHash: leaf, index: 0, size: 1, path: [], root: leaf })).toBe(true);
    expect(
      verifyAuditPath({ leafHash: leaf, index: 0, size: 1, path: [], root: EMPTY_MERKLE_ROOT }),
    ).toBe(false);
  });

  test("impossible proofs fail instead of throwing; asking for a leaf the tree lacks throws", () => {
    const leaf = leafHash(encoder.encode("data"));
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [-1, 4],
      [0.5, 4],
    ] as const) {
      expect(verifyAuditPath({ leafHash: leaf, index, size, path: [], root: leaf })).toBe(false);
    }
    expect(
      verifyAuditPath({
        leafHash: leaf,
        index: 0,
        size: 2,
        path: [new Uint8Array(31)],
        root: leaf,
      }),
    ).toBe(false);
    expect(() => auditPath(3, [leaf, leaf, leaf])).toThrow(CustodyError);
    expect(() => auditPath(0, [])).toThrow("leaf index 0 is not in a tree of 0 leaves");
  });

  test("indices above 2^31 keep their bits (no 32-bit shifts)", () => {
    // A path for the last leaf of a tree of 2^32 + 1 leaves is one hash (the left
    // subtree's root): only the arithmetic matters here, not the hashes.
    const size = 2 ** 32 + 1;
    const leaf = leafHash(encoder.encode("last"));
    const left = leafHash(encoder.encode("all the others"));
    const root = nodeHash(left, leaf);
    expect(verifyAuditPath({ leafHash: leaf, index: size - 1, size, path: [left], root })).toBe(
      true,
    );
  });
});

describe("LinesMerkleTree: the leaves are the lines of a stream, whatever its pieces", () => {
  const lines = linesOf(13);
  const file = Buffer.concat(lines.flatMap((line) => [line, encoder.encode("\n")]));
  const want = hex(merkleRoot(lines.map(leafHash)));

  test.each([1, 2, 7, 64, file.byteLength])("pieces of %d bytes", (pieceBytes) => {
    const tree = new LinesMerkleTree();
    for (let at = 0; at < file.byteLength; at += pieceBytes)
      tree.push(new Uint8Array(file.subarray(at, at + pieceBytes)));
    const { root, size } = tree.finish();
    expect({ root: hex(root), size }).toEqual({ root: want, size: 13 });
  });

  test("no bytes: the empty tree; an empty line is a leaf; bytes after the last \\n are refused", () => {
    expect(hex(new LinesMerkleTree().finish().root)).toBe(EMPTY_SHA256);
    const withEmptyLine = new LinesMerkleTree();
    withEmptyLine.push(encoder.encode("a\n\nb\n"));
    expect(hex(withEmptyLine.finish().root)).toBe(
      hex(naiveMth(["a", "", "b"].map((s) => encoder.encode(s)))),
    );
    const unterminated = new LinesMerkleTree();
    unterminated.push(encoder.encode("a\nb"));
    expect(() => unterminated.finish()).toThrow("line 2 does not end with \\n (1 bytes");
  });
});
