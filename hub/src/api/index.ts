/**
 * The `--http` listener: health, metrics, a first JSON API and the admin API
 * the CLI uses while a hub runs. Plain HTTP on loopback by default; HTTPS
 * with `--http-cert`/`--http-key`, which any other address needs.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import { createSecureContext } from "node:tls";
import { serve } from "@hono/node-server";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { matchedRoutes } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { formatListenAddress } from "../../../shared/src/net/listen-address.ts";
import { TLS_SERVER_POSTURE } from "../../../shared/src/net/tls-posture.ts";
import {
  ACTOR_HEADER,
  type HubAdmin,
  hotelRequestSchema,
  tokenRequestSchema,
} from "../admin/index.ts";
import type { AuthContext } from "../auth/sessions.ts";
import type { ListenAddress } from "../config/index.ts";
import type { HubEvents } from "../events/index.ts";
import { answerErrorsAsJson, refuse } from "../net/answers.ts";
import { type RunningListener, whenListening } from "../net/listen.ts";
import type { ReadSide } from "../query/index.ts";
import { AGENT_HEALTH_LIMITS, agentFleetHealth, type Db } from "../store/index.ts";
import { auditRoutes } from "./audit.ts";
import { auditOrigin } from "./audit-trail.ts";
import { authRoutes, PUBLIC_AUTH_PATHS } from "./auth.ts";
import { actorOf, authenticate, callerScope, sameSecret, setPrincipal } from "./authenticate.ts";
import { type CustodyRoutesContext, chunksQuerySchema, custodyRoutes } from "./custody.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { discloseRoutes } from "./disclose.ts";
import { docsRoutes } from "./docs/index.ts";
import { fleetRoutes } from "./fleet.ts";
import { describeRoute, serveApiDescription } from "./openapi.ts";
import { overviewRoutes } from "./overview.ts";
import { savedSearchRoutes } from "./saved-searches.ts";
import { type SearchRoutesContext, searchRoutes } from "./search.ts";
import { adminTotpRoutes } from "./totp.ts";
import { userRoutes } from "./users.ts";

/** `GET /admin/chunks`: the newest `limit` of every hotel. */
const adminChunksQuerySchema = chunksQuerySchema.pick({ limit: true });

export interface ApiContext extends CustodyRoutesContext {
  db: Db;
  events: HubEvents;
  admin: HubAdmin;
  adminCredential: string;
  /** Search, lookups, devices, live tail and reindex (hub/src/query/, hub/src/index/). */
  read: ReadSide;
  reindex: SearchRoutesContext["reindex"];
  /** Accounts and sessions (hub/src/auth/). */
  auth: AuthContext;
}

/**
 * Whether a request reaches a route that takes no bearer: by the route's Hono
 * path (`/api/docs/assets/:file` is one route), as `PUBLIC_AUTH_PATHS` and
 * the OpenAPI document name them; a path no route serves is not public.
 */
const reachesPublicRoute = (c: Context) =>
  matchedRoutes(c).some((route) => route.method !== "ALL" && PUBLIC_AUTH_PATHS.has(route.path));

/** Request bodies of the `--http` listener: JSON of a few fields. */
const MAX_API_BODY_BYTES = 1024 * 1024;

/**
 * @example
 * const app = apiRoutes(context);
 * await app.request("/healthz"); // 200 {"status":"ok"}
 */
export function apiRoutes(context: ApiContext, options: { tls?: boolean } = {}): Hono {
  const app = new Hono();
  // The dashboard is served from here too: no framing, scripts and data from this origin only.
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      // HSTS means something only over TLS; on plain loopback it would pin browsers wrongly.
      strictTransportSecurity: options.tls ? "max-age=31536000; includeSubDomains" : false,
    }),
  );
  const where = { events: context.events, listener: "http" as const };
  answerErrorsAsJson(app, where);
  // The CLI's door: the admin credential only.
  const adminOnly: MiddlewareHandler = async (c, next) => {
    const header = c.req.header("authorization");
    const bearer = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
    if (!bearer || !sameSecret(bearer, context.adminCredential)) {
      c.header("WWW-Authenticate", 'Bearer realm="logmaster-hub"');
      return header
        ? refuse(c, where, 401, "invalid_credential")
        : refuse(c, where, 401, "unauthorized");
    }
    setPrincipal(c, { kind: "admin_credential", actor: actorOf(c.req.header(ACTOR_HEADER)) });
    await next();
  };

  app.get(
    "/healthz",
    describeRoute({
      summary: "Health",
      description: "The database answers.",
      tag: "hub",
      answer: '`{ "status": "ok" }`',
    }),
    async (c) => {
      await context.db.execute("select 1");
      return c.json({ status: "ok" });
    },
  );
  app.get(
    "/metrics",
    describeRoute({
      summary: "Prometheus metrics",
      description: "Every named event of the hub counted, fleet health, listener state.",
      tag: "hub",
      answer: "The Prometheus text format",
      media: ["text/plain; version=0.0.4"],
    }),
    async (c) => {
      const fleet = await agentFleetHealth(context.db, AGENT_HEALTH_LIMITS);
      context.events.agentsEnrolled.set(fleet.agents);
      context.events.agentCertificatesExpiring.set(fleet.certificatesExpiring);
      context.events.agentsSilent.set(fleet.silent);
      return c.text(context.events.metrics.render(), 200, {
        "content-type": "text/plain; version=0.0.4",
      });
    },
  );

  // JSON bodies of the API are small (a login, a device name, a reindex request).
  const capBody = bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: (c) => refuse(c, where, 413, "too_large"),
  });
  app.use("/api/*", capBody);
  app.use("/admin/*", capBody);
  // Users' door: the admin credential or a user's access token (login and refresh take none).
  const bearer = authenticate({
    adminCredential: context.adminCredential,
    auth: context.auth,
    refuse: (c, code, message) => refuse(c, where, 401, code, message),
  });
  app.use("/api/*", (c, next) => (reachesPublicRoute(c) ? next() : bearer(c, next)));
  app.route("/", authRoutes(context.auth));
  app.use("/admin/*", adminOnly);
  app.get(
    "/admin/hotels",
    describeRoute({ summary: "Hotels", tag: "admin", answer: "Every hotel" }),
    async (c) => c.json(await context.admin.listHotels()),
  );
  app.post(
    "/admin/hotels",
    describeRoute({
      summary: "Add a hotel",
      tag: "admin",
      body: hotelRequestSchema,
      status: 201,
      answer: "The new hotel",
      refusals: [409],
    }),
    async (c) =>
      c.json(await context.admin.addHotel(hotelRequestSchema.parse(await c.req.json())), 201),
  );
  app.post(
    "/admin/tokens",
    describeRoute({
      summary: "Create an enrollment token",
      description:
        "An agent enrolls with it once, before it expires. Audit-logged (never the token itself).",
      tag: "admin",
      body: tokenRequestSchema,
      status: 201,
      answer: "The token, its hotel and expiry",
      refusals: [404],
    }),
    async (c) =>
      c.json(
        await context.admin.createToken({
          ...tokenRequestSchema.parse(await c.req.json()),
          ...auditOrigin(c),
        }),
        201,
      ),
  );
  app.get(
    "/admin/agents",
    describeRoute({
      summary: "Agents",
      tag: "admin",
      answer: "Every agent: certificate, expiry, last seen, clock skew, revocation",
    }),
    async (c) => c.json(await context.admin.listAgents()),
  );
  app.get(
    "/admin/chunks",
    describeRoute({
      summary: "Chunks, newest first",
      tag: "admin",
      query: adminChunksQuerySchema,
      answer: "Chunks of every hotel with their seal and time-stamp verdicts",
    }),
    async (c) =>
      c.json(await context.admin.listChunks(adminChunksQuerySchema.parse(c.req.query()))),
  );
  app.post(
    "/admin/agents/:id/revoke",
    describeRoute({
      summary: "Revoke an agent",
      description:
        "Its certificate is refused from now on; it must enroll again with a new token. Audit-logged.",
      tag: "admin",
      answer: "The revoked agent",
    }),
    async (c) =>
      c.json(await context.admin.revokeAgent({ agent: c.req.param("id"), ...auditOrigin(c) })),
  );
  // Accounts (hub/src/admin/users.ts); the admin credential's CLI user is the audit log's actor.
  app.route("/", userRoutes(context.admin, "admin"));
  app.route("/", adminTotpRoutes(context.admin));
  // Below, every route takes its hotels from the caller (hub/src/api/authenticate.ts).
  const caller = callerScope(async () =>
    (await context.admin.listHotels()).map((hotel) => hotel.id),
  );
  // Chunks, a month of custody, export, reports, roll-ups, retention; `POST /tsa` in zero-setup mode.
  app.route("/", custodyRoutes({ ...context, ...caller }));
  // Disclosure packs: only the lines a case asks for.
  app.route(
    "/",
    discloseRoutes({ adminContext: context.adminContext, read: context.read, ...caller }),
  );
  app.route("/", auditRoutes({ admin: context.admin, db: context.db, ...caller }));
  app.route("/", fleetRoutes({ db: context.db, admin: context.admin, ...caller }));
  app.route("/", overviewRoutes({ db: context.db, read: context.read, ...caller }));
  app.route("/", userRoutes(context.admin, "api"));
  app.route("/", savedSearchRoutes({ db: context.db }));
  app.route(
    "/",
    searchRoutes({
      read: context.read,
      events: context.events,
      db: context.db,
      reindex: context.reindex,
      scopeOf: caller.scopeOf,
    }),
  );
  app.route("/", docsRoutes());
  // The dashboard at `/` and its client routes; after the API's routes, which it never shadows.
  app.route("/", dashboardRoutes());
  // Last: the document is built from the routes above (hub/src/api/openapi.ts).
  serveApiDescription(app, { publicPaths: PUBLIC_AUTH_PATHS });
  return app;
}

/** How the `--http` listener is served: HubConfig's `httpTls` and `httpInsecure`. */
export interface ApiListenerSecurity {
  /** PEM certificate (chain) and key files: serve HTTPS. */
  tls?: { certFile: string; keyFile: string };
  /** Plain HTTP beyond loopback, which the operator accepted: warned and flagged in /metrics. */
  insecure?: boolean;
}

/** The PEMs of `--http-cert`/`--http-key`, checked to be a pair now rather than at the first client. */
function readHttpTls(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (option: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${option} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const pems = {
    cert: read("--http-cert", files.certFile),
    key: read("--http-key", files.keyFile),
  };
  try {
    createSecureContext(pems);
  } catch (error) {
    throw new Error(
      `--http-cert ${files.certFile} and --http-key ${files.keyFile} are not a usable certificate and key: ${(error as Error).message}`,
    );
  }
  return pems;
}

/**
 * Start the `--http` listener: HTTPS when given a certificate (TLS 1.2 and
 * 1.3 with forward secrecy, `TLS_SERVER_POSTURE`), plain HTTP otherwise.
 * Plain HTTP beyond loopback is refused by the config unless the operator
 * accepted it; then it is logged as a warning and `logmaster_hub_http_insecure` is 1.
 *
 * @example
 * const api = await startApiListener(context, config.http, { tls: config.httpTls, insecure: config.httpInsecure });
 * console.log(api.url, api.certificateSha256); // https://127.0.0.1:8080 and the certificate's SHA-256
 */
export async function startApiListener(
  context: ApiContext,
  address: ListenAddress,
  security: ApiListenerSecurity = {},
): Promise<RunningListener & { certificateSha256?: string }> {
  const app = apiRoutes(context, { tls: security.tls !== undefined });
  const options = {
    fetch: app.fetch,
    hostname: address.host,
    port: address.port,
    overrideGlobalObjects: false, // see startIngestListener
  };
  const pems = security.tls ? readHttpTls(security.tls) : undefined;
  const server = pems
    ? serve({
        ...options,
        createServer: https.createServer,
        serverOptions: { ...pems, ...TLS_SERVER_POSTURE },
      })
    : serve(options);
  // A client that breaks off a handshake (or speaks TLS 1.1) must not take the process down.
  if (security.tls) server.on("tlsClientError", () => {});
  // A keep-alive client (the CLI, a browser) would otherwise hold the close open.
  const listener = await whenListening(server, address.host, security.tls ? "https" : "http", () =>
    (server as { closeAllConnections?: () => void }).closeAllConnections?.(),
  );
  const insecure = security.insecure === true && !security.tls;
  context.events.httpInsecure.set(0);
  if (insecure) {
    context.events.emit({
      name: "HttpListenerInsecure",
      listen: formatListenAddress({ host: address.host, port: listener.port }),
      warning:
        "the --http listener serves plain HTTP beyond loopback (--http-insecure): the admin credential crosses the network in clear text; give it --http-cert and --http-key",
    });
  }
  // What the CLI pins when it reaches this listener over loopback (hub.json).
  return pems ? { ...listener, certificateSha256: certificateSha256(pems.cert) } : listener;
}
