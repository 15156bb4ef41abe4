/**
 * For tests: a digest worker that never answers. Asked about a path ending in
 * "exit" it exits with code 3; about any other it throws (an uncaught error
 * kills the worker).
 */
import type { DigestRequest } from "./index.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<DigestRequest>) => {
  if (event.data.path.endsWith("exit")) process.exit(3);
  throw new Error("the test worker crashed");
};
