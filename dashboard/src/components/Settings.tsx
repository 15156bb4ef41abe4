/** The language and time-zone switches (header and login page). */
import { For, type JSX } from "solid-js";
import {
  LOCALE_NAMES,
  LOCALES,
  type Locale,
  locale,
  setLocale,
  setZone,
  t,
  ZONES,
  type Zone,
  zone,
} from "../i18n/index.ts";

export function LanguageSwitch(): JSX.Element {
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">{t("lang.label")}</legend>
      <For each={LOCALES}>
        {(option: Locale) => (
          <button
            type="button"
            lang={option}
            aria-pressed={locale() === option}
            onClick={() => setLocale(option)}
          >
            {LOCALE_NAMES[option]}
          </button>
        )}
      </For>
    </fieldset>
  );
}

export function ZoneSwitch(): JSX.Element {
  return (
    <label class="select-label">
      <span>{t("zone.label")}</span>
      <select value={zone()} onChange={(event) => setZone(event.currentTarget.value as Zone)}>
        <For each={ZONES}>
          {(option) => (
            <option value={option} selected={zone() === option}>
              {option === "utc" ? t("zone.utc") : `${t("zone.istanbul")} (UTC+3)`}
            </option>
          )}
        </For>
      </select>
    </label>
  );
}
