/**
 * The thread that digests one records.jsonl (see ./index.ts, which starts
 * it): message in `{ path, merkle }`, out `{ digest }` (a RecordsDigest) or
 * `{ error }` (its message, and its code when it is a CustodyError).
 *
 * `bun build --compile` must name this file as an entry point (package.json
 * `build:agent` does), else a compiled binary cannot start it.
 */
import { CustodyError } from "../errors.ts";
import { digestRecordsFile } from "../records-file.ts";
import type { DigestReply, DigestRequest } from "./index.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<DigestRequest>) => {
  let reply: DigestReply;
  try {
    reply = { digest: await digestRecordsFile(event.data.path, { merkle: event.data.merkle }) };
  } catch (error) {
    reply = {
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof CustodyError ? { code: error.code } : {}),
      },
    };
  }
  self.postMessage(reply);
};
