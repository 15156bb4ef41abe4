/**
 * A worker thread that hashes one file: the verifier hashes a large
 * records.jsonl here while the main thread checks its lines, so the two
 * halves of the work use two cores. Message in: `{ path }`; out: the file's
 * `{ sha256Hex, byteLength }`, or `{ error }`.
 */
import { sha256OfFile } from "../custody/index.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<{ path: string }>) => {
  try {
    self.postMessage(await sha256OfFile(event.data.path));
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
