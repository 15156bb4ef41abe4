/**
 * Bounded zstd decoding for record batches. `Bun.zstdDecompressSync` has no
 * output limit, so a few KiB of crafted input could ask for gigabytes. Before
 * decoding we walk the frame's structure (header and block headers, no
 * decompression) and bound what it can produce: the declared content size
 * when present, else 128 KiB per block (the format's block maximum).
 */

/** Why a batch body cannot be decoded; `tooLarge` maps to 413, the rest to 400. */
export class BatchDecodeError extends Error {
  override readonly name = "BatchDecodeError";
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_MAX_BYTES = 128 * 1024;

export interface ZstdFrameShape {
  /** Frame_Content_Size from the header, when the encoder wrote it. */
  contentSize: number | undefined;
  /** Most bytes the frame can decode to. */
  maxDecodedBytes: number;
}

/**
 * Check that `bytes` is exactly one zstd frame and bound its decoded size.
 * Throws BatchDecodeError for anything else (several frames, trailing bytes,
 * skippable frames, truncation).
 */
export function inspectZstdFrame(bytes: Uint8Array): ZstdFrameShape {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, count: number) => {
    if (at + count > bytes.byteLength) throw new BatchDecodeError("zstd frame is truncated");
  };
  need(0, 5);
  if (view.getUint32(0, true) !== ZSTD_MAGIC)
    throw new BatchDecodeError("body is not a zstd frame");
  const descriptor = view.getUint8(4);
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const hasChecksum = (descriptor >> 2) & 1;
  const dictionaryIdFlag = descriptor & 3;
  let at = 5 + (singleSegment ? 0 : 1);
  at += [0, 1, 2, 4][dictionaryIdFlag] ?? 0;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag] ?? 0;
  need(at, contentSizeBytes);
  let contentSize: number | undefined;
  if (contentSizeBytes === 1) contentSize = view.getUint8(at);
  else if (contentSizeBytes === 2) contentSize = view.getUint16(at, true) + 256;
  else if (contentSizeBytes === 4) contentSize = view.getUint32(at, true);
  else if (contentSizeBytes === 8) contentSize = Number(view.getBigUint64(at, true));
  at += contentSizeBytes;
  let blocks = 0;
  for (;;) {
    need(at, 3);
    const header = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getUint8(at + 2) << 16);
    at += 3;
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new BatchDecodeError("zstd frame has a reserved block type");
    if (size > BLOCK_MAX_BYTES) throw new BatchDecodeError("zstd block is larger than 128 KiB");
    // An RLE block stores one byte and repeats it `size` times.
    at += type === 1 ? 1 : size;
    need(at, 0);
    blocks++;
    if (last) break;
  }
  at += hasChecksum ? 4 : 0;
  need(at, 0);
  if (at !== bytes.byteLength) {
    throw new BatchDecodeError("body holds bytes after the zstd frame (one frame per batch)");
  }
  const maxDecodedBytes = Math.min(
    contentSize ?? Number.POSITIVE_INFINITY,
    blocks * BLOCK_MAX_BYTES,
  );
  return { contentSize, maxDecodedBytes };
}

/**
 * Decode a batch body to exactly `declaredLength` bytes, refusing to produce
 * more than `maxBytes`.
 *
 * @example
 * const records = decompressBatch(body, Number(headers["x-lm-length"]), 64 * 1024 * 1024);
 */
export function decompressBatch(
  body: Uint8Array,
  declaredLength: number,
  maxBytes: number,
): Uint8Array {
  const shape = inspectZstdFrame(body);
  if (shape.contentSize !== undefined && shape.contentSize > maxBytes) {
    throw new BatchDecodeError(`zstd frame declares ${shape.contentSize} bytes`, true);
  }
  if (shape.contentSize !== undefined && shape.contentSize !== declaredLength) {
    throw new BatchDecodeError(
      `zstd frame declares ${shape.contentSize} bytes but x-lm-length is ${declaredLength}`,
    );
  }
  if (shape.maxDecodedBytes > maxBytes && shape.contentSize === undefined) {
    throw new BatchDecodeError("zstd frame without content size may exceed the cap", true);
  }
  let decoded: Uint8Array;
  try {
    decoded = Bun.zstdDecompressSync(body);
  } catch (error) {
    throw new BatchDecodeError(`zstd frame does not decode: ${(error as Error).message}`);
  }
  if (decoded.byteLength !== declaredLength) {
    throw new BatchDecodeError(
      `batch decodes to ${decoded.byteLength} bytes but x-lm-length is ${declaredLength}`,
    );
  }
  return decoded;
}
