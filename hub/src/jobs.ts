/**
 * The hub's daily jobs: roll up the days that ended, then purge chunks past
 * retention. Every hub process runs the loop; a conditional update of one
 * settings row lets only one of them do the work per interval (roll-ups cost
 * TSA credit, purges must not race).
 */
import { and, eq, lt } from "drizzle-orm";
import type { AdminContext } from "./admin/index.ts";
import { purgeExpiredChunks } from "./retention/index.ts";
import { rollUpEndedDays } from "./rollup/index.ts";
import { tables } from "./store/index.ts";

const JOB_KEY = "daily_jobs_last_run";

/** Whether this hub won the run of this interval (at most one hub per `intervalMs`). */
async function claimDailyRun(context: AdminContext, intervalMs: number): Promise<boolean> {
  const { settings } = tables;
  const now = new Date();
  await context.db
    .insert(settings)
    .values({ key: JOB_KEY, value: new Date(0).toISOString() })
    .onConflictDoNothing();
  const claimed = await context.db
    .update(settings)
    .set({ value: now.toISOString() })
    .where(
      and(
        eq(settings.key, JOB_KEY),
        // ISO texts of one format compare as their instants.
        lt(settings.value, new Date(now.getTime() - intervalMs + 1_000).toISOString()),
      ),
    )
    .returning();
  return claimed.length > 0;
}

/**
 * Start the loop; `stop` waits for a running pass.
 *
 * @example
 * const jobs = startDailyJobs(adminContext, 3_600_000);
 * await jobs.stop();
 */
export function startDailyJobs(context: AdminContext, intervalMs: number) {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const pass = async () => {
    if (!(await claimDailyRun(context, intervalMs))) return;
    await rollUpEndedDays(context);
    await purgeExpiredChunks(context, { dryRun: false, actor: "hub:daily-job" });
  };
  const tick = () => {
    if (stopped) return;
    running = pass().catch((error) =>
      context.events.emit({ name: "DailyJobFailed", error: String(error) }),
    );
  };
  const timer = setInterval(tick, intervalMs);
  const first = setTimeout(tick, Math.min(intervalMs, 30_000));
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      await running.catch(() => {});
    },
  };
}
