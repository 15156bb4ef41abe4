/** A hotel's page: its problems, the last 24 hours of events, its agents and recent hours. */
import { A } from "@solidjs/router";
import { For, type JSX, Show } from "solid-js";
import type { AgentStatus, ChunkView, HistogramResponse, HotelOverview } from "../../api/types.ts";
import { Badge } from "../../components/Badge.tsx";
import { Sparkline } from "../../components/Sparkline.tsx";
import { EmptyState } from "../../components/States.tsx";
import {
  currentRate,
  eventsSince,
  isSealed,
  problemsOf,
  sparklineValues,
} from "../../data/health.ts";
import {
  formatDateTime,
  formatNumber,
  formatRelative,
  istanbulMidnightMs,
  t,
} from "../../i18n/index.ts";
import { AgentLine, ChunkState, ProblemBadges } from "../Overview/HotelRow.tsx";

export interface HotelPageData {
  hotel: HotelOverview;
  agents: AgentStatus[];
  chunks: ChunkView[] | undefined;
  histogram: HistogramResponse | undefined;
  nowMs: number;
  reach: { events: boolean; custody: boolean };
}

export function Hotel(props: { data: HotelPageData }): JSX.Element {
  const hotel = () => props.data.hotel;
  const lastChunk = () => props.data.chunks?.find(isSealed) ?? null;
  const problems = () =>
    problemsOf({
      hotel: hotel(),
      agents: props.data.agents,
      ...(props.data.reach.custody ? { lastChunk: lastChunk() } : {}),
      errors: [],
    });
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <A href="/" class="back-link">
            ← {t("nav.overview")}
          </A>
          <h1 id="page-title">{hotel().name}</h1>
          <p class="muted small">
            <span class="mono">{hotel().id}</span> ·{" "}
            {t("overview.retention", { days: hotel().retention_days })}
            <Show when={hotel().legal_hold}>
              {" "}
              · <Badge tone="warning">{t("overview.legalHold")}</Badge>
            </Show>
          </p>
        </div>
        <Show when={problems().length > 0}>
          <ProblemBadges problems={problems()} />
        </Show>
      </header>

      <Show when={props.data.histogram}>
        {(histogram) => (
          <section class="panel" aria-labelledby="events-title">
            <h2 id="events-title">{t("hotel.events24h")}</h2>
            <p>
              <span class="big-number">
                {formatNumber(eventsSince(histogram(), istanbulMidnightMs(props.data.nowMs)))}
              </span>{" "}
              <span class="muted">
                {t("overview.events")} ·{" "}
                {t("overview.rate", {
                  rate: formatNumber(currentRate(histogram(), props.data.nowMs)),
                })}
              </span>
            </p>
            <Sparkline
              values={sparklineValues(histogram(), 96)}
              label={t("overview.sparkline", { total: histogram().total })}
              width={800}
              height={80}
            />
          </section>
        )}
      </Show>

      <section class="panel" aria-labelledby="agents-title">
        <h2 id="agents-title">{t("hotel.agents")}</h2>
        <Show
          when={props.data.agents.length > 0}
          fallback={<EmptyState title={t("hotel.noAgents")} />}
        >
          <section class="table-wrap" aria-labelledby="agents-title" tabindex="0">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("hotel.agent")}</th>
                  <th scope="col">{t("hotel.state")}</th>
                  <th scope="col">{t("hotel.lastSeen")}</th>
                  <th scope="col">{t("hotel.certificate")}</th>
                  <th scope="col">{t("hotel.skew")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={props.data.agents}>
                  {(agent) => (
                    <tr>
                      <td class="mono">{agent.id}</td>
                      <td>
                        <AgentLine agent={agent} />
                      </td>
                      <td>
                        {agent.last_seen_at ? formatDateTime(agent.last_seen_at) : t("time.never")}
                      </td>
                      <td>
                        {formatDateTime(agent.not_after)}{" "}
                        <span class="muted small">
                          ({formatRelative(agent.not_after, { nowMs: props.data.nowMs })})
                        </span>
                      </td>
                      <td>
                        {agent.last_clock_skew_ms === null
                          ? "—"
                          : `${formatNumber(agent.last_clock_skew_ms)} ms`}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>
        </Show>
      </section>

      <Show when={props.data.chunks}>
        {(chunks) => (
          <section class="panel" aria-labelledby="chunks-title">
            <h2 id="chunks-title">{t("hotel.recentChunks")}</h2>
            <Show when={chunks().length > 0} fallback={<EmptyState title={t("hotel.noChunks")} />}>
              <section class="table-wrap" aria-labelledby="chunks-title" tabindex="0">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t("hotel.chunk")}</th>
                      <th scope="col">{t("hotel.agent")}</th>
                      <th scope="col">{t("hotel.seal")}</th>
                      <th scope="col" class="numeric">
                        {t("hotel.records")}
                      </th>
                      <th scope="col">{t("hotel.sealedAt")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={chunks()}>
                      {(chunk) => (
                        <tr>
                          <td>{formatDateTime(chunk.hour_start)}</td>
                          <td class="mono">{chunk.agent_id}</td>
                          <td>
                            <ChunkState chunk={chunk} />
                          </td>
                          <td class="numeric">
                            {chunk.record_count === null ? "—" : formatNumber(chunk.record_count)}
                          </td>
                          <td>{chunk.sealed_at ? formatDateTime(chunk.sealed_at) : "—"}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </section>
            </Show>
          </section>
        )}
      </Show>
    </section>
  );
}
