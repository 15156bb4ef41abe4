/**
 * Administration in a real browser against the shared world: hotel IT
 * creates an enrollment token for their hotel and sees the install command
 * (and no Users page); the chain admin adds an account and sees its
 * generated password once, and reads the hotels; a manager names a device.
 * Turkish pages have no untranslated text. Screenshots (tr and en, 1280 and
 * 375 px) go to `.tmp/test-output/dashboard-admin/`.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";

const world = useDashboardWorld("dashboard-admin");

async function shotBoth(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await world.shot(page, `${name}-1280`);
  await page.setViewportSize({ width: 375, height: 800 });
  await world.shot(page, `${name}-375`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("administration in Chromium", () => {
  test("hotel IT creates a token with its install command, and has no Users page", async () => {
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/agents`);
    await world.signIn(page, "tr", "bilgi-a");
    await page.getByRole("heading", { name: "Ajanlar ve kayıt", level: 1 }).waitFor();
    // Their hotel's agent is listed.
    await page.getByRole("table", { name: "Ajanlar" }).waitFor();
    expect(await page.locator('select[name="hotel"]').inputValue()).toBe(HOTELS[0].id);
    await page.getByLabel("Geçerlilik süresi").selectOption({ label: "1 saat" });
    await page.getByRole("button", { name: "Anahtar oluştur" }).click();
    await page.getByRole("heading", { name: `${HOTELS[0].name} için anahtar hazır` }).waitFor();
    const command = page.getByText(/logmaster-agent enroll --token 'lm1\.[A-Za-z0-9_-]+'/);
    expect(await command.isVisible()).toBe(true);
    await page.getByText(/Yalnızca bu kez gösterilir/).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shotBoth(page, "agents-token-tr");

    // Users are the chain admin's: no link, and the address is "not found".
    expect(await page.getByRole("link", { name: "Kullanıcılar" }).count()).toBe(0);
    await page.goto(`${world.hub().httpUrl}/manage/users`);
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("the chain admin adds a user and sees the generated password once", async () => {
    const { page, errors } = await world.openPage({ locale: "en-US" });
    await page.goto(`${world.hub().httpUrl}/manage/users`);
    await world.signIn(page, "en", "zincir");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await page.getByRole("cell", { name: "mudur-a", exact: true }).waitFor();
    await page.getByLabel("User name").fill("resepsiyon");
    await page.getByLabel("Role").selectOption("hotel_manager");
    await page.getByRole("checkbox", { name: HOTELS[0].name }).check();
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByRole("heading", { name: "New password for resepsiyon" }).waitFor();
    const password = ((await page.locator(".copy-block-code").first().textContent()) ?? "").trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await page.getByRole("cell", { name: "resepsiyon", exact: true }).waitFor();
    await shotBoth(page, "users-en");
    await page.getByRole("button", { name: "Done, hide the password" }).click();
    expect(await page.getByText(password).count()).toBe(0);

    // The same page in Turkish: every text translated.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("heading", { name: "Kullanıcılar", level: 1 }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shotBoth(page, "users-tr");

    await page.goto(`${world.hub().httpUrl}/manage/hotels`);
    await page.getByRole("cell", { name: HOTELS[1].id, exact: true }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shotBoth(page, "hotels-tr");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Hotels", level: 1 }).waitFor();
    await world.shot(page, "hotels-en-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("a manager names a device", async () => {
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/devices`);
    await world.signIn(page, "tr", "mudur-a");
    await page.getByRole("heading", { name: "Cihazlar", level: 1 }).waitFor();
    const rename = page.getByRole("button", { name: /adresindeki cihazı adlandır$/ }).first();
    await rename.waitFor();
    await rename.click();
    await page.getByLabel(/adresindeki cihazın adı$/).fill("Lobi güvenlik duvarı");
    await page.getByRole("button", { name: "Kaydet" }).click();
    await page.getByText("Lobi güvenlik duvarı", { exact: true }).waitFor();
    // The name is the hub's: a reload shows it.
    await page.reload();
    await page.getByText("Lobi güvenlik duvarı", { exact: true }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shotBoth(page, "devices-tr");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Devices", level: 1 }).waitFor();
    await world.shot(page, "devices-en-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
