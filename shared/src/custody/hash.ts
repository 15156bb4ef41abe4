import { z } from "zod";

/** Lower-case hex SHA-256, the only digest spelling the format uses. */
export const sha256HexSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be a SHA-256 digest as 64 lower-case hex digits");

/** SHA-256 of zero bytes: the `records_sha256` of an hour without records. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Lower-case hex SHA-256 of bytes (a string is hashed as its UTF-8 bytes).
 *
 * @example
 * sha256Hex(new Uint8Array()) // EMPTY_SHA256
 */
export function sha256Hex(bytes: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/**
 * SHA-256 over bytes that arrive piece by piece, with their count: the agent
 * feeds each records.jsonl line to it as it appends, so sealing an hour needs
 * no second read of the file.
 *
 * @example
 * const running = new IncrementalSha256();
 * running.update(line);
 * running.digestHex(); // hash of everything so far; more updates may follow
 */
export class IncrementalSha256 {
  readonly #hasher = new Bun.CryptoHasher("sha256");
  #byteLength = 0;

  update(bytes: Uint8Array): this {
    this.#hasher.update(bytes);
    this.#byteLength += bytes.byteLength;
    return this;
  }

  /** Bytes hashed so far: the `byte_length` that goes with {@link digestHex}. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Hex digest of the bytes so far; does not end the hash (works on a copy). */
  digestHex(): string {
    return this.#hasher.copy().digest("hex");
  }
}

/** Called after each piece of a file is read; `totalBytes` is the size at open. */
export type ProgressCallback = (doneBytes: number, totalBytes: number) => void;

/**
 * The pieces of a file, in order, without holding the file in memory (chunks
 * may be gigabytes in a busy hour).
 *
 * @example
 * for await (const piece of readFilePieces("chunk/records.jsonl")) scanner.push(piece);
 */
export async function* readFilePieces(
  path: string,
  onProgress?: ProgressCallback,
): AsyncGenerator<Uint8Array> {
  const file = Bun.file(path);
  const totalBytes = file.size;
  let doneBytes = 0;
  for await (const piece of file.stream()) {
    yield piece;
    doneBytes += piece.byteLength;
    onProgress?.(doneBytes, totalBytes);
  }
}

/**
 * Streaming SHA-256 and length of a file, as `sha256sum` would print it.
 *
 * @example
 * const { sha256Hex, byteLength } = await sha256OfFile("chunk/records.jsonl", (done, total) =>
 *   bar.update(done / total),
 * );
 */
export async function sha256OfFile(
  path: string,
  onProgress?: ProgressCallback,
): Promise<{ sha256Hex: string; byteLength: number }> {
  const running = new IncrementalSha256();
  for await (const piece of readFilePieces(path, onProgress)) running.update(piece);
  return { sha256Hex: running.digestHex(), byteLength: running.byteLength };
}
