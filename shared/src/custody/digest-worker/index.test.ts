import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustodyError } from "../errors.ts";
import { digestRecordsFile } from "../records-file.ts";
import { digestRecordsFileOnWorker } from "./index.ts";

const CRASHING_WORKER = new URL("./crashing-worker.testing.ts", import.meta.url).href;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileWith(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lm-digest-worker-"));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const lines = Array.from({ length: 5000 }, (_, i) => `{"seq":${i + 1},"msg":"line ${i}"}\n`);

test("the worker's digest equals digestRecordsFile's, with and without the tree", async () => {
  const path = fileWith("records.jsonl", lines.join(""));
  for (const merkle of [true, false]) {
    const onWorker = await digestRecordsFileOnWorker(path, { merkle });
    expect(onWorker).toEqual(await digestRecordsFile(path, { merkle }));
    expect("merkle" in onWorker).toBe(merkle);
  }
});

test("a CustodyError in the worker comes back as the same CustodyError", async () => {
  const path = fileWith("records.jsonl", `${lines.join("")}{"seq":5001`);
  const onMain = await digestRecordsFile(path, { merkle: true }).catch((error: unknown) => error);
  const onWorker = await digestRecordsFileOnWorker(path, { merkle: true }).catch(
    (error: unknown) => error,
  );
  expect(onMain).toBeInstanceOf(CustodyError);
  expect(onWorker).toBeInstanceOf(CustodyError);
  expect((onWorker as CustodyError).code).toBe((onMain as CustodyError).code);
  expect((onWorker as CustodyError).message).toBe((onMain as CustodyError).message);
});

test("an unreadable file rejects", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lm-digest-worker-"));
  dirs.push(dir);
  const missing = join(dir, "records.jsonl");
  const onMain = await digestRecordsFile(missing).catch((error: Error) => error.message);
  await expect(digestRecordsFileOnWorker(missing)).rejects.toThrow(onMain);
});

test("a worker that crashes or exits without answering rejects; this thread carries on", async () => {
  const path = fileWith("records.jsonl", lines.join(""));
  await expect(
    digestRecordsFileOnWorker(path, { merkle: true, workerUrl: CRASHING_WORKER }),
  ).rejects.toThrow("the records digest worker failed");
  await expect(
    digestRecordsFileOnWorker(`${path}.exit`, { merkle: true, workerUrl: CRASHING_WORKER }),
  ).rejects.toThrow("the records digest worker exited (code 3) without an answer");
  // A later digest still works.
  expect(await digestRecordsFileOnWorker(path, { merkle: true })).toEqual(
    await digestRecordsFile(path, { merkle: true }),
  );
});

test("a worker that cannot be loaded rejects", async () => {
  const path = fileWith("records.jsonl", lines.join(""));
  const missingWorker = new URL("./no-such-worker.ts", import.meta.url).href;
  await expect(
    digestRecordsFileOnWorker(path, { merkle: true, workerUrl: missingWorker }),
  ).rejects.toThrow("the records digest worker failed");
});
