/**
 * The hotel picker of a form: the hotels the account may read, shown only
 * when there is a choice (more than one), optionally led by "all hotels".
 */
import { For, type JSX, Show } from "solid-js";
import type { HotelOverview } from "../api/types.ts";

export interface HotelSelectProps {
  /** The select's id, which its label points at. */
  id: string;
  label: string;
  hotels: readonly Pick<HotelOverview, "id" | "name">[];
  /** The chosen hotel's id; "" for all hotels. */
  value: string;
  onChange(hotelId: string): void;
  /** The text of a first option, value "", for every hotel; without it, no such option. */
  allHotels?: string;
  /** The form field's name, where the form has names. */
  name?: string;
}

/**
 * @example
 * <HotelSelect id="tail-hotel" label={t("tail.hotel")} allHotels={t("tail.allHotels")}
 *   hotels={props.hotels} value={hotel()} onChange={setHotel} />
 */
export function HotelSelect(props: HotelSelectProps): JSX.Element {
  return (
    <Show when={props.hotels.length > 1}>
      <div class="field">
        <label for={props.id}>{props.label}</label>
        <select
          id={props.id}
          name={props.name}
          value={props.value}
          onChange={(event) => props.onChange(event.currentTarget.value)}
        >
          <Show when={props.allHotels}>{(text) => <option value="">{text()}</option>}</Show>
          <For each={props.hotels}>
            {(option) => <option value={option.id}>{option.name}</option>}
          </For>
        </select>
      </div>
    </Show>
  );
}
