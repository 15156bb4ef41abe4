/**
 * A hub as a child process (`logmaster-hub serve`), so a test can kill it
 * with -9 mid-work: the listeners bind free ports, which the test reads from
 * `<data-dir>/hub.json` as the CLI does.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HUB_STATE_FILE, type HubState } from "../../hub/src/hub.ts";
import { repoRoot, waitFor } from "./pipeline.ts";

export interface HubProcess {
  process: Bun.Subprocess;
  /** hub.json once the listeners are up (http_url and ingest_url set). */
  state: HubState;
  /** The end of what the hub logged (its events, one JSON line each). */
  logTail(): string;
  kill(signal?: NodeJS.Signals | number): Promise<void>;
}

/** How much of the hub's log is kept to explain a failure. */
const LOG_TAIL_CHARS = 32_768;

/**
 * Start `logmaster-hub serve` on free ports; `env` adds to this process's
 * environment (DATABASE_URL, REDIS_URL, HUB_INDEX_STEP_BYTES...).
 *
 * @example
 * const hub = await spawnHubProcess(dir, { DATABASE_URL: url, HUB_CA_KEY_BITS: "2048" });
 * await hub.kill("SIGKILL");
 */
export async function spawnHubProcess(
  dataDir: string,
  env: Record<string, string>,
): Promise<HubProcess> {
  const child = Bun.spawn(
    [
      "bun",
      join(repoRoot, "hub/src/cli/main.ts"),
      "serve",
      "--data-dir",
      dataDir,
      "--ingest",
      "127.0.0.1:0",
      "--http",
      "127.0.0.1:0",
    ],
    { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" },
  );
  let tail = "";
  const keep = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const piece of stream) {
      tail = (tail + decoder.decode(piece, { stream: true })).slice(-LOG_TAIL_CHARS);
    }
  };
  // Drain both pipes all along: a full pipe would block the hub's logging.
  void keep(child.stdout).catch(() => {});
  void keep(child.stderr).catch(() => {});
  const statePath = join(dataDir, HUB_STATE_FILE);
  let state: HubState | undefined;
  await waitFor(
    "the hub process to write its listeners into hub.json",
    () => {
      if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}: ${tail}`);
      if (!existsSync(statePath)) return false;
      let read: HubState;
      try {
        read = JSON.parse(readFileSync(statePath, "utf8")) as HubState;
      } catch {
        return false; // caught mid-write
      }
      if (read.pid !== child.pid || !read.http_url) return false;
      state = read;
      return true;
    },
    60_000,
  );
  return {
    process: child,
    state: state as HubState,
    logTail: () => tail,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await child.exited;
    },
  };
}
