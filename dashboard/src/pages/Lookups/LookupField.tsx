/**
 * One field of a lookup's form: its label, its input, and the note under it
 * that the input is described by — the field's help, or for a time the zone
 * it is read in (with the form's time help).
 */
import { type JSX, Show } from "solid-js";
import { t, zone } from "../../i18n/index.ts";

/** The form's paragraph on how times are typed; every time field points at it. */
export const TIME_HELP_ID = "lookup-time-help";

export type LookupFieldProps = {
  /** The input's name; its id is `lookup-<name>`. */
  name: string;
  label: string;
  value: string;
  onInput(value: string): void;
} & (
  | { kind: "time" }
  | { kind: "identity"; help: string; placeholder: string; inputmode?: "decimal" }
);

/**
 * @example
 * <LookupField kind="time" name="at" label={t("lookup.at")} value={at()} onInput={setAt} />
 */
export function LookupField(props: LookupFieldProps): JSX.Element {
  const id = () => `lookup-${props.name}`;
  const noteId = () => `${id()}-${props.kind === "time" ? "zone" : "help"}`;
  const identity = () => (props.kind === "identity" ? props : undefined);
  return (
    <div class="field">
      <label for={id()}>{props.label}</label>
      <input
        id={id()}
        name={props.name}
        required
        inputmode={identity()?.inputmode}
        autocomplete="off"
        spellcheck={identity() ? false : undefined}
        placeholder={identity()?.placeholder ?? t("lookup.timePlaceholder")}
        aria-describedby={identity() ? noteId() : `${noteId()} ${TIME_HELP_ID}`}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <Show
        when={identity()}
        fallback={
          <span class="zone-tag" id={noteId()}>
            {zone() === "utc" ? t("lookup.zoneUtc") : t("lookup.zoneIstanbul")}
          </span>
        }
      >
        {(field) => (
          <span class="muted small" id={noteId()}>
            {field().help}
          </span>
        )}
      </Show>
    </div>
  );
}
