/**
 * Language and time zone: Turkish or English (Turkish for a Turkish
 * browser), Europe/Istanbul or UTC, each remembered in localStorage. Every
 * text goes through `t`, every instant through `formatDateTime`: dates read
 * `DD.MM.YYYY HH:mm` with the zone named, whatever the language.
 */
import { createRoot, createSignal } from "solid-js";
import { type Catalogue, en, type MessageKey } from "./en.ts";
import { tr } from "./tr.ts";

export type { MessageKey } from "./en.ts";

export const LOCALES = ["tr", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const CATALOGUES: Record<Locale, Catalogue> = { tr, en };
/** The switch shows each language in its own words. */
export const LOCALE_NAMES: Record<Locale, string> = { tr: "Türkçe", en: "English" };

export const ZONES = ["istanbul", "utc"] as const;
export type Zone = (typeof ZONES)[number];
const TIME_ZONE_IDS: Record<Zone, string> = { istanbul: "Europe/Istanbul", utc: "UTC" };

const LOCALE_KEY = "logmaster.locale";
const ZONE_KEY = "logmaster.zone";

function stored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled: choices last for this page only
  }
}

function store(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // storage disabled: nothing to remember with
  }
}

/**
 * The language a browser asks for: the first of `languages` that we speak
 * (`tr-TR` is Turkish), English when none is.
 *
 * @example
 * preferredLocale(["tr-TR", "en-US"]); // "tr"
 */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split("-")[0];
    if (base === "tr" || base === "en") return base;
  }
  return "en";
}

function initialLocale(): Locale {
  const saved = stored(LOCALE_KEY);
  if (saved === "tr" || saved === "en") return saved;
  const nav = globalThis.navigator;
  return preferredLocale(nav?.languages?.length ? nav.languages : [nav?.language ?? "en"]);
}

function initialZone(): Zone {
  return stored(ZONE_KEY) === "utc" ? "utc" : "istanbul";
}

const settings = createRoot(() => {
  const [locale, setLocaleSignal] = createSignal<Locale>(initialLocale());
  const [zone, setZoneSignal] = createSignal<Zone>(initialZone());
  return { locale, setLocaleSignal, zone, setZoneSignal };
});

/** The current language (a signal). */
export const locale = settings.locale;
/** The current time zone for showing instants (a signal). */
export const zone = settings.zone;

/** Switch the language and remember it; the page's `lang` follows. */
export function setLocale(next: Locale): void {
  settings.setLocaleSignal(next);
  store(LOCALE_KEY, next);
  if (globalThis.document) document.documentElement.lang = next;
}

export function setZone(next: Zone): void {
  settings.setZoneSignal(next);
  store(ZONE_KEY, next);
}

export type MessageParams = Record<string, string | number>;

/**
 * A message of the catalogue in `language` with its `{name}` parameters filled in.
 *
 * @example
 * translate("en", "user.signedInAs", { name: "ayse" }); // "Signed in as ayse"
 */
export function translate(language: Locale, key: MessageKey, params?: MessageParams): string {
  const message = CATALOGUES[language][key];
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value, language) : value;
  });
}

/** A message in the current language (reactive: call it inside JSX or an effect). */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(locale(), key, params);
}

const BCP47: Record<Locale, string> = { tr: "tr-TR", en: "en-GB" };

export function formatNumber(value: number, language: Locale = locale()): string {
  return new Intl.NumberFormat(BCP47[language], { maximumFractionDigits: 1 }).format(value);
}

/**
 * A size in binary units, as the agent's config gives its caps.
 *
 * @example
 * formatBytes(2_400_000); // "2.3 MiB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 ** 2) return `${formatNumber(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${formatNumber(bytes / 1024 ** 2)} MiB`;
  return `${formatNumber(bytes / 1024 ** 3)} GiB`;
}

/**
 * A share as a whole percentage, the sign where the language puts it.
 *
 * @example
 * formatPercent(0.853, "tr"); // "%85"
 */
export function formatPercent(share: number, language: Locale = locale()): string {
  return new Intl.NumberFormat(BCP47[language], {
    style: "percent",
    maximumFractionDigits: 0,
  }).format(share);
}

const partsFormatters = new Map<Zone, Intl.DateTimeFormat>();
function partsFormatter(which: Zone): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(which);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: TIME_ZONE_IDS[which],
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    partsFormatters.set(which, formatter);
  }
  return formatter;
}

/** The wall time of an instant in a zone: `DD.MM.YYYY` and `HH:mm` (`HH:mm:ss` with seconds). */
function wallTime(instant: Date, which: Zone, seconds = false): { date: string; time: string } {
  const parts: Record<string, string> = {};
  for (const part of partsFormatter(which).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.day}.${parts.month}.${parts.year}`,
    time: `${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ""}`,
  };
}

const asDate = (instant: Date | string | number) =>
  instant instanceof Date ? instant : new Date(instant);

/**
 * `DD.MM.YYYY HH:mm` and the zone's name, in the zone asked for.
 *
 * @example
 * formatDateTime("2026-12-03T07:15:00Z", { zone: "istanbul", locale: "tr" }); // "03.12.2026 10:15 İstanbul"
 * formatDateTime("2026-12-03T07:15:00Z", { zone: "utc", locale: "en" }); // "03.12.2026 07:15 UTC"
 */
export function formatDateTime(
  instant: Date | string | number,
  options: { zone?: Zone; locale?: Locale; withZone?: boolean; seconds?: boolean } = {},
): string {
  const which = options.zone ?? zone();
  const language = options.locale ?? locale();
  const { date, time } = wallTime(asDate(instant), which, options.seconds);
  const text = `${date} ${time}`;
  if (options.withZone === false) return text;
  return `${text} ${translate(language, which === "utc" ? "zone.utc" : "zone.istanbul")}`;
}

/** `DD.MM.YYYY` in the zone asked for. */
export function formatDate(instant: Date | string | number, options: { zone?: Zone } = {}): string {
  return wallTime(asDate(instant), options.zone ?? zone()).date;
}

/** `HH:mm` (`HH:mm:ss` with seconds) in the zone asked for. */
export function formatTime(
  instant: Date | string | number,
  options: { zone?: Zone; seconds?: boolean } = {},
): string {
  return wallTime(asDate(instant), options.zone ?? zone(), options.seconds).time;
}

/** Each unit from twice its length (years and months) or once (the rest): "13 months", not "next year". */
const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number, number][] = [
  ["year", 365 * 86_400_000, 2],
  ["month", 30 * 86_400_000, 2],
  ["day", 86_400_000, 1],
  ["hour", 3_600_000, 1],
  ["minute", 60_000, 1],
];

/**
 * "3 hours ago", "in 20 days" (Turkish: "3 saat önce", "20 gün sonra").
 *
 * @example
 * formatRelative(Date.now() - 7_200_000, { locale: "tr" }); // "2 saat önce"
 */
export function formatRelative(
  instant: Date | string | number,
  options: { locale?: Locale; nowMs?: number } = {},
): string {
  const language = options.locale ?? locale();
  const deltaMs = asDate(instant).getTime() - (options.nowMs ?? Date.now());
  const format = new Intl.RelativeTimeFormat(BCP47[language], { numeric: "always" });
  for (const [unit, ms, from] of RELATIVE_UNITS) {
    if (Math.abs(deltaMs) >= ms * from) return format.format(Math.trunc(deltaMs / ms), unit);
  }
  return translate(language, "time.justNow");
}

/** The `Europe/Istanbul` midnight that began the day of `nowMs` (Türkiye has kept UTC+3 all year since 2016). */
export function istanbulMidnightMs(nowMs: number): number {
  const offsetMs = 3 * 3_600_000;
  return Math.floor((nowMs + offsetMs) / 86_400_000) * 86_400_000 - offsetMs;
}
