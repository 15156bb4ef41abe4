/**
 * The disclosure pack of the search shown: its range and filters as the
 * pack's question, offered only when the hub can make it — at most 10,000
 * lines (the histogram's total) and no filter a pack cannot apply —
 * otherwise the button says why.
 */
import type { JSX } from "solid-js";
import type { DiscloseRequest, HotelOverview } from "../../api/types.ts";
import { DisclosurePack } from "../../components/DisclosurePack.tsx";
import { DISCLOSE_MAX_LINES, type DisclosedPack, searchDisclosure } from "../../data/disclose.ts";
import { t } from "../../i18n/index.ts";
import type { SearchQuery } from "./state.ts";

export interface SearchDisclosureProps {
  /** The API's query of the search shown (its range fixed). */
  query: SearchQuery;
  /** The lines it finds (the histogram's total), when counted. */
  total: number | undefined;
  hotels: readonly HotelOverview[];
  disclose(request: DiscloseRequest): Promise<DisclosedPack>;
}

export function SearchDisclosure(props: SearchDisclosureProps): JSX.Element {
  const plan = () => searchDisclosure(props.query);
  const hotels = () => {
    const narrowed = plan().hotels;
    if (!narrowed) return props.hotels;
    return narrowed.map((id) => ({
      id,
      name: props.hotels.find((hotel) => hotel.id === id)?.name ?? id,
    }));
  };
  const unavailable = () => {
    const { unsupported } = plan();
    if (unsupported.length > 0)
      return t("disclose.unavailable.filters", {
        filters: unsupported.map((field) => t(`search.field.${field}`)).join(", "),
      });
    if (props.total !== undefined && props.total > DISCLOSE_MAX_LINES)
      return t("disclose.unavailable.tooMany", { count: props.total, max: DISCLOSE_MAX_LINES });
    if (props.total === 0) return t("disclose.unavailable.none");
    if (hotels().length === 0) return t("disclose.unavailable.noHotel");
    return undefined;
  };
  // The total counts every hotel searched; a pack is of one of them.
  const contents = () =>
    props.total !== undefined && hotels().length === 1
      ? t("disclose.contents.search", { count: props.total })
      : t("disclose.contents.searchUncounted", { max: DISCLOSE_MAX_LINES });
  return (
    <DisclosurePack
      id="search-disclose"
      question={plan().question}
      hotels={hotels()}
      contents={contents()}
      unavailable={unavailable()}
      placement="panel"
      disclose={props.disclose}
    />
  );
}
