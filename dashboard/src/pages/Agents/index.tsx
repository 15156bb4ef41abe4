/**
 * Agents and enrollment: the caller's hotels and their agents, a new
 * enrollment token, revocation (the list reloads after it).
 */
import { createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import type { AgentStatus, HotelOverview, TokenAnswer } from "../../api/types.ts";
import { Agents } from "./Agents.tsx";

export default function AgentsPage(): JSX.Element {
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels"));
  const [agents, control] = createResource(() => api<AgentStatus[]>("/api/agents"));
  return (
    <Agents
      hotels={hotels.error ? [] : hotels()}
      agents={agents.error ? undefined : agents.latest}
      error={agents.error}
      retry={() => void control.refetch()}
      createToken={(request) => api<TokenAnswer>("/api/tokens", { method: "POST", body: request })}
      revoke={async (agent) => {
        await api(`/api/agents/${encodeURIComponent(agent)}/revoke`, { method: "POST" });
        await control.refetch();
      }}
    />
  );
}
