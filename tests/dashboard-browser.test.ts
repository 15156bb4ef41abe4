/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core)
 * against a real zero-setup hub (PGlite) fed by two real agents and the
 * traffic simulator: a chain admin signs in and sees every hotel, switches
 * to Turkish and back (remembered across a reload, which also proves the
 * silent sign-in from the refresh cookie); a manager of hotel A sees only A,
 * and B's page says "not found". Screenshots (tr and en, 1280 and 375 px)
 * go to `.tmp/test-output/dashboard-browser/` (or `$TEST_OUTPUT_DIR/…`).
 */
import { describe, expect, test } from "bun:test";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";

const world = useDashboardWorld("dashboard-browser");

describe("the dashboard in Chromium", () => {
  test("a chain admin sees every hotel, in Turkish and in English, remembered", async () => {
    const { page, errors } = await world.openPage({ locale: "en-US" });
    await page.goto(world.hub().httpUrl);
    await world.signIn(page, "en", "zincir");
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
    await world.shot(page, "overview-en-1280");

    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("heading", { name: "Genel bakış", level: 1 }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("tr");
    expect(await page.getByText("Bugünkü olaylar").count()).toBe(HOTELS.length);
    expect(await world.untranslated(page)).toEqual([]);
    await world.shot(page, "overview-tr-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await world.shot(page, "overview-tr-375");

    // Another page, in Turkish.
    await page.getByRole("link", { name: "Cihazlar" }).click();
    await page.getByRole("heading", { name: "Cihazlar", level: 1 }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await world.shot(page, "overview-en-375");

    // A reload keeps the language, and the refresh cookie signs in again without the form.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.reload();
    await page.getByRole("heading", { name: "Genel bakış", level: 1 }).waitFor();
    await page.getByRole("article", { name: HOTELS[0]?.name ?? "" }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("a hotel manager sees only their hotel; another hotel's page says not found", async () => {
    const [mine, other] = HOTELS;
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/hotels/${other.id}`);
    await world.signIn(page, "tr", "mudur-a");
    // The URL asked for before signing in: another hotel's page, which is not found.
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    expect(await page.getByText(other.name).count()).toBe(0);
    await world.shot(page, "manager-other-hotel-tr-1280");

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
    await page.goto(`${world.hub().httpUrl}/manage/users`);
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();

    await page.goto(`${world.hub().httpUrl}/hotels/${mine.id}`);
    await page.getByRole("heading", { name: mine.name, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Ajanlar", level: 2 }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await world.shot(page, "manager-hotel-tr-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
