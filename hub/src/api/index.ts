/**
 * The `--http` listener: health, metrics, a first JSON API and the admin API
 * the CLI uses while a hub runs. Plain HTTP, loopback by default.
 */
import { timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { z } from "zod";
import { type HubAdmin, hotelRequestSchema, tokenRequestSchema } from "../admin/index.ts";
import type { ListenAddress } from "../config/index.ts";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import { type RunningListener, whenListening } from "../net/listen.ts";
import { agentFleetHealth, type Db } from "../store/index.ts";
import { type CustodyRoutesContext, custodyRoutes } from "./custody.ts";

export interface ApiContext extends CustodyRoutesContext {
  db: Db;
  events: HubEvents;
  admin: HubAdmin;
  adminCredential: string;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * @example
 * const app = apiRoutes(context);
 * await app.request("/healthz"); // 200 {"status":"ok"}
 */
export function apiRoutes(context: ApiContext): Hono {
  const app = new Hono();
  // Until dashboard users exist (roles, JWT), every read of chunk data is an admin read.
  const adminOnly = bearerAuth({
    verifyToken: (token) => sameSecret(token, context.adminCredential),
  });

  app.onError((error, c) => {
    if (error instanceof RefusedRequestError) return c.json({ error: error.message }, error.status);
    if (error instanceof z.ZodError) {
      return c.json({ error: error.issues.map((issue) => issue.message).join("; ") }, 400);
    }
    context.events.emit({ name: "RequestFailed", path: c.req.path, error: error.message });
    return c.json({ error: "internal_error" }, 500);
  });

  app.get("/healthz", async (c) => {
    await context.db.execute("select 1");
    return c.json({ status: "ok" });
  });
  app.get("/metrics", async (c) => {
    const fleet = await agentFleetHealth(context.db, {
      expiringWithinMs: 30 * 86_400_000,
      silentAfterMs: 15 * 60_000,
    });
    context.events.agentsEnrolled.set(fleet.agents);
    context.events.agentCertificatesExpiring.set(fleet.certificatesExpiring);
    context.events.agentsSilent.set(fleet.silent);
    return c.text(context.events.metrics.render(), 200, {
      "content-type": "text/plain; version=0.0.4",
    });
  });

  app.use("/api/*", adminOnly);
  app.get("/api/chunks", async (c) =>
    c.json(await context.admin.listChunks({ limit: chunkLimit(c.req.query("limit")) })),
  );

  app.use("/admin/*", adminOnly);
  app.get("/admin/hotels", async (c) => c.json(await context.admin.listHotels()));
  app.post("/admin/hotels", async (c) =>
    c.json(await context.admin.addHotel(hotelRequestSchema.parse(await c.req.json())), 201),
  );
  app.post("/admin/tokens", async (c) =>
    c.json(await context.admin.createToken(tokenRequestSchema.parse(await c.req.json())), 201),
  );
  app.get("/admin/agents", async (c) => c.json(await context.admin.listAgents()));
  app.get("/admin/chunks", async (c) =>
    c.json(await context.admin.listChunks({ limit: chunkLimit(c.req.query("limit")) })),
  );
  app.post("/admin/agents/:id/revoke", async (c) =>
    c.json(await context.admin.revokeAgent(c.req.param("id"))),
  );
  // Export, reports, roll-ups, retention, audit log; `POST /tsa` in zero-setup mode.
  app.route("/", custodyRoutes(context));
  return app;
}

/** Start the `--http` listener. */
export async function startApiListener(
  context: ApiContext,
  address: ListenAddress,
): Promise<RunningListener> {
  const app = apiRoutes(context);
  const server = serve({
    fetch: app.fetch,
    hostname: address.host,
    port: address.port,
    overrideGlobalObjects: false, // see startIngestListener
  });
  // A keep-alive client (the CLI, a browser) would otherwise hold the close open.
  return whenListening(server, address.host, "http", () =>
    (server as { closeAllConnections?: () => void }).closeAllConnections?.(),
  );
}

const chunkLimitSchema = z.coerce.number().int().min(1).max(1000).default(100);
/** `?limit=` of the chunk lists: 1..1000, default 100. */
function chunkLimit(query: string | undefined): number {
  return chunkLimitSchema.parse(query);
}
