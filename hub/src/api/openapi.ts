/**
 * The API's description, generated from the app itself. Each route carries a
 * `describeRoute({...})` beside its handler that names the zod schemas the
 * handler parses with; `serveApiDescription` walks the app's route table
 * (method and path from Hono, schemas through `z.toJSONSchema`) into an
 * OpenAPI 3.1 document at `GET /api/openapi.json`, which the docs page
 * (`GET /api/docs`, hub/src/api/docs/) shows. A route without a description is still listed (it is
 * served), marked `x-undescribed`, and the test of the document
 * (openapi.test.ts) names it.
 */
import type { Hono, MiddlewareHandler } from "hono";
import type { RouterRoute } from "hono/types";
import { z } from "zod";
import hubPackage from "../../package.json" with { type: "json" };
import type { Permission } from "../auth/roles.ts";
import { ERROR_CODES, type ErrorCode } from "../errors.ts";
import type { RefusalStatus } from "../net/answers.ts";

export const OPENAPI_PATH = "/api/openapi.json";

/** The document's sections, in the order the docs page shows them. */
const TAGS = {
  auth: "Log in with a password (and a TOTP code when the account has a second factor), refresh with the HttpOnly cookie, log out, who am I, change my password, set up or disable my second factor.",
  search:
    "Guests' events in the caller's hotels: a page of hits, histogram, top values, the lines around a hit, streaming export.",
  lookups:
    "The three Law 5651 questions (who had this IP, what did this MAC do, whose was this public port), each answer with its evidence lines.",
  live: "New events as they are indexed (Server-Sent Events).",
  devices: "The sources of logs, and their names.",
  fleet:
    "The caller's hotels, their agents with their status, enrollment tokens with the install command, revocation.",
  custody:
    "Chunks and their verdicts, a month of hours with their custody state, evidence export, compliance reports, reindexing, the audit log.",
  users: "Accounts, their roles and hotels (chain admins).",
  admin: "The CLI's door while a hub runs: the admin credential only (`logmaster-hub` commands).",
  hub: "Health, metrics, the development TSA and this description.",
} as const;
export type ApiTag = keyof typeof TAGS;

/** What the document says of one route, next to its handler. */
export interface RouteDescription {
  summary: string;
  description?: string;
  tag: ApiTag;
  /** The role permission the route checks (hub/src/auth/roles.ts); absent: any signed-in caller. */
  permission?: Permission;
  /** Only the admin credential and accounts bound to no hotel (`requireChainWide`). */
  chainWide?: boolean;
  /** Schemas of `:params` by name; a path parameter without one is any string. */
  params?: Record<string, z.ZodType>;
  /** The query string: an object schema, each property one parameter, described in its input form. */
  query?: z.ZodType;
  /** The JSON body, in its input form. */
  body?: z.ZodType;
  /** What the success answer is. */
  answer: string;
  /** 200 unless said. */
  status?: 200 | 201;
  /** The success body's media types; JSON unless said. */
  media?: readonly string[];
  /** The JSON success body, in its output form; absent where the answer has no zod schema yet. */
  response?: z.ZodType;
  /** NDJSON lines or SSE event data: the schema of one item (`x-item-schema`). */
  items?: z.ZodType;
  /**
   * Refusals beyond the usual ones: 400 with input, 404 with path or query
   * parameters, 401 behind a bearer, 403 with a permission.
   */
  refusals?: readonly RefusalStatus[];
  /** Only for routes that have no description (`x-undescribed`). */
  undescribed?: true;
}

const DESCRIPTION = Symbol("logmaster.routeDescription");
type DescribedHandler = MiddlewareHandler & { [DESCRIPTION]?: RouteDescription };

/**
 * Describe a route for the OpenAPI document: a pass-through middleware that
 * carries the description, put first among the route's handlers.
 *
 * @example
 * app.get(
 *   "/api/search",
 *   describeRoute({ summary: "Search events", tag: "search", permission: "read_events",
 *     query: searchRequestSchema, answer: "A page of hits", response: searchResponseSchema }),
 *   async (c) => c.json(await search(searchRequestSchema.parse(c.req.query()))),
 * );
 */
export function describeRoute(description: RouteDescription): MiddlewareHandler {
  const handler: DescribedHandler = (_c, next) => next();
  handler[DESCRIPTION] = description;
  return handler;
}

function descriptionOf(handler: unknown): RouteDescription | undefined {
  // A sub-app with its own error handler is mounted with its handlers wrapped (Hono's COMPOSED_HANDLER).
  const inner = (handler as { __COMPOSED_HANDLER?: unknown }).__COMPOSED_HANDLER ?? handler;
  return (inner as DescribedHandler)[DESCRIPTION];
}

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: ApiTag[];
  security: { bearerAuth: string[] }[];
  parameters?: Parameter[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  "x-permission"?: Permission;
  "x-undescribed"?: true;
}

/** The OpenAPI 3.1 document of the `--http` listener. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  tags: { name: ApiTag; description: string }[];
  security: { bearerAuth: string[] }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
  };
}

/** `{ code, message }` (hub/src/errors.ts): the body of every refusal. */
const errorBodySchema = z.object({
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string().describe("for a person; may carry details, e.g. the invalid fields' paths"),
});

const REFUSALS: Record<RefusalStatus, { name: string; description: string }> = {
  400: {
    name: "BadRequest",
    description:
      "`invalid_request`: the request cannot be taken as it is (a cursor this hub did not give, a format it does not make)",
  },
  401: {
    name: "Unauthorized",
    description:
      "`unauthorized` (no credential), `invalid_credential` (wrong, expired, revoked) or, at login, `totp_required` (the password was right: send it again with the account's TOTP code)",
  },
  403: { name: "Forbidden", description: "`forbidden`: the caller's role may not do this" },
  404: {
    name: "NotFound",
    description:
      "`not_found`: no such thing, or not in the caller's hotels (its existence is not revealed)",
  },
  409: { name: "Conflict", description: "`conflict`: this conflicts with what the hub holds" },
  413: { name: "TooLarge", description: "`too_large`: the body is over the size limit" },
  422: {
    name: "InvalidInput",
    description: "`invalid_request`: the input is not valid; the message names the fields' paths",
  },
  429: {
    name: "TooManyRequests",
    description: "`too_many_requests`: too many attempts; the message says when to try again",
  },
};

/** Hono's `/a/:id` as OpenAPI's `/a/{id}` (a `{regex}` after the name is dropped). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(?:\{[^}]*\})?\??/g, "{$1}");
}

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  return json;
}

/** The properties of an object schema (an intersection's `allOf` merged), or undefined. */
function objectOf(
  json: JsonSchema,
): { properties: Record<string, JsonSchema>; required: Set<string> } | undefined {
  if (Array.isArray(json.allOf)) {
    const parts = (json.allOf as JsonSchema[]).map(objectOf);
    if (parts.some((part) => part === undefined)) return undefined;
    return {
      properties: Object.assign({}, ...parts.map((part) => part?.properties)),
      required: new Set(parts.flatMap((part) => [...(part?.required ?? [])])),
    };
  }
  if (json.type !== "object" || typeof json.properties !== "object") return undefined;
  return {
    properties: json.properties as Record<string, JsonSchema>,
    required: new Set((json.required as string[] | undefined) ?? []),
  };
}

function queryParameters(route: string, query: z.ZodType): Parameter[] {
  const object = objectOf(jsonSchemaOf(query, "input"));
  if (!object) {
    throw new Error(
      `${route}: describeRoute's query must be an object schema (one property a parameter)`,
    );
  }
  return Object.entries(object.properties).map(([name, schema]) => {
    const notes = [
      typeof schema.description === "string" ? schema.description : undefined,
      schema.type === "array" ? "Repeat the parameter or give a comma-separated list." : undefined,
    ].filter((note) => note !== undefined);
    return {
      name,
      in: "query" as const,
      required: object.required.has(name),
      ...(notes.length > 0 ? { description: notes.join(" ") } : {}),
      schema,
    };
  });
}

function pathParameters(route: string, honoPath: string, params: RouteDescription["params"]) {
  const names = [...honoPath.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
  for (const name of Object.keys(params ?? {})) {
    if (!names.includes(name))
      throw new Error(`${route}: describeRoute names params.${name}, which the path has not`);
  }
  return names.map(
    (name): Parameter => ({
      name,
      in: "path",
      required: true,
      schema: params?.[name] ? jsonSchemaOf(params[name], "input") : { type: "string" },
    }),
  );
}

function operationId(method: string, path: string): string {
  const words = `${method} ${path}`.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words
    .map((word, i) => (i === 0 ? word.toLowerCase() : word[0]?.toUpperCase() + word.slice(1)))
    .join("");
}

function operationOf(
  method: string,
  honoPath: string,
  route: RouteDescription,
  bearer: boolean,
): Operation {
  const name = `${method.toUpperCase()} ${honoPath}`;
  const parameters = [
    ...pathParameters(name, honoPath, route.params),
    ...(route.query ? queryParameters(name, route.query) : []),
  ];
  const admin = honoPath.startsWith("/admin/");
  const who = !bearer
    ? "No bearer: anyone may call it."
    : admin
      ? "The admin credential only."
      : route.permission
        ? `Needs the \`${route.permission}\` permission${route.chainWide ? ", on an account bound to no hotel (chain-wide)" : ""}.`
        : "Any signed-in caller.";
  const refusals = new Set<RefusalStatus>([
    ...(parameters.length > 0 || route.body ? ([400, 422] as const) : []),
    ...(route.body ? ([413] as const) : []),
    // A path or query names a thing (an id, a hotel filter) that may not be there or not be yours.
    ...(parameters.length > 0 ? ([404] as const) : []),
    ...(bearer ? ([401] as const) : []),
    ...(bearer && !admin && (route.permission || route.chainWide) ? ([403] as const) : []),
    ...(route.refusals ?? []),
  ]);
  const media = route.media ?? ["application/json"];
  const content = Object.fromEntries(
    media.map((type) => [
      type,
      {
        ...(route.response && type === "application/json"
          ? { schema: jsonSchemaOf(route.response, "output") }
          : {}),
        ...(route.items ? { "x-item-schema": jsonSchemaOf(route.items, "output") } : {}),
      },
    ]),
  );
  return {
    operationId: operationId(method, honoPath),
    summary: route.summary,
    description: [route.description, who].filter(Boolean).join("\n\n"),
    tags: [route.tag],
    security: bearer ? [{ bearerAuth: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true as const,
            content: { "application/json": { schema: jsonSchemaOf(route.body, "input") } },
          },
        }
      : {}),
    responses: {
      [String(route.status ?? 200)]: { description: route.answer, content },
      ...Object.fromEntries(
        [...refusals]
          .sort()
          .map((status) => [
            String(status),
            { $ref: `#/components/responses/${REFUSALS[status].name}` },
          ]),
      ),
    },
    ...(route.permission ? { "x-permission": route.permission } : {}),
    ...(route.undescribed ? { "x-undescribed": true as const } : {}),
  };
}

/**
 * A served route without a `describeRoute`: still in the document (it is
 * served), marked so that the test of the document names it. Not a throw: a
 * missing description must not keep a hub from starting.
 */
const UNDESCRIBED: RouteDescription = {
  summary: "Not described yet",
  description: "This route has no describeRoute beside its handler (hub/src/api/openapi.ts).",
  tag: "hub",
  answer: "Not described yet",
  undescribed: true,
};

/**
 * The OpenAPI 3.1 document of an app's routes: every route but `app.use`
 * middleware, each with its `describeRoute` (one without is marked
 * `x-undescribed`). `/api/*` and `/admin/*` take a bearer unless in
 * `publicPaths`, as `apiRoutes` mounts its `authenticate` and admin-only middleware.
 *
 * @example
 * const document = openApiDocument(app.routes, { publicPaths: PUBLIC_AUTH_PATHS });
 */
export function openApiDocument(
  routes: readonly RouterRoute[],
  options: { publicPaths: ReadonlySet<string> },
): OpenApiDocument {
  const described = new Map<string, { method: string; path: string; route?: RouteDescription }>();
  for (const { method, path, handler } of routes) {
    if (method === "ALL") continue; // app.use: middleware, not a route
    const key = `${method} ${path}`;
    const entry = described.get(key) ?? { method, path };
    described.set(key, entry);
    // Registered twice, the first answers (Hono runs the handlers in order): its description holds.
    entry.route ??= descriptionOf(handler);
  }
  const paths: OpenApiDocument["paths"] = {};
  for (const { method, path, route } of described.values()) {
    const bearer = /^\/(api|admin)\//.test(path) && !options.publicPaths.has(path);
    const operations = paths[openApiPath(path)] ?? {};
    operations[method.toLowerCase()] = operationOf(
      method.toLowerCase(),
      path,
      route ?? UNDESCRIBED,
      bearer,
    );
    paths[openApiPath(path)] = operations;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "LogMaster hub API",
      version: hubPackage.version,
      description:
        "The `--http` listener of a LogMaster hub: signed, time-stamped custody of hotel network logs (Law 5651). " +
        "Sign in with `POST /api/auth/login`, then send the access token as `Authorization: Bearer …`; " +
        "the refresh token travels only in an HttpOnly cookie. The CLI uses the admin credential the same way. " +
        "Every refusal is JSON `{ code, message }` with a stable code. Times in are ISO 8601 with a zone; " +
        "times out are UTC with the Europe/Istanbul wall time beside them.",
    },
    tags: Object.entries(TAGS).map(([name, description]) => ({
      name: name as ApiTag,
      description,
    })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A user's access token from `POST /api/auth/login` or `/api/auth/refresh`, or the CLI's admin credential (the `/admin/` routes take that only).",
        },
      },
      schemas: { Error: jsonSchemaOf(errorBodySchema, "output") },
      responses: Object.fromEntries(
        Object.values(REFUSALS).map(({ name, description }) => [
          name,
          {
            description,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        ]),
      ),
    },
  };
}

/**
 * Serve the description of `app` at `GET /api/openapi.json`, built once from
 * its routes as they stand (call it after the last route).
 *
 * @example
 * serveApiDescription(app, { publicPaths: PUBLIC_AUTH_PATHS });
 */
export function serveApiDescription(
  app: Hono,
  options: { publicPaths: ReadonlySet<string> },
): OpenApiDocument {
  if (!options.publicPaths.has(OPENAPI_PATH)) {
    throw new Error(
      `serveApiDescription: publicPaths must hold ${OPENAPI_PATH}, which takes no bearer`,
    );
  }
  app.get(
    OPENAPI_PATH,
    describeRoute({
      summary: "This document",
      tag: "hub",
      answer: "The OpenAPI 3.1 document of this listener",
    }),
    (c) => c.json(document),
  );
  // After the route above, so that it is in it too; built once, served as is.
  const document = openApiDocument(app.routes, options);
  return document;
}
