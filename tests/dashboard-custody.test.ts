/**
 * The custody calendar and the audit log viewer in a real browser against
 * the shared world (a zero-setup hub, two agents fed by the simulator): the
 * auditor sees this month with the hour now, downloads the hour's bundle
 * (a gzip) and the month's compliance report (a PDF), and cannot reach
 * administration; a manager picks only their hotel; the chain admin finds
 * those downloads in the audit log and checks its chain. Screenshots (tr and
 * en, 1280 and 375 px) go to `.tmp/test-output/dashboard-custody/`.
 */
import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";
import { waitFor } from "./support/pipeline.ts";

const world = useDashboardWorld("dashboard-custody");

/** The bytes of what a click downloads. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = await download.path();
  return readFile(path);
}

describe("custody and the audit log in Chromium", () => {
  test("the auditor sees the month, downloads a bundle and a report, and no administration", async () => {
    // Close the hour's open chunk now, so the hour has a sealed, verified part to export.
    await world.agent(0).seal();
    await waitFor(
      "a verified chunk of the first hotel",
      async () =>
        (await world.hub().admin.listChunks({ limit: 20 })).some(
          (chunk) => chunk.hotel_id === HOTELS[0].id && chunk.status === "verified",
        ),
      60_000,
    );

    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/custody`);
    await world.signIn(page, "tr", "denetci");
    await page.getByRole("heading", { name: "Delil zinciri", level: 1 }).waitFor();
    const calendar = page.getByRole("table", { name: /Ayın saatleri/ });
    await calendar.waitFor();
    // The hour now, in its own state; the hours before the agents came have no agent.
    const now = calendar.locator('[data-state="running"]');
    expect(await now.count()).toBe(1);
    expect(await now.getAttribute("aria-label")).toContain("Süren saat");
    await page.getByText(/saatin \d+ saati doğrulandı|Bu ayın henüz biten saati yok/).waitFor();
    expect(
      await page.getByRole("list", { name: "Renklerin ve işaretlerin anlamı" }).isVisible(),
    ).toBe(true);
    await world.shot(page, "custody-tr-1280");

    // The hour opened: its chunks with their verdicts, and its bundle.
    await now.click();
    await page.getByRole("heading", { name: /parçaları$/, level: 2 }).waitFor();
    await page.getByText("İmza doğrulandı").first().waitFor({ timeout: 30_000 });
    expect(await world.untranslated(page)).toEqual([]);
    await world.shot(page, "custody-hour-tr-1280");
    const bundle = await downloaded(page, () =>
      page.getByRole("button", { name: /Bu saatin delil paketi/ }).click(),
    );
    expect([bundle[0], bundle[1]]).toEqual([0x1f, 0x8b]);
    const report = await downloaded(page, () =>
      page.getByRole("button", { name: /uyum raporu: PDF olarak indir/ }).click(),
    );
    expect(report.subarray(0, 4).toString("latin1")).toBe("%PDF");

    await page.setViewportSize({ width: 375, height: 800 });
    await world.shot(page, "custody-hour-tr-375");

    // Administration is not the auditor's: not found, as the hub answers it.
    for (const path of ["/manage/users", "/agents"]) {
      await page.goto(`${world.hub().httpUrl}${path}`);
      await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    }
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("a hotel manager picks only their hotel", async () => {
    const [mine, other] = HOTELS;
    const { page, errors } = await world.openPage({ locale: "en-US" });
    await page.goto(`${world.hub().httpUrl}/custody`);
    await world.signIn(page, "en", "mudur-a");
    await page.getByRole("heading", { name: "Custody", level: 1 }).waitFor();
    // The label wraps the select: its name is "Hotel" and the hotel chosen.
    const picker = page.getByRole("combobox", { name: /^Hotel/ });
    await picker.waitFor();
    expect(await picker.locator("option").allTextContents()).toEqual([mine.name]);
    await page.getByRole("table", { name: /Hours of the month/ }).waitFor();
    await world.shot(page, "custody-en-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await world.shot(page, "custody-en-375");

    // Another hotel by URL: not found.
    await page.goto(`${world.hub().httpUrl}/custody?hotel=${other.id}`);
    await page.getByRole("heading", { name: "Not found", level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test("the chain admin finds the downloads in the audit log and checks its chain", async () => {
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/audit`);
    await world.signIn(page, "tr", "zincir");
    await page.getByRole("heading", { name: "Denetim kaydı", level: 1 }).waitFor();
    const table = page.getByRole("table");
    await table.waitFor();
    await table.getByText("Delil dışa aktarma").first().waitFor();
    await table.getByText("Uyum raporu").first().waitFor();
    expect(await table.getByText("user:denetci").count()).toBeGreaterThanOrEqual(2);

    // Only the auditor's exports.
    await page.getByLabel("Kim (tam ad ya da * ile biten ön ek)").fill("user:denetci");
    await page.getByLabel("İşlem").selectOption("export");
    await page.getByRole("button", { name: "Süzgeçleri uygula" }).click();
    await page.waitForURL(/action=export/);
    const rows = table.locator("tbody tr");
    await rows.first().waitFor();
    expect(await table.getByText("Delil dışa aktarma").count()).toBe(await rows.count());

    // A row's full JSON, then the chain check.
    await page
      .getByRole("button", { name: /numaralı kaydın tamamı/ })
      .first()
      .click();
    await page
      .locator(".audit-json")
      .getByText(/"row_sha256"/)
      .waitFor();
    await page.getByRole("button", { name: "Zinciri doğrula" }).click();
    await page.getByText("Zincir sağlam").waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await world.shot(page, "audit-tr-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await world.shot(page, "audit-tr-375");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await world.shot(page, "audit-en-375");
    await page.setViewportSize({ width: 1280, height: 900 });
    await world.shot(page, "audit-en-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
