/**
 * A worker thread that digests one records.jsonl: the verifier hashes a large
 * file here (SHA-256, and for format 1.1 the Merkle tree over its lines)
 * while the main thread checks its lines, so the two halves of the work use
 * two cores. Message in: `{ path, merkle }`; out: the file's
 * `{ sha256Hex, byteLength, merkle? }` (a RecordsDigest), or `{ error }`.
 */
import { digestRecordsFile } from "../custody/index.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<{ path: string; merkle: boolean }>) => {
  try {
    self.postMessage(await digestRecordsFile(event.data.path, { merkle: event.data.merkle }));
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
