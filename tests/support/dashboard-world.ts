/**
 * One world for the dashboard's browser tests: a real zero-setup hub (PGlite)
 * fed by two real agents and the traffic simulator (started by
 * dashboard-hub.ts, which bench/dashboard.ts shares), its users (a chain admin,
 * a manager of the first hotel, an auditor, hotel IT of the first hotel), and
 * Debian's Chromium through playwright-core. A test file calls
 * `useDashboardWorld(name)` once at its top level; screenshots go to
 * `.tmp/test-output/<name>/` (or `$TEST_OUTPUT_DIR/<name>/`).
 *
 * @example
 * const world = useDashboardWorld("dashboard-search");
 * test("…", async () => {
 *   const { page, errors } = await world.openPage({ locale: "tr-TR" });
 *   await page.goto(world.hub().httpUrl);
 *   await world.signIn(page, "tr", "zincir");
 * });
 */
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { RunningAgent } from "../../agent/src/agent.ts";
import { en, type MessageKey } from "../../dashboard/src/i18n/en.ts";
import { tr } from "../../dashboard/src/i18n/tr.ts";
import type { RunningHub } from "../../hub/src/index.ts";
import { ensureDashboardBuilt } from "../../scripts/dashboard-build.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  collectProblems,
  launchChromium,
  testOutputDir,
} from "./browser.ts";
import { type DashboardHub, type SIGN_IN, signIn, startDashboardHub } from "./dashboard-hub.ts";
import { tempDir } from "./pipeline.ts";

export { HOTELS, PASSWORD, USERS } from "./dashboard-hub.ts";

export interface DashboardWorld {
  hub(): RunningHub;
  browser(): Browser;
  /** The agent of a hotel (0 or 1), e.g. to send a line to its UDP port. */
  agent(index: number): RunningAgent;
  /** A new browser context's page whose script and console errors are collected (expected HTTP refusals aside). */
  openPage(options?: {
    locale?: string;
    width?: number;
    height?: number;
  }): Promise<{ page: Page; errors: string[] }>;
  signIn(page: Page, language: keyof typeof SIGN_IN, username: string): Promise<void>;
  /**
   * English messages visible on a Turkish page (those without parameters that
   * Turkish words differently): a text that skipped the catalogue or did not
   * follow the switch.
   */
  untranslated(page: Page): Promise<string[]>;
  /** A full-page screenshot under the world's output dir. */
  shot(page: Page, name: string): Promise<unknown>;
}

/**
 * Start the world before the file's tests and stop it after them.
 *
 * @example
 * const world = useDashboardWorld("dashboard-browser");
 */
export function useDashboardWorld(name: string): DashboardWorld {
  const outputDir = testOutputDir(name);
  const dir = tempDir(name);
  let world: DashboardHub | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    await ensureDashboardBuilt();
    world = await startDashboardHub({ dir: dir.path });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    dir.remove();
  }, 60_000);

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the dashboard world's ${what} is not started`);
    return value;
  };

  return {
    hub: () => started<RunningHub>(world?.hub, "hub"),
    browser: () => started(browser, "browser"),
    agent: (index) => started<RunningAgent>(world?.agents[index], `agent ${index}`),
    async openPage(options = {}) {
      const context = await started(browser, "browser").newContext({
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
        locale: options.locale ?? "en-US",
      });
      const page = await context.newPage();
      const errors = collectProblems(page, {
        types: ["error"],
        // A refused request (the 404 of another hotel) is logged by the browser itself, not by our code.
        ignore: (text) => text.startsWith("Failed to load resource"),
      });
      return { page, errors };
    },
    signIn,
    async untranslated(page) {
      // The text a person sees (hidden elements aside), which is innerText's job.
      // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what this checks
      const text = await page.locator("body").innerText();
      return (Object.entries(en) as [MessageKey, string][])
        .filter(([key, english]) => english !== tr[key] && !english.includes("{"))
        .filter(([, english]) => {
          const escaped = english.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          return new RegExp(`(^|\\W)${escaped}(\\W|$)`).test(text);
        })
        .map(([key, english]) => `${key}: ${english}`);
    },
    shot: (page, shotName) =>
      page.screenshot({ path: join(outputDir, `${shotName}.png`), fullPage: true }),
  };
}
