/**
 * The three questions as tabs, each a form: times typed in the zone the
 * header shows (named beside each field), the hotel when the account has
 * several. Submitting hands the question up; the page puts it in the URL.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import type { HotelOverview } from "../../api/types.ts";
import { HotelSelect } from "../../components/HotelSelect.tsx";
import { LOOKUP_KINDS, type LookupKind, type LookupQuestion } from "../../data/lookups.ts";
import { isoToWall, wallToIso } from "../../data/wall-time.ts";
import { type MessageKey, t, zone } from "../../i18n/index.ts";
import { LookupField, TIME_HELP_ID } from "./LookupField.tsx";

const TAB_LABELS: Record<LookupKind, MessageKey> = {
  ip: "lookup.tab.ip",
  mac: "lookup.tab.mac",
  nat: "lookup.tab.nat",
};

/** What each question asks about, the field it is typed in. */
const IDENTITY_FIELDS: Record<
  LookupKind,
  { name: string; label: MessageKey; help: MessageKey; placeholder: string; inputmode?: "decimal" }
> = {
  ip: {
    name: "ip",
    label: "lookup.ip",
    help: "lookup.ipHelp",
    placeholder: "10.1.1.23",
    inputmode: "decimal",
  },
  mac: {
    name: "mac",
    label: "lookup.mac",
    help: "lookup.macHelp",
    placeholder: "a4:c3:f0:36:4a:02",
  },
  nat: {
    name: "address",
    label: "lookup.address",
    help: "lookup.addressHelp",
    placeholder: "198.51.100.1:56687",
  },
};

/** When each question asks about: a moment, or (for a MAC) a span. */
const TIME_FIELDS: Record<LookupKind, readonly ("at" | "from" | "to")[]> = {
  ip: ["at"],
  mac: ["from", "to"],
  nat: ["at"],
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

export function LookupForm(props: LookupFormProps): JSX.Element {
  const asked = props.question;
  const wall = (iso: string | undefined, fallbackMs: number) =>
    isoToWall(iso ?? fallbackMs, zone());
  const [ip, setIp] = createSignal(asked?.kind === "ip" ? asked.ip : "");
  const [mac, setMac] = createSignal(asked?.kind === "mac" ? asked.mac : "");
  const [address, setAddress] = createSignal(asked?.kind === "nat" ? asked.address : "");
  const identities = { ip: [ip, setIp], mac: [mac, setMac], nat: [address, setAddress] } as const;
  const [at, setAt] = createSignal(
    wall(asked?.kind === "ip" || asked?.kind === "nat" ? asked.at : undefined, props.nowMs),
  );
  const [from, setFrom] = createSignal(
    wall(asked?.kind === "mac" ? asked.from : undefined, props.nowMs - 86_400_000),
  );
  const [to, setTo] = createSignal(wall(asked?.kind === "mac" ? asked.to : undefined, props.nowMs));
  const times = { at: [at, setAt], from: [from, setFrom], to: [to, setTo] } as const;
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
        <Show when={props.kind} keyed>
          {(kind) => {
            const field = IDENTITY_FIELDS[kind];
            const [value, setValue] = identities[kind];
            return (
              <LookupField
                kind="identity"
                name={field.name}
                label={t(field.label)}
                help={t(field.help)}
                placeholder={field.placeholder}
                inputmode={field.inputmode}
                value={value()}
                onInput={setValue}
              />
            );
          }}
        </Show>
        <For each={TIME_FIELDS[props.kind]}>
          {(name) => (
            <LookupField
              kind="time"
              name={name}
              label={t(`lookup.${name}`)}
              value={times[name][0]()}
              onInput={times[name][1]}
            />
          )}
        </For>
        <HotelSelect
          id="lookup-hotel"
          name="hotel"
          label={t("lookup.hotel")}
          allHotels={t("lookup.allHotels")}
          hotels={props.hotels}
          value={hotel()}
          onChange={setHotel}
        />
      </div>
      <p class="muted small" id={TIME_HELP_ID}>
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
