/**
 * `GET /api/overview`: what the dashboard's overview shows of each of the
 * caller's hotels, in one call — events per 5 minutes over the last 24 hours
 * (today's count, the rate now, the sparkline) and the newest sealed chunk
 * with its verdicts. Counts and custody verdicts, never a line, an address or
 * a MAC: not a look at guest data, so not an audit row (the overview refreshes
 * every 30 seconds, and its rows would drown the log's real reads). Every
 * role sees it for its hotels: hotel IT too (is the network logging?), never
 * the lines. Read as the read role of the caller's hotels, like every read.
 */
import { Hono } from "hono";
import { z } from "zod";
import { chunkView, chunkViewSchema } from "../admin/views.ts";
import { chunksInScope } from "../query/hotels.ts";
import {
  histogramRequestSchema,
  histogramResponseSchema,
  type ReadSide,
  readScope,
} from "../query/index.ts";
import type { Db } from "../store/index.ts";
import type { CallerScope } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

const DAY_MS = 86_400_000;
/** 5-minute buckets over 24 h. */
const BUCKETS = 288;
/** Enough to find the newest sealed chunk behind the open ones of several agents. */
const NEWEST_CHUNKS = 12;

export const overviewSchema = z.object({
  from: z.string().describe("the start of the 24 hours, UTC"),
  to: z.string().describe("now, UTC"),
  hotels: z.array(
    z.object({
      hotel_id: z.string(),
      histogram: histogramResponseSchema.describe("events per 5 minutes over the 24 hours"),
      last_sealed: chunkViewSchema.nullable().describe("the newest chunk that is no longer open"),
    }),
  ),
});
export type Overview = z.infer<typeof overviewSchema>;

export interface OverviewRoutesContext extends CallerScope {
  db: Db;
  read: ReadSide;
}

/**
 * @example
 * app.route("/", overviewRoutes({ db, read, ...callerScope(allHotelIds) }));
 */
export function overviewRoutes(context: OverviewRoutesContext): Hono {
  const app = new Hono();
  app.get(
    "/api/overview",
    describeRoute({
      summary: "The caller's hotels at a glance",
      description:
        "Per hotel of the caller: events per 5 minutes over the last 24 hours and the newest sealed chunk with its verdicts. Counts only, never a line: not audit-logged.",
      tag: "fleet",
      answer: "The hotels' counts and newest sealed chunks",
      response: overviewSchema,
    }),
    async (c) => {
      const toMs = Date.now();
      const from = new Date(toMs - DAY_MS).toISOString();
      const to = new Date(toMs).toISOString();
      const hotels = await context.hotelsOf(c);
      if (hotels.length === 0) return c.json({ from, to, hotels: [] } satisfies Overview);
      const scope = readScope(hotels);
      const answer: Overview = { from, to, hotels: [] };
      // One hotel after another: a chain's overview is a handful of small indexed reads.
      for (const hotel of hotels) {
        const histogram = await context.read.engine.histogram(
          scope,
          histogramRequestSchema.parse({ from, to, hotels: hotel, buckets: BUCKETS }),
        );
        const newest = await chunksInScope(context.db, scope, { hotel, limit: NEWEST_CHUNKS });
        const sealed = newest.find((row) => row.status !== "open");
        answer.hotels.push({
          hotel_id: hotel,
          histogram,
          last_sealed: sealed ? chunkView(sealed) : null,
        });
      }
      return c.json(answer);
    },
  );
  return app;
}
