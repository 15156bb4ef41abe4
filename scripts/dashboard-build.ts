/**
 * Build the dashboard (dashboard/, Vite on Node through `bun run build`)
 * when its dist is missing or older than its sources: `bun run start` and
 * the browser tests call it, so the hub always serves the current pages.
 *
 *   bun scripts/dashboard-build.ts   # build if stale, say which
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const dashboardDir = new URL("../dashboard", import.meta.url).pathname;
export const DASHBOARD_INDEX = join(dashboardDir, "dist", "index.html");

/**
 * What the build reads: a change to any of them makes dist stale. The hub
 * modules the pages import at run time (not only their types) count too.
 */
const SOURCES = [
  "src",
  "public",
  "index.html",
  "vite.config.ts",
  "package.json",
  "../hub/src/report/thresholds.ts",
];

/** The newest modification time under `path` (a file or a directory tree), in ms. */
function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** dist/index.html is missing or older than a source of the build. */
export function dashboardIsStale(): boolean {
  if (!existsSync(DASHBOARD_INDEX)) return true;
  const builtMs = statSync(DASHBOARD_INDEX).mtimeMs;
  return SOURCES.some((source) => newestMtimeMs(join(dashboardDir, source)) > builtMs);
}

/**
 * Build the dashboard if stale; throws with Vite's output when the build fails.
 *
 * @example
 * if (await ensureDashboardBuilt()) console.log("built the dashboard");
 */
export async function ensureDashboardBuilt(): Promise<boolean> {
  if (!dashboardIsStale()) return false;
  // `bun run build` runs the package's `vite build` with Vite's own shebang: on Node, not `bun --bun`.
  const build = Bun.spawn(["bun", "run", "build"], {
    cwd: dashboardDir,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(build.stdout).text(),
    new Response(build.stderr).text(),
    build.exited,
  ]);
  if (exitCode !== 0 || !existsSync(DASHBOARD_INDEX)) {
    throw new Error(
      `building the dashboard failed (bun run --cwd dashboard build):\n${stdout}${stderr}`,
    );
  }
  return true;
}

if (import.meta.main) {
  const built = await ensureDashboardBuilt();
  console.log(
    built ? "dashboard built: dashboard/dist" : "dashboard is up to date: dashboard/dist",
  );
}
