/**
 * One world for the dashboard's browser tests: a real zero-setup hub (PGlite)
 * fed by two real agents and the traffic simulator, its users (a chain admin,
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
import { type RunningAgent, startAgent } from "../../agent/src/agent.ts";
import { enrollAgent } from "../../agent/src/enroll/enroll.ts";
import { en, type MessageKey } from "../../dashboard/src/i18n/en.ts";
import { tr } from "../../dashboard/src/i18n/tr.ts";
import { type RunningHub, startHub } from "../../hub/src/index.ts";
import type { UserRole } from "../../hub/src/store/schema.ts";
import { ensureDashboardBuilt } from "../../scripts/dashboard-build.ts";
import { sendTraffic } from "../../shared/src/simulate/index.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  collectProblems,
  launchChromium,
  testOutputDir,
} from "./browser.ts";
import { tempDir, waitFor } from "./pipeline.ts";

export const PASSWORD = "correct horse battery staple";
export const HOTELS = [
  { id: "antalya-lara", name: "Lara Beach Otel (Antalya)" },
  { id: "istanbul-sisli", name: "Şişli Business Otel (İstanbul)" },
] as const;

/** The world's accounts, all with {@link PASSWORD}. */
export const USERS: readonly { username: string; role: UserRole; hotels?: string[] }[] = [
  { username: "zincir", role: "chain_admin" },
  { username: "mudur-a", role: "hotel_manager", hotels: [HOTELS[0].id] },
  { username: "denetci", role: "auditor" },
  { username: "bilgi-a", role: "hotel_it", hotels: [HOTELS[0].id] },
];

/** The sign-in form's labels, per language. */
const SIGN_IN = {
  en: { user: "User name", password: "Password", submit: "Sign in" },
  tr: { user: "Kullanıcı adı", password: "Parola", submit: "Oturum aç" },
} as const;

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
  let hub: RunningHub | undefined;
  const agents: RunningAgent[] = [];
  const stopFeed = new AbortController();
  let feeding: Promise<unknown> | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    await ensureDashboardBuilt();
    const started = await startHub({
      dataDir: join(dir.path, "hub"),
      ingest: "127.0.0.1:0",
      http: "127.0.0.1:0",
      caKeyBits: 2048,
      quiet: true,
    });
    hub = started;
    for (const hotel of HOTELS) {
      await started.admin.addHotel(hotel);
      const { token } = await started.admin.createToken({
        hotel: hotel.id,
        ttl_ms: 600_000,
        actor: "test",
      });
      const agentDir = join(dir.path, hotel.id);
      await enrollAgent({ token, dataDir: agentDir, hub: started.ingestUrl });
      agents.push(
        await startAgent({
          dataDir: agentDir,
          udp: { listen: ["127.0.0.1:0"] },
          tcp: { listen: [] },
          status: { listen: "127.0.0.1:0" },
          hub: { url: started.ingestUrl },
        }),
      );
    }
    feeding = sendTraffic({
      host: "127.0.0.1",
      port: agents[0]?.udpPort ?? 0,
      portOfHotel: (hotel) => agents[hotel - 1]?.udpPort ?? 0,
      hotels: agents.length,
      eps: 20,
      seed: 5651,
      durationMs: 300_000,
      signal: stopFeed.signal,
    });
    for (const user of USERS)
      await started.admin.addUser({ ...user, password: PASSWORD, actor: "test" });
    // Both agents have delivered lines: the pages have something to show.
    await waitFor(
      "both agents to be seen by the hub",
      async () => (await started.admin.listAgents()).every((agent) => agent.last_seen_at !== null),
      60_000,
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    stopFeed.abort();
    await feeding?.catch(() => {});
    for (const agent of agents) await agent.stop().catch(() => {});
    await hub?.stop();
    dir.remove();
  }, 60_000);

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the dashboard world's ${what} is not started`);
    return value;
  };

  return {
    hub: () => started(hub, "hub"),
    browser: () => started(browser, "browser"),
    agent: (index) => started(agents[index], `agent ${index}`),
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
    async signIn(page, language, username) {
      const labels = SIGN_IN[language];
      await page.getByLabel(labels.user).fill(username);
      await page.getByLabel(labels.password).fill(PASSWORD);
      await page.getByRole("button", { name: labels.submit }).click();
    },
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
