/**
 * A new enrollment token: the hotel and how long it lasts, then the token
 * and the two lines to paste on the site box, shown this once (the hub
 * keeps only a hash of the token).
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { HotelOverview, TokenAnswer } from "../../api/types.ts";
import { CopyBlock } from "../../components/CopyBlock.tsx";
import { formatDateTime, type MessageKey, t } from "../../i18n/index.ts";

const HOUR_MS = 3_600_000;
/** The lifetimes offered: the hub takes at most 30 days. */
export const TOKEN_TTLS: readonly { ms: number; label: MessageKey }[] = [
  { ms: HOUR_MS, label: "agents.ttl.hour" },
  { ms: 24 * HOUR_MS, label: "agents.ttl.day" },
  { ms: 7 * 24 * HOUR_MS, label: "agents.ttl.week" },
  { ms: 30 * 24 * HOUR_MS, label: "agents.ttl.month" },
];
const DEFAULT_TTL_MS = 24 * HOUR_MS;
/** After enrolling, the service starts (docs/install-agent.md). */
export const START_COMMAND = "sudo systemctl enable --now logmaster-agent";

export function TokenPanel(props: {
  hotels: readonly HotelOverview[] | undefined;
  createToken: (request: { hotel: string; ttl_ms: number }) => Promise<TokenAnswer>;
}): JSX.Element {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [token, setToken] = createSignal<TokenAnswer>();
  let form: HTMLFormElement | undefined;
  let result: HTMLHeadingElement | undefined;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!form) return;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    try {
      setToken(
        await props.createToken({
          hotel: String(data.get("hotel") ?? ""),
          ttl_ms: Number(data.get("ttl") ?? DEFAULT_TTL_MS),
        }),
      );
      result?.focus();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const hotelName = (id: string) => props.hotels?.find((hotel) => hotel.id === id)?.name ?? id;

  return (
    <section class="panel" aria-labelledby="token-title">
      <h2 id="token-title">{t("agents.token.title")}</h2>
      <p class="muted small">{t("agents.token.intro")}</p>
      <form class="admin-form" ref={form} onSubmit={(event) => void submit(event)}>
        <label class="field">
          <span>{t("agents.token.hotel")}</span>
          <select name="hotel" required disabled={!props.hotels?.length}>
            <For each={props.hotels ?? []}>
              {(hotel) => <option value={hotel.id}>{hotel.name}</option>}
            </For>
          </select>
        </label>
        <label class="field">
          <span>{t("agents.token.ttl")}</span>
          <select name="ttl">
            <For each={TOKEN_TTLS}>
              {(ttl) => (
                <option value={ttl.ms} selected={ttl.ms === DEFAULT_TTL_MS}>
                  {t(ttl.label)}
                </option>
              )}
            </For>
          </select>
        </label>
        <div class="admin-form-actions">
          <button
            type="submit"
            class="button button-primary"
            disabled={busy() || !props.hotels?.length}
            aria-busy={busy()}
          >
            {busy() ? t("agents.token.creating") : t("agents.token.create")}
          </button>
        </div>
      </form>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {errorMessage(error())}
        </p>
      </Show>
      <Show when={token()}>
        {(answer) => (
          <div class="token-result">
            <h3 ref={result} tabindex="-1">
              {t("agents.token.ready", { hotel: hotelName(answer().hotel_id) })}
            </h3>
            <p class="notice once-warning" role="note">
              {t("agents.token.once", { time: formatDateTime(answer().expires_at) })}
            </p>
            <CopyBlock label={t("agents.token.step1")} text={answer().install_command} />
            <CopyBlock label={t("agents.token.step2")} text={START_COMMAND} />
            <CopyBlock label={t("agents.token.tokenOnly")} text={answer().token} />
            <button type="button" class="button" onClick={() => setToken(undefined)}>
              {t("agents.token.done")}
            </button>
          </div>
        )}
      </Show>
    </section>
  );
}
