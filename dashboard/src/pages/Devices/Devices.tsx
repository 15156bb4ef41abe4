/**
 * Devices' view: per hotel, each source of logs by its address (as an agent
 * heard it) with its name, last host name, last seen and lines; a name is
 * changed in its row. Plain props; ./index.tsx loads and saves.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { Device, HotelOverview } from "../../api/types.ts";
import { AdminTable } from "../../components/AdminTable.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/States.tsx";
import { formatDateTime, formatNumber, t } from "../../i18n/index.ts";
import "../../components/admin.css";

export interface DevicesProps {
  hotels: readonly HotelOverview[] | undefined;
  /** Undefined while loading. */
  devices: readonly Device[] | undefined;
  error: unknown;
  retry: () => void;
  /** Name a device; null clears its name. */
  rename: (device: Device, name: string | null) => Promise<unknown>;
}

/** The devices of each hotel, hotels in the order given, addresses in numeric order. */
export function byHotel(
  devices: readonly Device[],
  hotels: readonly HotelOverview[],
): { hotel: string; name: string; devices: Device[] }[] {
  const groups = new Map<string, Device[]>();
  for (const device of devices)
    groups.set(device.hotel, [...(groups.get(device.hotel) ?? []), device]);
  const order = [...hotels.map((hotel) => hotel.id), ...groups.keys()];
  const ipKey = (address: string) =>
    address.includes(".")
      ? address
          .split(".")
          .map((part) => part.padStart(3, "0"))
          .join(".")
      : address;
  return [...new Set(order)]
    .filter((id) => groups.has(id))
    .map((id) => ({
      hotel: id,
      name: hotels.find((hotel) => hotel.id === id)?.name ?? id,
      devices: (groups.get(id) ?? []).sort(
        (a, b) =>
          ipKey(a.address).localeCompare(ipKey(b.address)) || a.agent.localeCompare(b.agent),
      ),
    }));
}

function DeviceRow(props: {
  device: Device;
  rename: (device: Device, name: string | null) => Promise<unknown>;
}): JSX.Element {
  const [editing, setEditing] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let input: HTMLInputElement | undefined;
  let renameButton: HTMLButtonElement | undefined;
  const inputId = () => `device-name-${props.device.agent}-${props.device.address}`;

  const open = () => {
    setError(undefined);
    setEditing(true);
    input?.focus();
    input?.select();
  };
  const close = () => {
    setEditing(false);
    setError(undefined);
    queueMicrotask(() => renameButton?.focus());
  };
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = input?.value.trim() ?? "";
    setBusy(true);
    setError(undefined);
    try {
      await props.rename(props.device, name === "" ? null : name);
      close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td data-label={t("devices.col.address")} class="mono">
        {props.device.address}
      </td>
      <td data-label={t("devices.col.name")}>
        <Show
          when={editing()}
          fallback={
            <div class="device-name">
              <span class={props.device.name ? undefined : "muted"}>
                {props.device.name ?? t("devices.unnamed")}
              </span>
              <button
                ref={renameButton}
                type="button"
                class="button button-link"
                aria-label={t("devices.renameOne", { address: props.device.address })}
                onClick={open}
              >
                {t("devices.rename")}
              </button>
            </div>
          }
        >
          <form class="device-rename" onSubmit={(event) => void save(event)}>
            <label class="visually-hidden" for={inputId()}>
              {t("devices.nameFor", { address: props.device.address })}
            </label>
            <input
              ref={(element) => {
                input = element;
                queueMicrotask(() => {
                  element.focus();
                  element.select();
                });
              }}
              id={inputId()}
              name="name"
              maxLength={100}
              value={props.device.name ?? ""}
              placeholder={t("devices.namePlaceholder")}
              aria-invalid={error() ? "true" : undefined}
              aria-describedby={error() ? `${inputId()}-error` : undefined}
              onKeyDown={(event) => {
                if (event.key === "Escape") close();
              }}
            />
            <button
              type="submit"
              class="button button-primary"
              disabled={busy()}
              aria-busy={busy()}
            >
              {busy() ? t("devices.saving") : t("devices.save")}
            </button>
            <button type="button" class="button" onClick={close}>
              {t("devices.cancel")}
            </button>
            <Show when={error()}>
              <p id={`${inputId()}-error`} class="form-error device-error" role="alert">
                {errorMessage(error())}
              </p>
            </Show>
          </form>
        </Show>
      </td>
      <td data-label={t("devices.col.host")}>{props.device.last_host ?? "—"}</td>
      <td data-label={t("devices.col.lastSeen")}>{formatDateTime(props.device.last_seen.utc)}</td>
      <td data-label={t("devices.col.events")} class="numeric">
        {formatNumber(props.device.events)}
      </td>
      <td data-label={t("devices.col.agent")} class="mono small">
        {props.device.agent}
      </td>
    </tr>
  );
}

export function Devices(props: DevicesProps): JSX.Element {
  return (
    <section class="page devices-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("devices.title")}</h1>
          <p class="muted small">{t("devices.subtitle")}</p>
        </div>
      </header>
      <Show
        when={!props.error}
        fallback={
          <div class="panel">
            <ErrorState error={props.error} retry={props.retry} />
          </div>
        }
      >
        <Show
          when={props.devices}
          fallback={
            <div class="panel">
              <Loading />
            </div>
          }
        >
          {(devices) => (
            <Show
              when={devices().length > 0}
              fallback={
                <div class="panel">
                  <EmptyState title={t("devices.empty")}>
                    <p>{t("devices.emptyBody")}</p>
                  </EmptyState>
                </div>
              }
            >
              <For each={byHotel(devices(), props.hotels ?? [])}>
                {(group) => (
                  <section class="panel" aria-labelledby={`devices-${group.hotel}`}>
                    <h2 id={`devices-${group.hotel}`}>
                      {t("devices.ofHotel", { hotel: group.name, count: group.devices.length })}
                    </h2>
                    <AdminTable
                      columns={[
                        { label: t("devices.col.address") },
                        { label: t("devices.col.name") },
                        { label: t("devices.col.host") },
                        { label: t("devices.col.lastSeen") },
                        { label: t("devices.col.events"), numeric: true },
                        { label: t("devices.col.agent") },
                      ]}
                    >
                      <For each={group.devices}>
                        {(device) => <DeviceRow device={device} rename={props.rename} />}
                      </For>
                    </AdminTable>
                  </section>
                )}
              </For>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
