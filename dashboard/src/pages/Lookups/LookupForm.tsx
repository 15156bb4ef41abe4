/**
 * The three questions as tabs, each a form: times typed in the zone the
 * header shows (named beside each field), the hotel when the account has
 * several. Submitting hands the question up; the page puts it in the URL.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import type { HotelOverview } from "../../api/types.ts";
import { LOOKUP_KINDS, type LookupKind, type LookupQuestion } from "../../data/lookups.ts";
import { isoToWall, wallToIso } from "../../data/wall-time.ts";
import { type MessageKey, t, zone } from "../../i18n/index.ts";

const TAB_LABELS: Record<LookupKind, MessageKey> = {
  ip: "lookup.tab.ip",
  mac: "lookup.tab.mac",
  nat: "lookup.tab.nat",
};

export interface LookupFormProps {
  kind: LookupKind;
  /** The question asked (from the URL): the form starts from it. */
  question: LookupQuestion | undefined;
  hotels: readonly HotelOverview[];
  busy: boolean;
  nowMs: number;
  onTab(kind: LookupKind): void;
  onAsk(question: LookupQuestion): void;
}

export function LookupTabs(props: { kind: LookupKind; onTab(kind: LookupKind): void }) {
  const tabs: HTMLButtonElement[] = [];
  // Arrow keys move between tabs (the ARIA tabs pattern), Home and End to the ends.
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const last = LOOKUP_KINDS.length - 1;
    const next =
      event.key === "ArrowRight"
        ? index === last
          ? 0
          : index + 1
        : event.key === "ArrowLeft"
          ? index === 0
            ? last
            : index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    const kind = LOOKUP_KINDS[next];
    if (kind) props.onTab(kind);
    tabs[next]?.focus();
  };
  return (
    <div class="lookup-tabs" role="tablist" aria-label={t("lookup.tabs")}>
      <For each={LOOKUP_KINDS}>
        {(kind, index) => (
          <button
            type="button"
            role="tab"
            id={`lookup-tab-${kind}`}
            aria-selected={props.kind === kind}
            aria-controls="lookup-panel"
            tabindex={props.kind === kind ? 0 : -1}
            ref={(element) => {
              tabs[index()] = element;
            }}
            onClick={() => props.onTab(kind)}
            onKeyDown={(event) => onKeyDown(event, index())}
          >
            {t(TAB_LABELS[kind])}
          </button>
        )}
      </For>
    </div>
  );
}

/** Which zone a time field is read in, shown under it. */
function ZoneNote(props: { id: string }): JSX.Element {
  return (
    <span class="zone-tag" id={props.id}>
      {zone() === "utc" ? t("lookup.zoneUtc") : t("lookup.zoneIstanbul")}
    </span>
  );
}

export function LookupForm(props: LookupFormProps): JSX.Element {
  const asked = props.question;
  const wall = (iso: string | undefined, fallbackMs: number) =>
    isoToWall(iso ?? fallbackMs, zone());
  const [ip, setIp] = createSignal(asked?.kind === "ip" ? asked.ip : "");
  const [mac, setMac] = createSignal(asked?.kind === "mac" ? asked.mac : "");
  const [address, setAddress] = createSignal(asked?.kind === "nat" ? asked.address : "");
  const [at, setAt] = createSignal(
    wall(asked?.kind === "ip" || asked?.kind === "nat" ? asked.at : undefined, props.nowMs),
  );
  const [from, setFrom] = createSignal(
    wall(asked?.kind === "mac" ? asked.from : undefined, props.nowMs - 86_400_000),
  );
  const [to, setTo] = createSignal(wall(asked?.kind === "mac" ? asked.to : undefined, props.nowMs));
  const [hotel, setHotel] = createSignal(asked?.hotel ?? "");
  const [problem, setProblem] = createSignal<string>();

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const scope = hotel() ? { hotel: hotel() } : {};
    const time = (value: string) => wallToIso(value, zone());
    if (props.kind === "mac") {
      const start = time(from());
      const end = time(to());
      if (!start || !end) return setProblem(t("lookup.invalidTime"));
      if (Date.parse(start) >= Date.parse(end)) return setProblem(t("lookup.invalidRange"));
      setProblem(undefined);
      return props.onAsk({ kind: "mac", mac: mac().trim(), from: start, to: end, ...scope });
    }
    const moment = time(at());
    if (!moment) return setProblem(t("lookup.invalidTime"));
    setProblem(undefined);
    if (props.kind === "ip") props.onAsk({ kind: "ip", ip: ip().trim(), at: moment, ...scope });
    else props.onAsk({ kind: "nat", address: address().trim(), at: moment, ...scope });
  };

  return (
    <form
      class="lookup-form panel"
      id="lookup-panel"
      role="tabpanel"
      aria-labelledby={`lookup-tab-${props.kind}`}
      onSubmit={submit}
    >
      <p class="muted">{t(`lookup.ask.${props.kind}`)}</p>
      <div class="lookup-fields">
        <Show when={props.kind === "ip"}>
          <div class="field">
            <label for="lookup-ip">{t("lookup.ip")}</label>
            <input
              id="lookup-ip"
              name="ip"
              required
              inputmode="decimal"
              autocomplete="off"
              spellcheck={false}
              placeholder="10.1.1.23"
              aria-describedby="lookup-ip-help"
              value={ip()}
              onInput={(event) => setIp(event.currentTarget.value)}
            />
            <span class="muted small" id="lookup-ip-help">
              {t("lookup.ipHelp")}
            </span>
          </div>
        </Show>
        <Show when={props.kind === "mac"}>
          <div class="field">
            <label for="lookup-mac">{t("lookup.mac")}</label>
            <input
              id="lookup-mac"
              name="mac"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="a4:c3:f0:36:4a:02"
              aria-describedby="lookup-mac-help"
              value={mac()}
              onInput={(event) => setMac(event.currentTarget.value)}
            />
            <span class="muted small" id="lookup-mac-help">
              {t("lookup.macHelp")}
            </span>
          </div>
        </Show>
        <Show when={props.kind === "nat"}>
          <div class="field">
            <label for="lookup-address">{t("lookup.address")}</label>
            <input
              id="lookup-address"
              name="address"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="198.51.100.1:56687"
              aria-describedby="lookup-address-help"
              value={address()}
              onInput={(event) => setAddress(event.currentTarget.value)}
            />
            <span class="muted small" id="lookup-address-help">
              {t("lookup.addressHelp")}
            </span>
          </div>
        </Show>
        <Show
          when={props.kind === "mac"}
          fallback={
            <div class="field">
              <label for="lookup-at">{t("lookup.at")}</label>
              <input
                id="lookup-at"
                name="at"
                autocomplete="off"
                placeholder={t("lookup.timePlaceholder")}
                aria-describedby="lookup-at-zone lookup-time-help"
                required
                value={at()}
                onInput={(event) => setAt(event.currentTarget.value)}
              />
              <ZoneNote id="lookup-at-zone" />
            </div>
          }
        >
          <div class="field">
            <label for="lookup-from">{t("lookup.from")}</label>
            <input
              id="lookup-from"
              name="from"
              autocomplete="off"
              placeholder={t("lookup.timePlaceholder")}
              aria-describedby="lookup-from-zone lookup-time-help"
              required
              value={from()}
              onInput={(event) => setFrom(event.currentTarget.value)}
            />
            <ZoneNote id="lookup-from-zone" />
          </div>
          <div class="field">
            <label for="lookup-to">{t("lookup.to")}</label>
            <input
              id="lookup-to"
              name="to"
              autocomplete="off"
              placeholder={t("lookup.timePlaceholder")}
              aria-describedby="lookup-to-zone lookup-time-help"
              required
              value={to()}
              onInput={(event) => setTo(event.currentTarget.value)}
            />
            <ZoneNote id="lookup-to-zone" />
          </div>
        </Show>
        <Show when={props.hotels.length > 1}>
          <div class="field">
            <label for="lookup-hotel">{t("lookup.hotel")}</label>
            <select
              id="lookup-hotel"
              name="hotel"
              value={hotel()}
              onChange={(event) => setHotel(event.currentTarget.value)}
            >
              <option value="">{t("lookup.allHotels")}</option>
              <For each={props.hotels}>
                {(option) => <option value={option.id}>{option.name}</option>}
              </For>
            </select>
          </div>
        </Show>
      </div>
      <p class="muted small" id="lookup-time-help">
        {t("lookup.zoneHelp")}
      </p>
      <Show when={problem()}>
        <p class="form-error" role="alert">
          {problem()}
        </p>
      </Show>
      <div>
        <button type="submit" class="button-primary" disabled={props.busy}>
          {props.busy ? t("lookup.working") : t("lookup.submit")}
        </button>
      </div>
    </form>
  );
}
