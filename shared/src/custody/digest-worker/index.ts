/**
 * `digestRecordsFile` on a worker thread: SHA-256, length and (for format
 * 1.1) the Merkle tree of a records.jsonl, computed on another core. The
 * agent's seal uses it so the thread that receives datagrams only awaits the
 * result (the tree alone costs ~1.5 µs a record); the verifier, to hash a
 * large file while its main thread checks the lines.
 */
import { CustodyError, type CustodyErrorCode } from "../errors.ts";
import type { RecordsDigest } from "../records-file.ts";

/** What ./worker.ts is asked. */
export interface DigestRequest {
  path: string;
  merkle: boolean;
}

/** What ./worker.ts answers. */
export type DigestReply =
  | { digest: RecordsDigest }
  | { error: { message: string; code?: CustodyErrorCode } };

/** ./worker.ts, from the repo root: where `bun build --compile` puts it in a binary. */
const WORKER_FROM_REPO_ROOT = "shared/src/custody/digest-worker/worker.ts";

/**
 * The worker module's URL. From source it sits beside this file. In a
 * `bun build --compile` binary every entry point lives under
 * `/$bunfs/root/` by its path from the entry points' common folder (the repo
 * root), and `import.meta.url` is the binary itself, so the path next to this
 * file would not exist there.
 */
function workerUrl(): string {
  if (import.meta.url.startsWith("file:///$bunfs/")) {
    return new URL(`./${WORKER_FROM_REPO_ROOT}`, import.meta.url).href;
  }
  return new URL("./worker.ts", import.meta.url).href;
}

export interface DigestOnWorkerOptions {
  /** Also build the RFC 6962 tree over the lines (format 1.1). Default false. */
  merkle?: boolean;
  /** Another worker module speaking the same messages (tests: one that crashes). */
  workerUrl?: string;
}

/**
 * {@link digestRecordsFile} on a worker thread started for this one file and
 * ended with the answer. It rejects when the worker fails to start, crashes
 * or exits without answering, and with the same `CustodyError` (code and
 * message) that `digestRecordsFile` would have thrown. The worker is unref'd:
 * a digest under way never keeps the process alive at shutdown.
 *
 * @example
 * const { sha256Hex, byteLength, merkle } = await digestRecordsFileOnWorker(path, { merkle: true });
 */
export function digestRecordsFileOnWorker(
  path: string,
  options: DigestOnWorkerOptions = {},
): Promise<RecordsDigest> {
  return new Promise<RecordsDigest>((resolve, reject) => {
    const worker = new Worker(options.workerUrl ?? workerUrl());
    worker.unref();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      worker.terminate();
      outcome();
    };
    worker.onmessage = (event: MessageEvent<DigestReply>) => {
      const reply = event.data;
      settle(() => ("digest" in reply ? resolve(reply.digest) : reject(errorOf(reply.error))));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      settle(() => reject(new Error(`the records digest worker failed: ${event.message}`)));
    };
    worker.addEventListener("close", (event) => {
      settle(() =>
        reject(
          new Error(`the records digest worker exited (code ${event.code}) without an answer`),
        ),
      );
    });
    const request: DigestRequest = { path, merkle: options.merkle === true };
    worker.postMessage(request);
  });
}

function errorOf({ message, code }: { message: string; code?: CustodyErrorCode }): Error {
  return code === undefined ? new Error(message) : new CustodyError(code, message);
}
