/** One hotel on the overview: its problems, agents, certificate, events and last sealed hour. */
import { A } from "@solidjs/router";
import { For, type JSX, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { AgentStatus, ChunkView } from "../../api/types.ts";
import { Badge, TONE_TEXT, type Tone } from "../../components/Badge.tsx";
import { Sparkline } from "../../components/Sparkline.tsx";
import {
  activeAgents,
  currentRate,
  diskShare,
  diskTone,
  eventsSince,
  firstCertificateEnd,
  type HotelHealth,
  hasUnsentBacklog,
  isSkewed,
  type Problem,
  sparklineValues,
  timestampState,
  toneOf,
} from "../../data/health.ts";
import {
  formatBytes,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
  istanbulMidnightMs,
  t,
} from "../../i18n/index.ts";

export const AGENT_TONES: Record<AgentStatus["state"], Tone> = {
  ok: "ok",
  certificate_expiring: "warning",
  never_seen: "warning",
  silent: "critical",
  certificate_expired: "critical",
  revoked: "neutral",
};
const CERT_WARNING_MS = 30 * 86_400_000;
const SPARKLINE_POINTS = 48;

export function AgentLine(props: { agent: AgentStatus }): JSX.Element {
  const state = () => props.agent.state;
  const text = () =>
    state() === "silent"
      ? t("agent.silent", {
          since: props.agent.last_seen_at
            ? formatDateTime(props.agent.last_seen_at)
            : t("time.never"),
        })
      : t(`agent.${state()}`);
  const skewed = () => isSkewed(props.agent);
  const disk = () => {
    const share = diskShare(props.agent);
    if (share === undefined) return undefined;
    return {
      text: t("agent.disk", {
        used: formatBytes(props.agent.disk_used_bytes ?? 0),
        max: formatBytes(props.agent.disk_max_bytes ?? 0),
        percent: formatPercent(share),
      }),
      tone: diskTone(props.agent),
    };
  };
  return (
    <div class="agent-line">
      <Badge tone={AGENT_TONES[state()]}>{text()}</Badge>
      <span class="agent-name small">
        <Show when={props.agent.hostname} fallback={<span class="mono">{props.agent.id}</span>}>
          {(host) => (
            <>
              {t("hotel.host")}: {host()}
            </>
          )}
        </Show>
      </span>
      <Show when={state() === "ok" && props.agent.last_seen_at}>
        {(seen) => (
          <span class="muted small">{t("agent.lastSeen", { time: formatRelative(seen()) })}</span>
        )}
      </Show>
      <Show when={skewed()}>
        <span class="small warning-text" title={t("agent.skewHelp")}>
          {t("agent.skew", {
            seconds: Math.round(Math.abs(props.agent.last_clock_skew_ms ?? 0) / 100) / 10,
          })}
        </span>
      </Show>
      <Show when={props.agent.unsent_bytes !== null}>
        <span
          class={`small ${TONE_TEXT[hasUnsentBacklog(props.agent) ? "warning" : "neutral"]}`}
          title={t("agent.unsentHelp")}
        >
          {t("agent.unsent", { size: formatBytes(props.agent.unsent_bytes ?? 0) })}
        </span>
      </Show>
      <Show when={disk()}>
        {(shown) => (
          <span
            class={`small ${TONE_TEXT[shown().tone === "ok" ? "neutral" : shown().tone]}`}
            title={t("agent.diskHelp")}
          >
            {shown().text}
            <Show when={props.agent.wal_refusing}> · {t("agent.refusing")}</Show>
          </span>
        )}
      </Show>
    </div>
  );
}

export function ChunkState(props: { chunk: ChunkView }): JSX.Element {
  const seal = (): [Tone, string] =>
    props.chunk.status === "verified"
      ? ["ok", t("chunk.verified")]
      : props.chunk.status === "failed"
        ? ["critical", t("chunk.failed")]
        : ["neutral", t("chunk.open")];
  const stamp = (): [Tone, string] | undefined => {
    switch (timestampState(props.chunk)) {
      case "timestamped":
        return ["ok", t("chunk.timestamped")];
      case "awaiting":
        return ["warning", t("chunk.awaiting")];
      case "failed":
        return ["critical", t("chunk.timestampFailed")];
      default:
        return undefined;
    }
  };
  return (
    <span class="badges">
      <Badge tone={seal()[0]} title={props.chunk.reason ?? undefined}>
        {seal()[1]}
      </Badge>
      <Show when={stamp()}>
        {(shown) => (
          <Badge tone={shown()[0]} title={props.chunk.timestamp_error ?? undefined}>
            {shown()[1]}
          </Badge>
        )}
      </Show>
    </span>
  );
}

export function ProblemBadges(props: { problems: Problem[] }): JSX.Element {
  return (
    <ul class="problems" aria-label={t("overview.problems")}>
      <For each={props.problems}>
        {(problem) => (
          <li>
            <Badge tone={problem.tone}>{t(problem.key)}</Badge>
          </li>
        )}
      </For>
    </ul>
  );
}

export interface HotelRowProps {
  health: HotelHealth;
  problems: Problem[];
  nowMs: number;
  reach: { events: boolean; custody: boolean };
}

export function HotelRow(props: HotelRowProps): JSX.Element {
  const hotel = () => props.health.hotel;
  const agents = () => activeAgents(props.health.agents);
  const certEnd = () => firstCertificateEnd(props.health.agents);
  const certTone = (): Tone => {
    const end = certEnd();
    if (!end) return "neutral";
    const left = Date.parse(end) - props.nowMs;
    return left <= 0 ? "critical" : left < CERT_WARNING_MS ? "warning" : "ok";
  };
  const histogram = () => props.health.histogram;
  return (
    <article
      class={`hotel-row tone-${toneOf(props.problems)}`}
      aria-labelledby={`hotel-${hotel().id}`}
    >
      <div class="hotel-title">
        <h2 id={`hotel-${hotel().id}`}>
          <A href={`/hotels/${encodeURIComponent(hotel().id)}`}>{hotel().name}</A>
        </h2>
        <p class="muted small mono">{hotel().id}</p>
        <Show
          when={props.problems.length > 0}
          fallback={<Badge tone="ok">{t("overview.healthy")}</Badge>}
        >
          <ProblemBadges problems={props.problems} />
        </Show>
      </div>
      <dl class="hotel-facts">
        <div class="fact">
          <dt>{t("overview.agents")}</dt>
          <dd>
            <Show
              when={agents().length > 0}
              fallback={<span class="muted">{t("overview.noAgent")}</span>}
            >
              <For each={agents()}>{(agent) => <AgentLine agent={agent} />}</For>
            </Show>
          </dd>
        </div>
        <div class="fact">
          <dt>{t("overview.certificate")}</dt>
          <dd>
            <Show when={certEnd()} fallback={<span class="muted">—</span>}>
              {(end) => (
                <>
                  <Badge tone={certTone()}>{formatDate(end())}</Badge>
                  <span class="muted small">{formatRelative(end(), { nowMs: props.nowMs })}</span>
                </>
              )}
            </Show>
          </dd>
        </div>
        <Show when={props.reach.events}>
          <div class="fact fact-events">
            <dt>{t("overview.events")}</dt>
            <dd>
              <Show when={histogram()} fallback={<span class="muted">—</span>}>
                {(shown) => (
                  <>
                    <span class="big-number">
                      {formatNumber(eventsSince(shown(), istanbulMidnightMs(props.nowMs)))}
                    </span>
                    <span class="muted small">
                      {t("overview.rate", {
                        rate: formatNumber(currentRate(shown(), props.nowMs)),
                      })}
                    </span>
                    <Sparkline
                      values={sparklineValues(shown(), SPARKLINE_POINTS)}
                      label={t("overview.sparkline", { total: shown().total })}
                    />
                  </>
                )}
              </Show>
            </dd>
          </div>
        </Show>
        <Show when={props.reach.custody}>
          <div class="fact fact-chunk">
            <dt>{t("overview.lastChunk")}</dt>
            <dd>
              <Show
                when={props.health.lastChunk}
                fallback={
                  <span class="muted">
                    {props.health.lastChunk === null ? t("overview.noChunk") : "—"}
                  </span>
                }
              >
                {(chunk) => (
                  <>
                    <span>{formatDateTime(chunk().hour_start)}</span>
                    <ChunkState chunk={chunk()} />
                    <span class="muted small">
                      {t("chunk.records", { count: chunk().record_count ?? 0 })}
                    </span>
                  </>
                )}
              </Show>
            </dd>
          </div>
        </Show>
      </dl>
      <Show when={props.health.errors.length > 0}>
        <p class="row-error" role="status">
          {errorMessage(props.health.errors[0])}
        </p>
      </Show>
    </article>
  );
}
