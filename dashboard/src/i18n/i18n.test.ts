import { describe, expect, test } from "vitest";
import { en, type MessageKey } from "./en.ts";
import {
  CATALOGUES,
  formatDateTime,
  formatRelative,
  istanbulMidnightMs,
  locale,
  preferredLocale,
  setLocale,
  setZone,
  t,
  translate,
  zone,
} from "./index.ts";
import { tr } from "./tr.ts";

const keys = Object.keys(en) as MessageKey[];
const paramsOf = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Keys that read the same in both languages (names, units, symbols). */
const SAME_IN_BOTH = new Set<MessageKey>(["app.name", "zone.utc", "hotel.title"]);

describe("the catalogues", () => {
  test("every language has every English key, each with text, and no other", () => {
    for (const catalogue of Object.values(CATALOGUES)) {
      expect(Object.keys(catalogue).sort()).toEqual([...keys].sort());
      for (const key of keys) expect(catalogue[key].trim(), key).not.toBe("");
    }
  });

  test("Turkish is translated: only names and symbols read as in English", () => {
    const untranslated = keys.filter((key) => tr[key] === en[key] && !SAME_IN_BOTH.has(key));
    expect(untranslated).toEqual([]);
  });

  test("both languages take the same {parameters} for each message", () => {
    for (const key of keys) expect([key, paramsOf(tr[key])]).toEqual([key, paramsOf(en[key])]);
  });

  test("Turkish is written with its own letters", () => {
    const text = Object.values(tr).join(" ");
    for (const letter of ["ş", "ğ", "ı", "İ", "ç", "ö", "ü"]) expect(text).toContain(letter);
    expect(tr["nav.overview"]).toBe("Genel bakış");
  });

  test("parameters are filled in, numbers in the language's digits", () => {
    expect(translate("en", "user.signedInAs", { name: "ayse" })).toBe("Signed in as ayse");
    expect(translate("tr", "chunk.records", { count: 12345 })).toBe("12.345 satır");
    expect(translate("en", "chunk.records", { count: 12345 })).toBe("12,345 lines");
  });
});

describe("the language", () => {
  test("a Turkish browser gets Turkish, others English", () => {
    expect(preferredLocale(["tr-TR", "en-US"])).toBe("tr");
    expect(preferredLocale(["de-DE", "tr"])).toBe("tr");
    expect(preferredLocale(["en-GB", "tr-TR"])).toBe("en");
    expect(preferredLocale(["de-DE"])).toBe("en");
  });

  test("the switch changes every text and is remembered", () => {
    setLocale("tr");
    expect(t("login.title")).toBe("Oturum aç");
    setLocale("en");
    expect(locale()).toBe("en");
    expect(t("login.title")).toBe("Sign in");
    expect(localStorage.getItem("logmaster.locale")).toBe("en");
    expect(document.documentElement.lang).toBe("en");
  });
});

describe("dates", () => {
  const instant = "2026-12-03T07:15:42Z";

  test("DD.MM.YYYY HH:mm in Europe/Istanbul with the zone named", () => {
    expect(formatDateTime(instant, { zone: "istanbul", locale: "tr" })).toBe(
      "03.12.2026 10:15 İstanbul",
    );
    expect(formatDateTime(instant, { zone: "istanbul", locale: "en" })).toBe(
      "03.12.2026 10:15 Istanbul",
    );
  });

  test("and in UTC when switched, remembered", () => {
    setZone("utc");
    expect(zone()).toBe("utc");
    expect(localStorage.getItem("logmaster.zone")).toBe("utc");
    expect(formatDateTime(instant, { locale: "tr" })).toBe("03.12.2026 07:15 UTC");
    setZone("istanbul");
  });

  test("an evening in UTC is the next day in Istanbul", () => {
    expect(formatDateTime("2026-12-31T21:30:00Z", { zone: "istanbul", withZone: false })).toBe(
      "01.01.2027 00:30",
    );
    expect(formatDateTime("2026-12-31T21:30:00Z", { zone: "utc", withZone: false })).toBe(
      "31.12.2026 21:30",
    );
    expect(new Date(istanbulMidnightMs(Date.parse("2026-12-31T21:30:00Z"))).toISOString()).toBe(
      "2026-12-31T21:00:00.000Z",
    );
  });

  test("relative times in each language", () => {
    const nowMs = Date.parse(instant);
    expect(formatRelative(nowMs - 2 * 3_600_000, { locale: "tr", nowMs })).toBe("2 saat önce");
    expect(formatRelative(nowMs + 20 * 86_400_000, { locale: "en", nowMs })).toBe("in 20 days");
    expect(formatRelative(nowMs + 400 * 86_400_000, { locale: "tr", nowMs })).toBe("13 ay sonra");
    expect(formatRelative(nowMs - 10_000, { locale: "tr", nowMs })).toBe("az önce");
  });
});
