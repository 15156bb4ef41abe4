/**
 * Agents and enrollment's view: a new enrollment token for a hotel (shown
 * once, with the lines hotel IT pastes on the site box), and the agents with
 * their state, last contact, certificate, clock skew and a revoke button.
 * Plain props; ./index.tsx loads the data and calls the hub.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import type { AgentStatus, HotelOverview, TokenAnswer } from "../../api/types.ts";
import { AdminTable } from "../../components/AdminTable.tsx";
import { Badge } from "../../components/Badge.tsx";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { EmptyState, ListStates } from "../../components/States.tsx";
import { isSkewed } from "../../data/health.ts";
import { formatDateTime, formatRelative, t } from "../../i18n/index.ts";
import { AGENT_TONES } from "../Overview/HotelRow.tsx";
import { TokenPanel } from "./TokenPanel.tsx";
import "../../components/admin.css";

export interface AgentsProps {
  hotels: readonly HotelOverview[] | undefined;
  /** Undefined while loading. */
  agents: readonly AgentStatus[] | undefined;
  error: unknown;
  retry: () => void;
  createToken: (request: { hotel: string; ttl_ms: number }) => Promise<TokenAnswer>;
  revoke: (agent: string) => Promise<unknown>;
}

function stateText(agent: AgentStatus): string {
  if (agent.state === "silent")
    return t("agent.silent", {
      since: agent.last_seen_at ? formatDateTime(agent.last_seen_at) : t("time.never"),
    });
  return t(`agent.${agent.state}`);
}

function skewText(agent: AgentStatus): string {
  if (agent.last_clock_skew_ms === null) return "—";
  return t("agents.skewSeconds", { seconds: Math.round(agent.last_clock_skew_ms / 100) / 10 });
}

function AgentRow(props: {
  agent: AgentStatus;
  hotelName: string;
  onRevoke: (agent: AgentStatus) => void;
}): JSX.Element {
  const agent = () => props.agent;
  const skewed = () => isSkewed(agent());
  return (
    <tr>
      <td data-label={t("agents.col.agent")}>
        <div>
          <span class="block">{agent().hostname ?? t("agents.noHostname")}</span>
          <span class="mono small muted">{agent().id}</span>
        </div>
      </td>
      <td data-label={t("agents.col.hotel")}>{props.hotelName}</td>
      <td data-label={t("agents.col.state")}>
        <div>
          <Badge tone={AGENT_TONES[agent().state]}>{stateText(agent())}</Badge>
        </div>
      </td>
      <td data-label={t("agents.col.lastSeen")}>
        {agent().last_seen_at ? formatRelative(agent().last_seen_at ?? "") : t("time.never")}
      </td>
      <td data-label={t("agents.col.certificate")}>{formatDateTime(agent().not_after)}</td>
      <td data-label={t("agents.col.skew")} class={skewed() ? "warning-text" : undefined}>
        <span title={skewed() ? t("agent.skewHelp") : undefined}>{skewText(agent())}</span>
      </td>
      <td data-label={t("agents.col.actions")}>
        <Show
          when={!agent().revoked_at}
          fallback={
            <span class="small muted">
              {t("agents.revokedAt", { time: formatDateTime(agent().revoked_at ?? "") })}
            </span>
          }
        >
          <div class="row-actions">
            <button
              type="button"
              class="button"
              aria-label={t("agents.revokeOne", { agent: agent().hostname ?? agent().id })}
              onClick={() => props.onRevoke(agent())}
            >
              {t("agents.revoke")}
            </button>
          </div>
        </Show>
      </td>
    </tr>
  );
}

export function Agents(props: AgentsProps): JSX.Element {
  const [revoking, setRevoking] = createSignal<AgentStatus>();
  const hotelName = (id: string) => props.hotels?.find((hotel) => hotel.id === id)?.name ?? id;
  const name = (agent: AgentStatus) => agent.hostname ?? agent.id;
  return (
    <section class="page agents-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("agents.title")}</h1>
          <p class="muted small">{t("agents.subtitle")}</p>
        </div>
      </header>

      <TokenPanel hotels={props.hotels} createToken={props.createToken} />

      <section class="panel" aria-labelledby="agents-list-title">
        <h2 id="agents-list-title">{t("agents.list")}</h2>
        <ListStates
          items={props.agents}
          error={props.error}
          retry={props.retry}
          empty={
            <EmptyState title={t("agents.empty")}>
              <p>{t("agents.emptyBody")}</p>
            </EmptyState>
          }
        >
          {(agents) => (
            <AdminTable
              caption={t("agents.list")}
              columns={[
                { label: t("agents.col.agent") },
                { label: t("agents.col.hotel") },
                { label: t("agents.col.state") },
                { label: t("agents.col.lastSeen") },
                { label: t("agents.col.certificate") },
                { label: t("agents.col.skew") },
                { label: t("agents.col.actions") },
              ]}
            >
              <For each={agents()}>
                {(agent) => (
                  <AgentRow
                    agent={agent}
                    hotelName={hotelName(agent.hotel_id)}
                    onRevoke={setRevoking}
                  />
                )}
              </For>
            </AdminTable>
          )}
        </ListStates>
      </section>

      <Show when={revoking()}>
        {(agent) => (
          <ConfirmDialog
            title={t("agents.confirm.title", { agent: name(agent()) })}
            confirmLabel={t("agents.confirm.button")}
            onConfirm={() => props.revoke(agent().id)}
            onClose={() => setRevoking(undefined)}
          >
            <p>{t("agents.confirm.body", { hotel: hotelName(agent().hotel_id) })}</p>
          </ConfirmDialog>
        )}
      </Show>
    </section>
  );
}
