/**
 * `/api/saved-searches`: a person's saved searches for the dashboard's search
 * page — list, save (a new name, or the same name with a new query), delete.
 * Each is its owner's alone: the user comes from the session at the edge,
 * never from the request, and the database holds every statement to that
 * user again (hub/src/store/saved-searches.ts). Another user's search answers
 * 404 as an unknown one does. Every role that may search (`read_events`) has
 * them; a saved search holds no log data, so it writes no audit row (running
 * one is a search, and that is audit-logged).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/roles.ts";
import { RefusedRequestError } from "../errors.ts";
import {
  type Db,
  deleteSavedSearch,
  listSavedSearches,
  MAX_SAVED_SEARCHES_PER_USER,
  SavedSearchLimitError,
  type SavedSearchRow,
  saveSearch,
  tables,
} from "../store/index.ts";
import { principalOf } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

const { SAVED_SEARCH_NAME_MAX, SAVED_SEARCH_QUERY_MAX } = tables;

/** What `URLSearchParams.toString()` writes: letters, digits, `*-._`, `+` for a space, `%XX`, `=` and `&`. */
const FORM_ENCODED = /^[A-Za-z0-9*\-._+%=&]*$/;

export const savedSearchRequestSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(SAVED_SEARCH_NAME_MAX)
    .regex(/^[^\p{Cc}]*$/u, "no control characters")
    .describe(
      `1 to ${SAVED_SEARCH_NAME_MAX} characters, unique among the caller's saved searches: the same name replaces that search's query`,
    ),
  query: z
    .string()
    .max(SAVED_SEARCH_QUERY_MAX)
    .regex(FORM_ENCODED, "a form-encoded query string (as URLSearchParams writes it), without '?'")
    .describe(
      "the search page's URL query string without `?`, form-encoded (`q=assigned&ip=10.5.0.0%2F16&range=24h`); empty: the default search",
    ),
});

export const savedSearchViewSchema = z.object({
  id: z.string().describe("the saved search's id (a UUID)"),
  name: z.string(),
  query: z.string().describe("opens as `/search?<query>` in the dashboard"),
  created_at: z.string().describe("UTC, ISO 8601"),
  updated_at: z.string().describe("UTC, ISO 8601: when its query was last replaced"),
});

/** A saved search as the API answers it (the dashboard's type too). */
export type SavedSearchView = z.infer<typeof savedSearchViewSchema>;

function savedSearchView(row: SavedSearchRow): SavedSearchView {
  return {
    id: row.id,
    name: row.name,
    query: row.query,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * The account asking, which must be a person who may search: 403 for a role
 * without `read_events`, 400 for the admin credential (it is no one's account).
 */
function ownerOf(c: Context): string {
  const principal = principalOf(c);
  requirePermission(principal, "read_events");
  if (principal.kind !== "user")
    throw new RefusedRequestError(
      "the admin credential has no saved searches: they belong to a person's account",
      400,
    );
  return principal.userId;
}

/**
 * @example
 * app.route("/", savedSearchRoutes({ db })); // behind the bearer of /api/*
 */
export function savedSearchRoutes(context: { db: Db }): Hono {
  const app = new Hono();
  const { db } = context;

  app.get(
    "/api/saved-searches",
    describeRoute({
      summary: "My saved searches",
      description:
        "The caller's own saved searches, by name; never another account's. Not audit-logged (no log data).",
      tag: "search",
      permission: "read_events",
      answer: "The caller's saved searches",
      response: z.array(savedSearchViewSchema),
      refusals: [400],
    }),
    async (c) => c.json((await listSavedSearches(db, ownerOf(c))).map(savedSearchView)),
  );

  app.post(
    "/api/saved-searches",
    describeRoute({
      summary: "Save a search",
      description: `Keeps the search page's query string under a name for the caller. A name the caller already uses has its query replaced (the same id). At most ${MAX_SAVED_SEARCHES_PER_USER} per account: a new name beyond that answers 409.`,
      tag: "search",
      permission: "read_events",
      body: savedSearchRequestSchema,
      answer: "The saved search",
      response: savedSearchViewSchema,
      refusals: [409],
    }),
    async (c) => {
      const owner = ownerOf(c);
      const request = savedSearchRequestSchema.parse(await c.req.json().catch(() => ({})));
      try {
        return c.json(savedSearchView(await saveSearch(db, owner, request)));
      } catch (error) {
        if (error instanceof SavedSearchLimitError)
          throw new RefusedRequestError(error.message, 409);
        throw error;
      }
    },
  );

  app.delete(
    "/api/saved-searches/:id",
    describeRoute({
      summary: "Delete a saved search",
      description:
        "One of the caller's saved searches; an id that is not the caller's (unknown, or another account's) answers 404.",
      tag: "search",
      permission: "read_events",
      answer: '`{ "deleted": "<id>" }`',
      response: z.object({ deleted: z.string() }),
      refusals: [400],
    }),
    async (c) => {
      const owner = ownerOf(c);
      const id = c.req.param("id");
      if (!(await deleteSavedSearch(db, owner, id)))
        throw new RefusedRequestError("no saved search of yours with this id", 404);
      return c.json({ deleted: id });
    },
  );

  return app;
}
