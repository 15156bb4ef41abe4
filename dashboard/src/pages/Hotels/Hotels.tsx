/**
 * Hotels' view, read-only: id, name, retention, legal hold and agents.
 * Hotels are added and changed with the hub's command line for now.
 */
import { For, type JSX } from "solid-js";
import type { HotelOverview } from "../../api/types.ts";
import { AdminTable } from "../../components/AdminTable.tsx";
import { Badge } from "../../components/Badge.tsx";
import { EmptyState, ListStates } from "../../components/States.tsx";
import { formatNumber, t } from "../../i18n/index.ts";
import "../../components/admin.css";

export interface HotelsProps {
  hotels: readonly HotelOverview[] | undefined;
  error: unknown;
  retry: () => void;
}

/** The CLI lines that change hotels (hub/src/cli): shown, not run. */
export const HOTEL_ADD_COMMAND = 'logmaster-hub hotel add "Lara Beach" --id antalya-lara';
export const HOTEL_SET_COMMAND =
  "logmaster-hub hotel set antalya-lara --retention-days 730 --legal-hold on";

export function Hotels(props: HotelsProps): JSX.Element {
  return (
    <section class="page hotels-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("hotels.title")}</h1>
          <p class="muted small">{t("hotels.subtitle")}</p>
        </div>
      </header>
      <section class="panel" aria-labelledby="hotels-list-title">
        <h2 id="hotels-list-title" class="visually-hidden">
          {t("hotels.list")}
        </h2>
        <ListStates
          items={props.hotels}
          error={props.error}
          retry={props.retry}
          empty={
            <EmptyState title={t("state.noHotels")}>
              <p>{t("hotels.cliHint")}</p>
            </EmptyState>
          }
        >
          {(hotels) => (
            <AdminTable
              caption={t("hotels.list")}
              columns={[
                { label: t("hotels.col.id") },
                { label: t("hotels.col.name") },
                { label: t("hotels.col.retention"), numeric: true },
                { label: t("hotels.col.legalHold") },
                { label: t("hotels.col.agents"), numeric: true },
              ]}
            >
              <For each={hotels()}>
                {(hotel) => (
                  <tr>
                    <td data-label={t("hotels.col.id")} class="mono">
                      {hotel.id}
                    </td>
                    <td data-label={t("hotels.col.name")}>{hotel.name}</td>
                    <td data-label={t("hotels.col.retention")} class="numeric">
                      {t("hotels.days", { days: hotel.retention_days })}
                    </td>
                    <td data-label={t("hotels.col.legalHold")}>
                      <div>
                        {hotel.legal_hold ? (
                          <Badge tone="warning">{t("hotels.holdOn")}</Badge>
                        ) : (
                          t("hotels.holdOff")
                        )}
                      </div>
                    </td>
                    <td data-label={t("hotels.col.agents")} class="numeric">
                      {formatNumber(hotel.agents)}
                    </td>
                  </tr>
                )}
              </For>
            </AdminTable>
          )}
        </ListStates>
      </section>
      <section class="panel" aria-labelledby="hotels-cli-title">
        <h2 id="hotels-cli-title">{t("hotels.cliTitle")}</h2>
        <p>{t("hotels.cliHint")}</p>
        <pre class="copy-block-code" tabindex="0">
          <code>{`${HOTEL_ADD_COMMAND}\n${HOTEL_SET_COMMAND}`}</code>
        </pre>
      </section>
    </section>
  );
}
