/**
 * The 5651 lookups and the live tail in a real browser (Debian's Chromium)
 * against the shared world (zero-setup hub, two agents fed by the
 * simulator): a chain admin looks up a simulated guest's IP in Turkish, sees
 * the guest's MAC in the answer, downloads the bundle of the evidence and
 * `logmaster verify` passes it, then makes the court's disclosure pack of
 * the same answer, which `logmaster verify` and the pack's own
 * verify_disclosure.py pass; the live tail shows a line sent over UDP
 * seconds earlier, and pause holds and counts new lines; hotel IT reaches
 * neither page. Screenshots (tr/en, 1280/375) go to
 * `.tmp/test-output/dashboard-lookups/`.
 */
import { describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { ChunkView } from "../hub/src/admin/views.ts";
import { extractTarGz } from "../hub/src/export/index.ts";
import type { IpLookup } from "../hub/src/query/lookups.ts";
import type { SearchResponse } from "../hub/src/query/response.ts";
import { runCli } from "./support/bundles.ts";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";
import { runPackVerifier } from "./support/disclosure-packs.ts";
import { tempDir, waitFor } from "./support/pipeline.ts";

const world = useDashboardWorld("dashboard-lookups");
const HOTEL = HOTELS[0].id;

/** The hub's API as the admin credential (the test's own questions, not the page's). */
async function hubApi<T>(path: string, query: Record<string, string>): Promise<T> {
  const hub = world.hub();
  const response = await fetch(`${hub.httpUrl}${path}?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${hub.adminCredential}` },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** An instant as a Turkish letter writes it in Istanbul (UTC+3): `DD.MM.YYYY HH:mm:ss`. */
function istanbulWall(ms: number): string {
  const iso = new Date(ms + 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

/** The directory under `dir` (itself included) that holds `file`: a bundle's VERIFY.md, a pack's disclosure.json. */
function dirHolding(dir: string, file: string): string {
  if (existsSync(join(dir, file))) return dir;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    const inner = dirHolding(path, file);
    if (inner) return inner;
  }
  return "";
}

function sendUdp(port: number, message: string): Promise<void> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve, reject) =>
    socket.send(message, port, "127.0.0.1", (error) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    }),
  );
}

async function shots(page: Page, name: string) {
  await world.shot(page, `${name}-1280`);
  await page.setViewportSize({ width: 375, height: 800 });
  await world.shot(page, `${name}-375`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("the 5651 lookups and the live tail in Chromium", () => {
  test("an IP lookup names the simulated guest's MAC; its bundle and its disclosure pack pass the verifiers", async () => {
    /** Seal the first hotel's open hour and wait until the hub has verified and time-stamped it. */
    const sealHour = async (): Promise<{ chunk: ChunkView; atMs: number }> => {
      const atMs = Date.now();
      await world.agent(0).seal();
      const found: { chunk?: ChunkView } = {};
      await waitFor(
        "the sealed hour to be verified and time-stamped at the hub",
        async () => {
          const chunks = await world.hub().admin.listChunks({ limit: 50 });
          found.chunk = chunks.find(
            (chunk) =>
              chunk.hotel_id === HOTEL &&
              chunk.status === "verified" &&
              chunk.timestamp === "timestamped" &&
              chunk.sealed_at !== null &&
              Date.parse(chunk.sealed_at) >= atMs - 1000,
          );
          return found.chunk !== undefined;
        },
        60_000,
        250,
      );
      if (!found.chunk) throw new Error("no sealed chunk");
      return { chunk: found.chunk, atMs };
    };
    // Seal the first hotel's open hour: its lines get a bundle that verifies, time-stamped.
    const { chunk: sealed, atMs: sealedAtMs } = await sealHour();

    // A guest whose DHCP assignment is in that hour, and the lease the hub knows for it.
    const { hits } = await hubApi<SearchResponse>("/api/search", {
      hotels: HOTEL,
      datasets: "dhcp",
      text: "assigned",
      from: new Date(Date.parse(sealed.hour_start) - 1000).toISOString(),
      to: new Date(sealedAtMs + 1000).toISOString(),
      limit: "200",
    });
    let guest: { ip: string; atMs: number; mac: string; chunk: string } | undefined;
    for (const hit of hits.filter((candidate) => candidate.chunk === sealed.chunk)) {
      if (!hit.src_ip && !hit.dst_ip) continue;
      const ip = hit.src_ip ?? hit.dst_ip ?? "";
      const atMs = Math.ceil(Date.parse(hit.received_at) / 1000) * 1000 + 1000;
      const answer = await hubApi<IpLookup>("/api/lookup/ip", {
        ip,
        at: new Date(atMs).toISOString(),
        hotel: HOTEL,
      });
      // Every evidence line in the sealed hour: a disclosure pack needs each of their chunks sealed.
      const chunks = new Set(
        [answer.lease?.evidence ?? [], ...answer.sessions.map((session) => session.evidence)]
          .flat()
          .map((line) => line.chunk),
      );
      if (answer.lease && chunks.size === 1 && chunks.has(sealed.chunk)) {
        guest = { ip, atMs, mac: answer.lease.mac, chunk: sealed.chunk };
        break;
      }
    }
    if (!guest) throw new Error(`no guest lease in ${sealed.chunk} (${hits.length} assignments)`);

    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/lookups`);
    await world.signIn(page, "tr", "zincir");
    await page.getByRole("heading", { name: "5651 sorguları", level: 1 }).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await page.getByLabel("IP adresi", { exact: true }).fill(guest.ip);
    await page.getByLabel(/^Tarih ve saat/).fill(istanbulWall(guest.atMs));
    await page.getByLabel("Otel", { exact: true }).selectOption(HOTEL);
    await page.getByRole("button", { name: "Sorgula" }).click();

    const answer = page.getByRole("region", { name: "Yanıt" });
    await answer.getByText(guest.mac, { exact: false }).first().waitFor({ timeout: 30_000 });
    const lead = (await answer.locator(".lookup-lead").textContent()) ?? "";
    expect(lead).toContain(`${guest.ip} adresi`);
    expect(lead).toContain(guest.mac);
    expect(lead).toContain("kiralanmıştı");
    expect(await answer.getByRole("row").count()).toBeGreaterThanOrEqual(2);
    // The question is in the URL: a reload asks it again.
    expect(page.url()).toContain(`ip=${guest.ip}`);
    await answer
      .getByText(/satır, .*(B|KB)$/)
      .first()
      .waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shots(page, "lookup-ip-tr");
    // On paper: the answer alone (no header, navigation, form or buttons).
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("navigation", { name: "Ana menü" }).isVisible()).toBe(false);
    await world.shot(page, "lookup-ip-tr-print");
    await page.emulateMedia({ media: "screen" });

    // The bundle of the evidence's chunk, as the browser saves it, verifies offline.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      answer.getByRole("button", { name: `${guest.chunk} paketini indir` }).click(),
    ]);
    const out = tempDir("dashboard-lookups-bundle");
    try {
      const file = join(out.path, download.suggestedFilename());
      await download.saveAs(file);
      expect(download.suggestedFilename()).toMatch(/\.tar\.gz$/);
      await answer.getByText(/kaydedildi/).waitFor();
      await extractTarGz(new Uint8Array(readFileSync(file)), join(out.path, "bundle"));
      const bundle = dirHolding(join(out.path, "bundle"), "VERIFY.md");
      expect(bundle).not.toBe("");
      const verified = await runCli(["verify", bundle]);
      expect(verified.stdout).toMatch(/^VERDICT: PASS/m);
      expect(verified.exitCode).toBe(0);
    } finally {
      out.remove();
    }

    // The court's disclosure pack of the same answer: only its lines, each with its proof.
    const packButton = answer.getByRole("button", { name: "Adli makam için kayıt paketi" });
    await packButton.click();
    const packForm = answer.getByRole("form", { name: "Adli makam için kayıt paketi" });
    // Opening the form puts the cursor in its one field.
    await page.locator("#lookup-disclose-case:focus").waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await packForm.scrollIntoViewIfNeeded();
    await shots(page, "lookup-disclose-form-tr");
    await packForm.getByLabel("Dosya numarası").fill("2026/123 Soruşturma");
    const downloaded = page.waitForEvent("download", { timeout: 90_000 });
    // Enter in the field makes the pack, as the button does.
    await packForm.getByLabel("Dosya numarası").press("Enter");
    const first = await Promise.race([
      downloaded.then(() => "saved" as const),
      packForm
        .getByRole("alert")
        .waitFor({ timeout: 60_000 })
        .then(() => "refused" as const),
    ]);
    if (first === "refused") {
      // The guest's lease or session ended after the seal: its end line is in the open hour,
      // which the hub refuses to disclose until it is sealed. Seal it, and ask again.
      expect(await packForm.getByRole("alert").textContent()).toContain("mühürlenmedi");
      await sealHour();
      await packForm.getByLabel("Dosya numarası").press("Enter");
    }
    const pack = await downloaded;
    expect(pack.suggestedFilename()).toBe(
      `logmaster-disclosure-${HOTEL}-2026-123-Sorusturma.tar.gz`,
    );
    await packForm
      .getByText(/^Satır: \d+ · İmzalı saat kaydı: \d+ · Denetim kaydı no\. \d+$/)
      .waitFor();
    expect(await packForm.getByText("Pakette saatin tamamı var").count()).toBe(0);
    expect(await world.untranslated(page)).toEqual([]);
    await shots(page, "lookup-disclose-result-tr");
    const packOut = tempDir("dashboard-lookups-pack");
    try {
      const file = join(packOut.path, pack.suggestedFilename());
      await pack.saveAs(file);
      const unpacked = join(packOut.path, "pack");
      mkdirSync(unpacked);
      const tar = Bun.spawnSync(["tar", "-xzf", file, "-C", unpacked]);
      expect(tar.exitCode).toBe(0);
      const packDir = dirHolding(unpacked, "disclosure.json");
      expect(packDir).not.toBe("");
      const disclosure = JSON.parse(readFileSync(join(packDir, "disclosure.json"), "utf8"));
      expect(disclosure.case).toBe("2026/123 Soruşturma");
      expect(disclosure.query).toMatchObject({ kind: "ip", ip: guest.ip });
      const verified = await runCli(["verify", packDir]);
      expect(verified.stdout).toMatch(/^VERDICT: PASS/m);
      expect(verified.exitCode).toBe(0);
      const python = await runPackVerifier(packDir);
      expect(python.exitCode, python.stdout + python.stderr).toBe(0);
    } finally {
      packOut.remove();
    }

    // In English, the same answer reads in English.
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("region", { name: "Answer" }).getByText("was leased to").waitFor();
    const packFormEn = page.getByRole("form", { name: "Disclosure pack (court)" });
    await packFormEn.getByText("Pack saved to your downloads:").waitFor();
    await packFormEn.scrollIntoViewIfNeeded();
    await shots(page, "lookup-disclose-result-en");
    await packFormEn.getByRole("button", { name: "Close" }).click();
    // Closing it gives the focus back to its button.
    await page.locator('[aria-controls="lookup-disclose-form"]:focus').waitFor();
    await page.getByRole("button", { name: "Disclosure pack (court)" }).click();
    await packFormEn.getByLabel("Case reference").waitFor();
    await shots(page, "lookup-disclose-form-en");
    await page.getByRole("button", { name: "Disclosure pack (court)" }).click();
    await shots(page, "lookup-ip-en");

    // No match: the reasons, in Turkish.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("tab", { name: "Cihaz (MAC) ne aldı" }).click();
    await page.getByLabel("MAC adresi", { exact: true }).fill("02:00:00:00:00:01");
    await page.getByRole("button", { name: "Sorgula" }).click();
    await page.getByText("Yanıt bulunamadı").waitFor();
    await page.getByText("Kiralama yok").waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await world.shot(page, "lookup-nomatch-tr-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  test("the live tail shows a line sent seconds earlier; pause holds and counts new lines", async () => {
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/live`);
    await world.signIn(page, "tr", "zincir");
    await page.getByRole("heading", { name: "Canlı akış", level: 1 }).waitFor();
    await page.getByText("Canlı", { exact: true }).waitFor({ timeout: 30_000 });

    const marker = `canli-akis-${Date.now()}`;
    await sendUdp(world.agent(0).udpPort, `<134>system,info ${marker} ilk satır`);
    const log = page.getByRole("log", { name: "Canlı satırlar" });
    await log.getByText(marker, { exact: false }).waitFor({ timeout: 30_000 });
    await page.getByText(/^saniyede [\d,]+ satır$/).waitFor();
    expect(await world.untranslated(page)).toEqual([]);
    await shots(page, "live-tr");

    await page.getByRole("button", { name: "Duraklat" }).click();
    const held = `${marker}-bekleyen`;
    await sendUdp(world.agent(0).udpPort, `<134>system,info ${held}`);
    const resume = page.getByRole("button", { name: /^Sürdür · [\d.]+ yeni satır$/ });
    await resume.waitFor({ timeout: 30_000 });
    // The held line arrives (counted, not shown) while paused; the simulator's lines count too.
    await Bun.sleep(3000);
    expect(await log.getByText(held).count()).toBe(0);
    await world.shot(page, "live-paused-tr-1280");
    await resume.click();
    await log.getByText(held).waitFor({ timeout: 10_000 });

    // A filter narrows the stream (and lives in the URL).
    await page.getByLabel("Metin").fill(marker);
    await page.getByRole("button", { name: "Uygula" }).click();
    await page.waitForURL(/text=/);
    const filtered = `${marker} süzgeçten geçen`;
    await sendUdp(world.agent(0).udpPort, `<134>system,info ${filtered}`);
    await log.getByText(filtered).waitFor({ timeout: 30_000 });

    await page.getByRole("button", { name: "English" }).click();
    await page.getByText("Live", { exact: true }).waitFor();
    await shots(page, "live-en");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("hotel IT reaches neither page", async () => {
    const { page, errors } = await world.openPage({ locale: "tr-TR" });
    await page.goto(`${world.hub().httpUrl}/lookups`);
    await world.signIn(page, "tr", "bilgi-a");
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    const nav = page.getByRole("navigation", { name: "Ana menü" });
    expect(await nav.getByRole("link", { name: "5651 sorguları" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Canlı akış" }).count()).toBe(0);
    await page.goto(`${world.hub().httpUrl}/live`);
    await page.getByRole("heading", { name: "Bulunamadı", level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
