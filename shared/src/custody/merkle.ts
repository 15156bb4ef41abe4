/**
 * The RFC 6962 Merkle tree (Certificate Transparency, §2.1; RFC 9162 §2.1)
 * over the lines of records.jsonl, whose root `logmaster-chunk/1.1` manifests
 * sign (docs/custody-format.md §16). With it one line can be shown to be in a
 * signed chunk (an audit path of ~log2(n) hashes) without showing the others.
 *
 * - leaf hash: SHA-256(0x00 ‖ the line's bytes without its `\n`)
 * - node hash: SHA-256(0x01 ‖ left ‖ right)
 * - MTH of n > 1 leaves: node(MTH(first k), MTH(rest)), k the largest power of
 *   two smaller than n; of one leaf: its leaf hash; of none: SHA-256 of no bytes.
 */
import { CustodyError } from "./errors.ts";

/** Bytes of a SHA-256 digest, and so of every hash in the tree. */
export const MERKLE_HASH_BYTES = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const NEWLINE = 0x0a;

function sha256(bytes: Uint8Array): Uint8Array {
  const digest = new Uint8Array(MERKLE_HASH_BYTES);
  Bun.CryptoHasher.hash("sha256", bytes, digest);
  return digest;
}

/**
 * One buffer reused for `0x00 ‖ line`: hashing it in one call is ~40% faster
 * than a hasher per line fed twice (the agent hashes every line it seals).
 */
let leafScratch = new Uint8Array(4096);

/**
 * The leaf hash of one records.jsonl line: SHA-256(0x00 ‖ line), `line`
 * without its trailing `\n`.
 *
 * @example
 * leafHash(new TextEncoder().encode('{"seq":1,...}')) // 32 bytes
 */
export function leafHash(line: Uint8Array): Uint8Array {
  if (leafScratch.byteLength < line.byteLength + 1) {
    leafScratch = new Uint8Array(Math.max(line.byteLength + 1, leafScratch.byteLength * 2));
  }
  leafScratch[0] = LEAF_PREFIX;
  leafScratch.set(line, 1);
  return sha256(leafScratch.subarray(0, line.byteLength + 1));
}

const nodeScratch = new Uint8Array(1 + 2 * MERKLE_HASH_BYTES);

/**
 * The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * nodeHash(leafHash(a), leafHash(b)) // the root of the tree [a, b]
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.byteLength === MERKLE_HASH_BYTES && right.byteLength === MERKLE_HASH_BYTES) {
    nodeScratch[0] = NODE_PREFIX;
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + MERKLE_HASH_BYTES);
    return sha256(nodeScratch);
  }
  // Only test vectors hash children of other lengths.
  const bytes = new Uint8Array(1 + left.byteLength + right.byteLength);
  bytes[0] = NODE_PREFIX;
  bytes.set(left, 1);
  bytes.set(right, 1 + left.byteLength);
  return sha256(bytes);
}

/** The root of the tree without leaves: SHA-256 of no bytes. */
export const EMPTY_MERKLE_ROOT: Uint8Array = sha256(new Uint8Array());

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 6962 splits n leaves. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A tree built leaf by leaf in O(log n) memory: it keeps the roots of the
 * perfect subtrees the leaves so far make (one per set bit of `size`, largest
 * first), so the agent can add leaves as it goes and take the root at seal.
 *
 * @example
 * const tree = new MerkleTree();
 * for (const line of lines) tree.push(leafHash(line));
 * const root = tree.root(); // = merkleRoot(lines.map(leafHash))
 */
export class MerkleTree {
  /** Roots of perfect subtrees, left to right, sizes strictly decreasing powers of two. */
  readonly #stack: Uint8Array[] = [];
  #size = 0;

  /** Add the next leaf (a {@link leafHash}). */
  push(leaf: Uint8Array): this {
    let hash = leaf;
    // Each trailing 1 bit of the old size is a subtree as large as the one being
    // carried: merge them, as binary addition carries.
    for (let carried = this.#size; carried & 1; carried = Math.floor(carried / 2)) {
      hash = nodeHash(this.#stack.pop() as Uint8Array, hash);
    }
    this.#stack.push(hash);
    this.#size++;
    return this;
  }

  /** Leaves added so far. */
  get size(): number {
    return this.#size;
  }

  /** MTH of the leaves so far (the tree can keep growing afterwards). */
  root(): Uint8Array {
    let root = this.#stack.at(-1);
    if (root === undefined) return EMPTY_MERKLE_ROOT;
    for (let i = this.#stack.length - 2; i >= 0; i--) {
      root = nodeHash(this.#stack[i] as Uint8Array, root);
    }
    return root;
  }
}

/**
 * MTH(D[n]) of leaf hashes, RFC 6962 §2.1.
 *
 * @example
 * merkleRoot([]) // EMPTY_MERKLE_ROOT
 * merkleRoot([leafHash(line)]) // that leaf hash
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const tree = new MerkleTree();
  for (const leaf of leafHashes) tree.push(leaf);
  return tree.root();
}

/**
 * The audit paths of several leaves at once, in one walk over the tree
 * (every node hashed once, however many leaves are asked for): what a
 * disclosure of many lines of one chunk needs. Each path is RFC 6962 §2.1.1
 * PATH(m, D[n]): sibling hashes from the leaf up to the root's child.
 *
 * @example
 * const [pathOf3, pathOf7] = auditPaths([3, 7], leafHashes);
 */
export function auditPaths(
  indices: readonly number[],
  leafHashes: readonly Uint8Array[],
): Uint8Array[][] {
  const size = leafHashes.length;
  for (const index of indices) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new CustodyError(
        "invalid_argument",
        `leaf index ${index} is not in a tree of ${size} leaves (0..${size - 1})`,
      );
    }
  }
  const paths = new Map<number, Uint8Array[]>(indices.map((index) => [index, []]));
  const wanted = [...paths.keys()].sort((a, b) => a - b);
  /** MTH of leaves [from, to), appending siblings to the paths of the wanted leaves in it. */
  const walk = (from: number, to: number, inside: number[]): Uint8Array => {
    if (to - from === 1) return leafHashes[from] as Uint8Array;
    const middle = from + splitPoint(to - from);
    const left = inside.filter((index) => index < middle);
    const right = inside.filter((index) => index >= middle);
    const leftRoot = walk(from, middle, left);
    const rightRoot = walk(middle, to, right);
    for (const index of left) paths.get(index)?.push(rightRoot);
    for (const index of right) paths.get(index)?.push(leftRoot);
    return nodeHash(leftRoot, rightRoot);
  };
  if (size > 0) walk(0, size, wanted);
  return indices.map((index) => paths.get(index) as Uint8Array[]);
}

/**
 * PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf `index` (0-based,
 * line `index + 1` of records.jsonl), leaf to root.
 *
 * @example
 * const path = auditPath(2, leafHashes);
 * verifyAuditPath({ leafHash: leafHashes[2], index: 2, size: leafHashes.length, path, root }); // true
 */
export function auditPath(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return auditPaths([index], leafHashes)[0] as Uint8Array[];
}

export interface AuditPathProof {
  /** The {@link leafHash} of the disclosed line. */
  leafHash: Uint8Array;
  /** Its place among the leaves, 0-based. */
  index: number;
  /** Leaves in the tree: the manifest's `merkle_size`. */
  size: number;
  /** Sibling hashes, leaf to root (what {@link auditPath} returns). */
  path: readonly Uint8Array[];
}

/**
 * The root an audit path leads to, by RFC 9162 §2.1.3.2; undefined when the
 * path cannot belong to a leaf `index` of a tree of `size` leaves (index out
 * of range, too few or too many hashes, a hash that is not 32 bytes).
 *
 * @example
 * const root = rootFromAuditPath({ leafHash, index: 5, size: 8, path });
 */
export function rootFromAuditPath(proof: AuditPathProof): Uint8Array | undefined {
  const { index, size, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return undefined;
  }
  if (proof.leafHash.byteLength !== MERKLE_HASH_BYTES) return undefined;
  // Tree sizes stay below 2^53: plain division keeps them exact where `>>` would cut at 2^31.
  const half = (n: number) => Math.floor(n / 2);
  let fn = index;
  let sn = size - 1;
  let root = proof.leafHash;
  for (const sibling of path) {
    if (sn === 0 || sibling.byteLength !== MERKLE_HASH_BYTES) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      root = nodeHash(sibling, root);
      // The right edge of an unbalanced tree: climb past the levels where this node has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      root = nodeHash(root, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? root : undefined;
}

/**
 * Whether `path` proves that `leafHash` is leaf `index` of the tree of `size`
 * leaves whose root is `root` (RFC 9162 §2.1.3.2).
 *
 * @example
 * verifyAuditPath({ leafHash: leafHash(line), index, size: manifest.merkle_size, path,
 *   root: Buffer.from(manifest.merkle_root, "hex") });
 */
export function verifyAuditPath(proof: AuditPathProof & { root: Uint8Array }): boolean {
  const computed = rootFromAuditPath(proof);
  return computed !== undefined && Buffer.compare(computed, proof.root) === 0;
}

/**
 * The tree over the lines of a byte stream (records.jsonl), fed in pieces of
 * any size: each line, without its `\n`, is a leaf. Lines that straddle two
 * pieces are hashed incrementally, never joined.
 *
 * @example
 * const lines = new LinesMerkleTree();
 * for await (const piece of readFilePieces(path)) lines.push(piece);
 * const { root, size } = lines.finish();
 */
export class LinesMerkleTree {
  readonly #tree = new MerkleTree();
  /** The start of a line whose `\n` has not come yet (0x00 and its bytes so far). */
  #partial: Bun.CryptoHasher | undefined;
  #partialBytes = 0;

  push(piece: Uint8Array): void {
    let lineStart = 0;
    for (
      let newlineAt = piece.indexOf(NEWLINE);
      newlineAt !== -1;
      newlineAt = piece.indexOf(NEWLINE, lineStart)
    ) {
      const line = piece.subarray(lineStart, newlineAt);
      if (this.#partial) {
        // A copy as a plain Uint8Array, like every other hash here (digest() gives a Buffer).
        this.#tree.push(new Uint8Array(this.#partial.update(line).digest()));
        this.#partial = undefined;
        this.#partialBytes = 0;
      } else {
        this.#tree.push(leafHash(line));
      }
      lineStart = newlineAt + 1;
    }
    if (lineStart < piece.byteLength) {
      this.#partial ??= new Bun.CryptoHasher("sha256").update(new Uint8Array([LEAF_PREFIX]));
      this.#partial.update(piece.subarray(lineStart));
      this.#partialBytes += piece.byteLength - lineStart;
    }
  }

  /** Lines so far. */
  get size(): number {
    return this.#tree.size;
  }

  /**
   * The root over every line. Throws `invalid_records_file` when the stream
   * does not end with `\n` (records.jsonl always does: its last bytes are no line).
   */
  finish(): { root: Uint8Array; size: number } {
    if (this.#partial) {
      throw new CustodyError(
        "invalid_records_file",
        `records.jsonl line ${this.#tree.size + 1} does not end with \\n (${this.#partialBytes} bytes after the last \\n)`,
      );
    }
    return { root: this.#tree.root(), size: this.#tree.size };
  }
}
