/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core)
 * against a real zero-setup hub (PGlite) fed by two real agents and the
 * traffic simulator: a chain admin signs in and sees every hotel, switches
 * to Turkish and back (remembered across a reload, which also proves the
 * silent sign-in from the refresh cookie); a manager of hotel A sees only A,
 * and B's page says "not found". Screenshots (tr and en, 1280 and 375 px)
 * go to `.tmp/test-output/dashboard-browser/` (or `$TEST_OUTPUT_DIR/…`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type RunningAgent, startAgent } from "../agent/src/agent.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import { en, type MessageKey } from "../dashboard/src/i18n/en.ts";
import { tr } from "../dashboard/src/i18n/tr.ts";
import { type RunningHub, startHub } from "../hub/src/index.ts";
import { ensureDashboardBuilt } from "../scripts/dashboard-build.ts";
import { sendTraffic } from "../shared/src/simulate/index.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  collectProblems,
  launchChromium,
  testOutputDir,
} from "./support/browser.ts";
import { tempDir, waitFor } from "./support/pipeline.ts";

const PASSWORD = "correct horse battery staple";
const HOTELS = [
  { id: "antalya-lara", name: "Lara Beach Otel (Antalya)" },
  { id: "istanbul-sisli", name: "Şişli Business Otel (İstanbul)" },
];
const outputDir = testOutputDir("dashboard-browser");

const dir = tempDir("dashboard-browser");
let hub: RunningHub;
const agents: RunningAgent[] = [];
const stopFeed = new AbortController();
let feeding: Promise<unknown> | undefined;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  await ensureDashboardBuilt();
  hub = await startHub({
    dataDir: join(dir.path, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    caKeyBits: 2048,
    quiet: true,
  });
  for (const hotel of HOTELS) {
    await hub.admin.addHotel(hotel);
    const { token } = await hub.admin.createToken({
      hotel: hotel.id,
      ttl_ms: 600_000,
      actor: "test",
    });
    const agentDir = join(dir.path, hotel.id);
    await enrollAgent({ token, dataDir: agentDir, hub: hub.ingestUrl });
    agents.push(
      await startAgent({
        dataDir: agentDir,
        udp: { listen: ["127.0.0.1:0"] },
        tcp: { listen: [] },
        status: { listen: "127.0.0.1:0" },
        hub: { url: hub.ingestUrl },
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
  await hub.admin.addUser({
    username: "zincir",
    role: "chain_admin",
    password: PASSWORD,
    actor: "test",
  });
  await hub.admin.addUser({
    username: "mudur-a",
    role: "hotel_manager",
    hotels: [HOTELS[0]?.id ?? ""],
    password: PASSWORD,
    actor: "test",
  });
  // Both agents have delivered lines: the overview has something to show.
  await waitFor(
    "both agents to be seen by the hub",
    async () => (await hub.admin.listAgents()).every((agent) => agent.last_seen_at !== null),
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

/** A page whose script errors and console errors are collected (expected HTTP refusals aside). */
async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = collectProblems(page, {
    types: ["error"],
    // A refused request (the 404 of another hotel) is logged by the browser itself, not by our code.
    ignore: (text) => text.startsWith("Failed to load resource"),
  });
  return { page, errors };
}

async function signIn(
  page: Page,
  labels: { user: string; password: string; submit: string },
  username: string,
) {
  await page.getByLabel(labels.user).fill(username);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole("button", { name: labels.submit }).click();
}

/**
 * English messages visible on a Turkish page (those without parameters that
 * Turkish words differently): a text that skipped the catalogue or did not
 * follow the switch.
 */
async function untranslated(page: Page): Promise<string[]> {
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
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });

describe("the dashboard in Chromium", () => {
  test("a chain admin sees every hotel, in Turkish and in English, remembered", async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "en-US",
    });
    const { page, errors } = await openPage(context);
    await page.goto(hub.httpUrl);
    await signIn(page, { user: "User name", password: "Password", submit: "Sign in" }, "zincir");
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    for (const hotel of HOTELS)
      await page.getByRole("article", { name: hotel.name }).waitFor({ timeout: 30_000 });
    expect(await page.locator(".hotel-row").count()).toBe(HOTELS.length);
    // Both agents online; every page of the role in the navigation.
    expect(await page.getByText("Online", { exact: true }).count()).toBeGreaterThanOrEqual(2);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Overview",
      "Search",
      "Live tail",
      "5651 lookups",
      "Custody",
      "Devices",
      "Agents & enrollment",
      "Hotels",
      "Users",
      "Audit log",
    ]);
    await shot(page, "overview-en-1280");

    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("heading", { name: "Genel bakış", level: 1 }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("tr");
    expect(await page.getByText("Bugünkü olaylar").count()).toBe(HOTELS.length);
    expect(await untranslated(page)).toEqual([]);
    await shot(page, "overview-tr-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await shot(page, "overview-tr-375");

    // A page to come, in Turkish, with its empty state.
    await page.getByRole("link", { name: "Arama" }).click();
    await page.getByText("Sonraki bir sürümde geliyor").waitFor();
    expect(await untranslated(page)).toEqual([]);

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await shot(page, "overview-en-375");

    // A reload keeps the language, and the refresh cookie signs in again without the form.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.reload();
    await page.getByRole("heading", { name: "Genel bakış", level: 1 }).waitFor();
    await page.getByRole("article", { name: HOTELS[0]?.name ?? "" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  test("a hotel manager sees only their hotel; another hotel's page says not found", async () => {
    const [mine, other] = HOTELS as [(typeof HOTELS)[0], (typeof HOTELS)[0]];
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "tr-TR",
    });
    const { page, errors } = await openPage(context);
    await page.goto(`${hub.httpUrl}/hotels/${other.id}`);
    await signIn(
      page,
      { user: "Kullanıcı adı", password: "Parola", submit: "Oturum aç" },
      "mudur-a",
    );
    // The URL asked for before signing in: another hotel's page, which is not found.
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    expect(await page.getByText(other.name).count()).toBe(0);
    await shot(page, "manager-other-hotel-tr-1280");

    await page.getByRole("link", { name: "Genel bakışa dön" }).click();
    await page.getByRole("article", { name: mine.name }).waitFor();
    expect(await page.locator(".hotel-row").count()).toBe(1);
    expect(await page.getByText(other.name).count()).toBe(0);
    const nav = page.getByRole("navigation", { name: "Ana menü" });
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Genel bakış",
      "Arama",
      "Canlı akış",
      "5651 sorguları",
      "Delil zinciri",
      "Cihazlar",
    ]);
    // A page of another role, typed in: not found as well.
    await page.goto(`${hub.httpUrl}/manage/users`);
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();

    await page.goto(`${hub.httpUrl}/hotels/${mine.id}`);
    await page.getByRole("heading", { name: mine.name, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Ajanlar", level: 2 }).waitFor();
    expect(await untranslated(page)).toEqual([]);
    await shot(page, "manager-hotel-tr-1280");
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
