/**
 * How the hub process's memory allocator should run. Bun allocates with
 * mimalloc, which reads its `MIMALLOC_*` options from the environment once,
 * when the process starts: so they are set by whatever starts the hub
 * (hub/packaging/logmaster-hub.service, the benches that run hub code), and
 * the hub only reports at start whether they are in effect.
 *
 * By default mimalloc gives freed pages back to the kernel 100 ms after
 * they were freed. The index worker frees and takes again hundreds of megabytes
 * a minute (a step's records, its rows, its COPY data), so nearly every reuse
 * was a fresh page and a page fault. Kept instead (`MIMALLOC_PURGE_DELAY=-1`),
 * freed memory is reused as it is: the process keeps its peak size, as a JVM
 * with `-Xms` equal to `-Xmx` does, bounded here by the step size and the
 * agents indexed at once. Measured on the two-core VM (docs/decisions.md
 * "Hub memory: freed pages kept"): parse, derive and encode fell from 12–17
 * to 7.3–8.6 µs of CPU per event, and the page faults from about 0.3 per
 * event to none.
 */

/** The environment the hub process is started with (systemd unit, benches). */
export const HUB_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_DELAY: "-1",
};

/** `NAME=value …` of {@link HUB_ALLOCATOR_ENV}, as a unit file or a shell says it. */
export const hubAllocatorAssignments = (): string =>
  Object.entries(HUB_ALLOCATOR_ENV)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");

/** The options of {@link HUB_ALLOCATOR_ENV} that `env` lacks or sets otherwise. */
export function allocatorOptionsMissing(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(HUB_ALLOCATOR_ENV)
    .filter(([name, value]) => env[name] !== value)
    .map(([name]) => name);
}

/**
 * One line for the hub's start banner: whether freed memory is kept.
 *
 * @example
 * allocatorStatus({ MIMALLOC_PURGE_DELAY: "-1" }); // "freed memory kept for reuse (MIMALLOC_PURGE_DELAY=-1)"
 */
export function allocatorStatus(env: NodeJS.ProcessEnv = process.env): string {
  const missing = allocatorOptionsMissing(env);
  if (missing.length === 0) return `freed memory kept for reuse (${hubAllocatorAssignments()})`;
  const given = missing.map((name) => `${name}=${env[name] ?? "unset"}`).join(" ");
  return `freed memory goes back to the kernel (${given}): indexing pays a page fault per reuse; start the hub with ${hubAllocatorAssignments()} (docs/install-hub.md)`;
}
