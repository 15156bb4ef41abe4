/**
 * One day of the calendar opened: its downloads (the day with its signed
 * roll-up, the chosen hour) and its chunks, each with its manifest fields,
 * its seal and time-stamp verdicts and its link to the chunk before.
 */
import { For, type JSX, Show } from "solid-js";
import type { ChunkView } from "../../api/types.ts";
import { Badge, TONE_TEXT } from "../../components/Badge.tsx";
import { DownloadButton } from "../../components/DownloadButton.tsx";
import { EmptyState, ListStates } from "../../components/States.tsx";
import {
  formatBytes,
  formatDate,
  formatDateTime,
  formatNumber,
  formatTime,
  t,
  zone,
} from "../../i18n/index.ts";
import {
  CHAIN_VERDICTS,
  type ChainLink,
  chainLinks,
  sealVerdict,
  timestampVerdict,
} from "./chunks.ts";

const HOUR_MS = 3_600_000;

export type Download =
  | { kind: "day"; day: string }
  | { kind: "hour"; hour: string }
  | { kind: "chunk"; chunk: ChunkView }
  | { kind: "report"; format: "pdf" | "csv" };

export interface DayChunksProps {
  /** The wall day shown, `YYYY-MM-DD`. */
  day: string;
  /** The hour opened (`YYYY-MM-DDTHH`, UTC), if one. */
  hour: string | undefined;
  /** The day's chunks, oldest first; undefined while loading. */
  chunks: readonly ChunkView[] | undefined;
  error: unknown;
  retry: () => void;
  /** The UTC day the day bundle and roll-up cover (`YYYY-MM-DD`). */
  utcDay: string;
  download: (what: Download) => Promise<void>;
  onShowDay: () => void;
  onClose: () => void;
}

const hourStartMs = (hour: string) => Date.parse(`${hour}:00:00Z`);

/** "03.12.2026 13:00–14:00 Istanbul": an hour in the zone shown. */
export function hourSpan(startMs: number): string {
  const zoneName = zone() === "utc" ? t("zone.utc") : t("zone.istanbul");
  return `${formatDateTime(startMs, { withZone: false })}–${formatTime(startMs + HOUR_MS)} ${zoneName}`;
}

function Fact(props: { term: string; children: JSX.Element }): JSX.Element {
  return (
    <div class="fact">
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** The chain verdict: the manifest's link to the agent's previous chunk, and the window's. */
function ChainFact(props: { chunk: ChunkView; link: ChainLink | undefined }): JSX.Element {
  const verdict = () => CHAIN_VERDICTS[props.link?.verdict ?? "open"];
  const previous = () => props.link?.previous?.chunk ?? "";
  return (
    <>
      <span class={TONE_TEXT[verdict().tone]}>{t(verdict().key, { chunk: previous() })}</span>
      <Show when={props.link?.verdict === "links" && props.link.continuous !== undefined}>
        {" "}
        <span class={props.link?.continuous ? "ok-text" : "warning-text"}>
          {props.link?.continuous ? t("custody.chain.continuous") : t("custody.chain.broken")}
        </span>
      </Show>
      <Show when={props.chunk.prev_manifest_sha256}>
        {(hash) => (
          <span class="block small muted">
            {t("custody.prevManifestSha256")}: <span class="mono hash">{hash()}</span>
          </span>
        )}
      </Show>
    </>
  );
}

/** The time-stamp token's facts, once there is one. */
function TimestampFacts(props: { chunk: ChunkView }): JSX.Element {
  const facts = () =>
    [
      props.chunk.timestamp_tsa_name &&
        t("custody.timestamp.tsa", { name: props.chunk.timestamp_tsa_name }),
      props.chunk.timestamp_serial &&
        t("custody.timestamp.serial", { serial: props.chunk.timestamp_serial }),
      props.chunk.timestamp_policy &&
        t("custody.timestamp.policy", { policy: props.chunk.timestamp_policy }),
    ].filter((fact): fact is string => Boolean(fact));
  return (
    <For each={facts()}>{(fact) => <span class="block small muted mono hash">{fact}</span>}</For>
  );
}

function ChunkCard(props: {
  chunk: ChunkView;
  link: ChainLink | undefined;
  download: DayChunksProps["download"];
}): JSX.Element {
  const chunk = () => props.chunk;
  const seal = () => sealVerdict(chunk());
  const stamp = () => timestampVerdict(chunk());
  const id = () => `chunk-${chunk().agent_id}-${chunk().chunk}`.replace(/[^\w-]/g, "-");
  return (
    <article class="chunk-card" aria-labelledby={id()}>
      <header class="chunk-card-header">
        <h4 id={id()}>
          {hourSpan(Date.parse(chunk().hour_start))}
          <Show when={chunk().part > 0}>
            {" "}
            <span class="muted">· {t("custody.part", { part: chunk().part })}</span>
          </Show>
        </h4>
        <div class="badges">
          <Badge tone={seal().tone}>{t(seal().key)}</Badge>
          <Badge tone={stamp().tone}>{t(stamp().key)}</Badge>
        </div>
      </header>
      <dl class="chunk-facts">
        <Fact term={t("custody.chunkId")}>
          <span class="mono">{chunk().chunk}</span>
        </Fact>
        <Fact term={t("custody.agent")}>
          <span class="mono">{chunk().agent_id}</span>
        </Fact>
        <Fact term={t("custody.window")}>
          {chunk().window_start && chunk().window_end
            ? `${formatDateTime(chunk().window_start ?? "", { withZone: false })} – ${formatDateTime(chunk().window_end ?? "")}`
            : t("custody.windowOpen")}
        </Fact>
        <Fact term={t("custody.records")}>
          {chunk().record_count === null ? "—" : formatNumber(chunk().record_count ?? 0)}
        </Fact>
        <Fact term={t("custody.seqs")}>
          {chunk().manifest_sha256 === null
            ? "—"
            : chunk().first_seq === null
              ? t("custody.seqs.none")
              : t("custody.seqs.range", {
                  first: String(chunk().first_seq),
                  last: String(chunk().last_seq),
                })}
        </Fact>
        <Fact term={t("custody.gapLost")}>
          {chunk().gap_lost === null ? (
            "—"
          ) : (chunk().gap_lost ?? 0) > 0 ? (
            <span class="warning-text">
              {t("custody.gapLost.some", { count: chunk().gap_lost ?? 0 })}
            </span>
          ) : (
            t("custody.gapLost.none")
          )}
        </Fact>
        <Fact term={t("custody.bytes")}>{formatBytes(chunk().length)}</Fact>
        <Fact term={t("custody.recordsSha256")}>
          <span class="mono hash">{chunk().records_sha256 ?? "—"}</span>
        </Fact>
        <Fact term={t("custody.manifestSha256")}>
          <span class="mono hash">{chunk().manifest_sha256 ?? "—"}</span>
        </Fact>
        <Fact term={t("custody.signature")}>
          {chunk().status === "verified"
            ? t("custody.signature.verified")
            : chunk().status === "failed"
              ? t("custody.signature.failed", { reason: chunk().reason ?? "—" })
              : t("custody.signature.open")}
          <Show when={chunk().sealed_at}>
            {(sealedAt) => (
              <span class="muted small">
                {" "}
                · {t("custody.sealedAt", { time: formatDateTime(sealedAt()) })}
              </span>
            )}
          </Show>
        </Fact>
        <Fact term={t("custody.timestamp")}>
          <Show
            when={chunk().timestamp_gen_time}
            fallback={
              <>
                {t(stamp().key)}
                <Show when={chunk().timestamp_attempts > 0}>
                  {" "}
                  <span class="muted small">
                    · {t("custody.attempts", { count: chunk().timestamp_attempts })}
                  </span>
                </Show>
                <Show when={chunk().timestamp_error}>
                  {(error) => <span class="block small warning-text">{error()}</span>}
                </Show>
              </>
            }
          >
            {(genTime) => t("custody.timestamp.genTime", { time: formatDateTime(genTime()) })}
          </Show>
          <TimestampFacts chunk={chunk()} />
        </Fact>
        <Fact term={t("custody.chain")}>
          <ChainFact chunk={chunk()} link={props.link} />
        </Fact>
      </dl>
      <DownloadButton
        busyText={t("custody.preparing")}
        download={() => props.download({ kind: "chunk", chunk: chunk() })}
        label={t("custody.download.chunkLabel", { chunk: chunk().chunk, agent: chunk().agent_id })}
      >
        {t("custody.download.chunk")}
      </DownloadButton>
    </article>
  );
}

export function DayChunks(props: DayChunksProps): JSX.Element {
  const shown = () =>
    props.hour === undefined
      ? props.chunks
      : props.chunks?.filter((c) => c.hour_start.slice(0, 13) === props.hour);
  const links = () => chainLinks(props.chunks ?? []);
  const dayText = () => formatDate(Date.parse(`${props.day}T12:00:00Z`), { zone: "utc" });
  const utcFromMs = () => Date.parse(`${props.utcDay}T00:00:00Z`);
  return (
    <section class="panel day-panel" aria-labelledby="day-title">
      <header class="day-header">
        <div>
          <h2 id="day-title">
            {props.hour === undefined
              ? t("custody.dayTitle", { date: dayText() })
              : t("custody.hourTitle", { hour: hourSpan(hourStartMs(props.hour)) })}
          </h2>
          <Show when={props.hour !== undefined}>
            <button type="button" class="button-link" onClick={() => props.onShowDay()}>
              {t("custody.showDay", { date: dayText() })}
            </button>
          </Show>
        </div>
        <button type="button" class="button" onClick={() => props.onClose()}>
          {t("custody.close")}
        </button>
      </header>

      <div class="day-downloads">
        <Show when={props.hour}>
          {(hour) => (
            <DownloadButton
              primary
              busyText={t("custody.preparing")}
              download={() => props.download({ kind: "hour", hour: hour() })}
            >
              {t("custody.download.hour")}
            </DownloadButton>
          )}
        </Show>
        <DownloadButton
          busyText={t("custody.preparing")}
          download={() => props.download({ kind: "day", day: props.utcDay })}
        >
          {t("custody.download.day")}
        </DownloadButton>
        <p class="muted small">
          {t("custody.dayCovers", {
            from: formatDateTime(utcFromMs()),
            to: formatDateTime(utcFromMs() + 24 * HOUR_MS),
          })}
        </p>
      </div>

      <ListStates
        items={shown()}
        error={props.error}
        retry={props.retry}
        empty={<EmptyState title={t("custody.noChunks")}>{t("custody.noChunksBody")}</EmptyState>}
      >
        {(list) => (
          <div class="chunk-list">
            <For each={list()}>
              {(chunk) => (
                <ChunkCard chunk={chunk} link={links().get(chunk)} download={props.download} />
              )}
            </For>
          </div>
        )}
      </ListStates>
    </section>
  );
}
