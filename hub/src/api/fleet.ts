/**
 * The caller's hotels and their agents under `/api/`: the hotels overview,
 * agents with their status, enrollment tokens with the line to paste on the
 * site box, revocation. The hotels come from the caller's scope; a hotel or
 * agent outside it answers 404 as an unknown one does. Every change is
 * audit-logged.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  agentView,
  agentViewSchema,
  type HubAdmin,
  hotelView,
  hotelViewSchema,
  tokenRequestSchema,
  tokenViewSchema,
} from "../admin/index.ts";
import { enrollCommandLine } from "../identity/tokens.ts";
import { agentInScope, agentsInScope, hotelInScope, hotelsInScope } from "../query/hotels.ts";
import { readScope } from "../query/scope.ts";
import { AGENT_HEALTH_LIMITS, AGENT_STATES, agentState, type Db } from "../store/index.ts";
import { auditOrigin } from "./audit-trail.ts";
import type { CallerScope } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

export interface FleetRoutesContext extends CallerScope {
  db: Db;
  admin: HubAdmin;
}

const hotelOverviewSchema = hotelViewSchema.extend({
  /** Enrolled agents, revoked ones aside. */
  agents: z.number().int(),
});

/** A hotel of `GET /api/hotels` (the dashboard's type too). */
export type HotelOverview = z.infer<typeof hotelOverviewSchema>;

const agentsQuerySchema = z.object({
  hotel: z.string().min(1).optional().describe("one hotel of the caller's"),
});

const agentStatusSchema = agentViewSchema.extend({
  state: z
    .enum(AGENT_STATES)
    .describe(
      "worst first: revoked, certificate expired, never seen, silent for 15 minutes, certificate ending within 30 days, ok",
    ),
});

/** An agent of `GET /api/agents` (the dashboard's type too). */
export type AgentStatus = z.infer<typeof agentStatusSchema>;

const DAY_MS = 86_400_000;
/** `POST /api/tokens`: the CLI's token request, with a day as the default lifetime. */
const apiTokenRequestSchema = tokenRequestSchema.extend({
  ttl_ms: tokenRequestSchema.shape.ttl_ms.default(DAY_MS),
});

const tokenAnswerSchema = tokenViewSchema.extend({
  /** What hotel IT pastes on the site box (docs/install-agent.md). */
  install_command: z.string(),
});

/**
 * @example
 * app.route("/", fleetRoutes({ db, admin, ...callerScope(allHotelIds) }));
 */
export function fleetRoutes(context: FleetRoutesContext): Hono {
  const app = new Hono();
  const { db, admin } = context;

  app.get(
    "/api/hotels",
    describeRoute({
      summary: "The caller's hotels",
      description:
        "Each hotel of the caller's scope (every hotel for chain-wide accounts) with its retention, legal hold and count of enrolled agents.",
      tag: "fleet",
      answer: "The hotels, by id",
      response: z.array(hotelOverviewSchema),
    }),
    async (c) => {
      const hotels = await context.hotelsOf(c);
      if (hotels.length === 0) return c.json([]);
      const rows = await hotelsInScope(db, readScope(hotels));
      return c.json(rows.map((row) => ({ ...hotelView(row.hotel), agents: row.agents })));
    },
  );

  app.get(
    "/api/agents",
    describeRoute({
      summary: "Agents and their status",
      description:
        "Certificate and its expiry, last seen, clock skew, revocation, and one state word for each agent of the caller's hotels.",
      tag: "fleet",
      // read_devices, not manage_agents: a hotel manager sees the status of their
      // hotel's agents (read-only, no guest data) because it explains their
      // custody calendar (a silent agent is a missing hour); only chain admins
      // and hotel IT change agents (revoke, tokens).
      permission: "read_devices",
      query: agentsQuerySchema,
      answer: "The agents, by hotel and id",
      response: z.array(agentStatusSchema),
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_devices");
      const { hotel } = agentsQuerySchema.parse(c.req.query());
      const nowMs = Date.now();
      const agents = await agentsInScope(db, scope, { hotel });
      return c.json(
        agents.map((agent) => ({
          ...agentView(agent),
          state: agentState(agent, { ...AGENT_HEALTH_LIMITS, nowMs }),
        })),
      );
    },
  );

  app.post(
    "/api/agents/:id/revoke",
    describeRoute({
      summary: "Revoke an agent",
      description:
        "Its certificates are refused from now on, on every hub process; it must enroll again with a new token. Audit-logged.",
      tag: "fleet",
      permission: "manage_agents",
      answer: "The revoked agent",
      response: agentViewSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "manage_agents");
      const agent = await agentInScope(db, scope, c.req.param("id"));
      // The read role may not write: the hub's own user revokes an agent just found in scope
      // (and writes the audit row, as for the CLI's revocations).
      return c.json(await admin.revokeAgent({ agent: agent.id, ...auditOrigin(c, scope.hotels) }));
    },
  );

  app.post(
    "/api/tokens",
    describeRoute({
      summary: "Create an enrollment token",
      description:
        "A one-time token for an agent of one of the caller's hotels, with the command line to paste on the site box. Audit-logged (never the token itself).",
      tag: "fleet",
      permission: "manage_agents",
      body: apiTokenRequestSchema,
      status: 201,
      answer: "The token, its hotel and expiry, and the install command",
      response: tokenAnswerSchema,
      refusals: [404],
    }),
    async (c) => {
      // Permission first: a role without it learns nothing about which hotels exist.
      const scope = await context.scopeOf(c, "manage_agents");
      const request = apiTokenRequestSchema.parse(await c.req.json().catch(() => ({})));
      const hotel = await hotelInScope(db, scope, request.hotel);
      // Audit-logged by the admin layer, as for the CLI's tokens (never the token itself).
      const token = await admin.createToken({
        hotel: hotel.id,
        ttl_ms: request.ttl_ms,
        ...auditOrigin(c, scope.hotels),
      });
      return c.json({ ...token, install_command: enrollCommandLine(token.token) }, 201);
    },
  );

  return app;
}
