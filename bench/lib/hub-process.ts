/**
 * The benches that run hub code in their own process (bench/query.ts,
 * bench/e2e.ts) run it as the hub's systemd unit starts the hub: with
 * {@link HUB_ALLOCATOR_ENV}, which Bun's allocator reads only when a process
 * starts. Without it in the environment the bench starts itself again with it
 * and waits; an allocator option the caller set to something else is kept,
 * to measure that (e.g. `MIMALLOC_PURGE_DELAY=100 bun bench/query.ts`).
 */
import { allocatorOptionsMissing, HUB_ALLOCATOR_ENV } from "../../hub/src/config/allocator.ts";

/**
 * Return when this process runs as the hub would; otherwise run the same
 * command again as a child that does, and exit with its status.
 *
 * @example
 * await runAsHubProcess(); // first thing in the bench, before any work
 */
export async function runAsHubProcess(): Promise<void> {
  const missing = allocatorOptionsMissing();
  if (missing.length === 0 || missing.some((name) => process.env[name] !== undefined)) return;
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, ...HUB_ALLOCATOR_ENV },
    stdio: ["inherit", "inherit", "inherit"],
  });
  // Ctrl-C reaches the child too (one process group): it cleans up, then this exits with it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  process.exit(await child.exited);
}
