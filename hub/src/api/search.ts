/**
 * The read side under `/api/`: search (page, histogram, top values, lines
 * around a hit, export), the three 5651 lookups, devices, the live tail
 * (Server-Sent Events) and reindex. Every route takes its scope from the
 * caller (until accounts exist: the admin credential, every hotel) and hands
 * it to the query engine; nothing below takes a hotel from the request
 * except to narrow that scope.
 */

import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { actorName, type Permission } from "../auth/roles.ts";
import type { HubEvents } from "../events/index.ts";
import type { ReindexProgress, ReindexRequest } from "../index/reindex.ts";
import { csvField } from "../net/csv.ts";
import {
  contextRequestSchema,
  contextResponseSchema,
  deviceNameSchema,
  deviceSchema,
  type EventHit,
  eventHitSchema,
  histogramRequestSchema,
  histogramResponseSchema,
  hitOfRow,
  ipLookupSchema,
  ipSchema,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  macLookupSchema,
  narrowScope,
  natLookupSchema,
  type ReadScope,
  type ReadSide,
  readScope,
  reindexRequestSchema,
  searchRequestSchema,
  searchResponseSchema,
  tailFilterSchema,
  tailMatcher,
  topRequestSchema,
  topResponseSchema,
} from "../query/index.ts";
import type { Db } from "../store/index.ts";
import { auditRequest } from "./audit-trail.ts";
import { principalOf } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

export interface SearchRoutesContext {
  read: ReadSide;
  events: HubEvents;
  /** The asking principal's scope for a permission (hub/src/api/authenticate.ts `scopeFor`). */
  scopeOf(c: Context, permission: Permission): Promise<ReadScope>;
  /** Every read of guest data goes to the audit log. */
  db: Db;
  reindex(
    request: ReindexRequest,
    onProgress: (progress: ReindexProgress) => void,
  ): Promise<ReindexProgress>;
}

/** Query parameters, with repeated keys joined into the comma lists the schemas take. */
function queryOf(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(c.req.queries())) out[key] = values.join(",");
  return out;
}

const exportFormatSchema = z.enum(["ndjson", "csv"], { message: "format must be ndjson or csv" });
const devicesQuerySchema = z.object({ hotel: z.string().optional() });

/** The columns of a CSV export, in order. */
const CSV_COLUMNS: (keyof EventHit)[] = [
  "received_at",
  "received_at_istanbul",
  "hotel",
  "agent",
  "chunk",
  "seq",
  "device",
  "host",
  "severity",
  "dataset",
  "action",
  "src_ip",
  "src_port",
  "src_mac",
  "dst_ip",
  "dst_port",
  "nat_ip",
  "nat_port",
  "protocol",
  "user",
  "raw",
];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return csvField(Array.isArray(value) ? value.join(" ") : String(value));
}

/**
 * @example
 * app.route("/", searchRoutes({ read, events, scopeOf, reindex }));
 * // GET /api/lookup/ip?ip=10.5.1.23&at=2026-03-12T14:32:00%2B03:00
 */
export function searchRoutes(context: SearchRoutesContext): Hono {
  const app = new Hono();
  const { read, events } = context;
  /**
   * Count, log and audit one read of guest data: who (principal), from where,
   * in which scope, with which parameters, how many rows came back.
   */
  const audited = async (c: Context, kind: string, scope: ReadScope, rows: number, ms: number) => {
    events.emit({ name: "SearchRan", kind, hotels: scope.hotels.length, ms, rows });
    await auditRequest(c, context.db, {
      action: kind.startsWith("lookup") ? "lookup" : kind === "tail" ? "tail" : "search",
      kind,
      scope: scope.hotels,
      rows,
    });
  };
  const timed = async <T>(
    c: Context,
    kind: string,
    scope: ReadScope,
    work: () => Promise<T>,
    rows: (t: T) => number,
  ) => {
    const started = performance.now();
    const answer = await work();
    await audited(c, kind, scope, rows(answer), Math.round(performance.now() - started));
    return answer;
  };

  app.get(
    "/api/search",
    describeRoute({
      summary: "Search events",
      description:
        "A page of hits, newest first unless `sort=asc`; pass `next_cursor` back as `cursor` for the next page. Audit-logged.",
      tag: "search",
      permission: "read_events",
      query: searchRequestSchema,
      answer: "A page of hits, each with the evidence that proves it",
      response: searchResponseSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = searchRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "search",
          scope,
          () => read.engine.search(scope, request),
          (a) => a.hits.length,
        ),
      );
    },
  );

  app.get(
    "/api/search/histogram",
    describeRoute({
      summary: "Events over time",
      tag: "search",
      permission: "read_events",
      query: histogramRequestSchema,
      answer: "Counts per bucket of a readable interval",
      response: histogramResponseSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = histogramRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "histogram",
          scope,
          () => read.engine.histogram(scope, request),
          (a) => a.buckets.length,
        ),
      );
    },
  );

  app.get(
    "/api/search/top",
    describeRoute({
      summary: "The top values of a field",
      tag: "search",
      permission: "read_events",
      query: topRequestSchema,
      answer: "The most frequent values of `field` among the matching events",
      response: topResponseSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = topRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "top",
          scope,
          () => read.engine.top(scope, request),
          (a) => a.values.length,
        ),
      );
    },
  );

  app.get(
    "/api/search/context",
    describeRoute({
      summary: "The lines around a hit",
      description: "The same agent's lines before and after `seq`.",
      tag: "search",
      permission: "read_events",
      query: contextRequestSchema,
      answer: "The hit and its neighbours",
      response: contextResponseSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = contextRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "context",
          scope,
          () => read.engine.context(scope, request),
          (a) => a.before.length + a.after.length,
        ),
      );
    },
  );

  app.get(
    "/api/search/export",
    describeRoute({
      summary: "Export every matching event",
      description:
        "Streams every hit (no page limit) as NDJSON, one event a line, or CSV. Audit-logged when the stream ends.",
      tag: "search",
      permission: "read_events",
      query: searchRequestSchema.and(z.object({ format: exportFormatSchema.default("ndjson") })),
      answer: "The matching events, as an attachment",
      media: ["application/x-ndjson", "text/csv; charset=utf-8"],
      items: eventHitSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const { format = "ndjson", ...query } = queryOf(c);
      const kind = exportFormatSchema.parse(format);
      const request = searchRequestSchema.parse(query);
      narrowScope(scope, request.hotels); // refuse before the first byte is sent
      const encoder = new TextEncoder();
      const pages = read.engine.export(scope, request);
      let rows = 0;
      const started = performance.now();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (kind === "csv") controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
        },
        async pull(controller) {
          const page = await pages.next();
          if (page.done) {
            await audited(c, "export", scope, rows, Math.round(performance.now() - started));
            controller.close();
            return;
          }
          rows += page.value.length;
          const text =
            kind === "csv"
              ? page.value
                  .map(
                    (hit) => `${CSV_COLUMNS.map((column) => csvCell(hit[column])).join(",")}\r\n`,
                  )
                  .join("")
              : page.value.map((hit) => `${JSON.stringify(hit)}\n`).join("");
          controller.enqueue(encoder.encode(text));
        },
        async cancel() {
          await pages.return(undefined);
        },
      });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      return c.body(body, 200, {
        "content-type": kind === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "content-disposition": `attachment; filename="logmaster-search-${stamp}.${kind}"`,
      });
    },
  );

  app.get(
    "/api/lookup/ip",
    describeRoute({
      summary: "Who had this IP address at this time",
      description:
        "The DHCP lease in force, the hotspot user, the MAC and host name, with the evidence lines; `no_match` says why when nothing matches.",
      tag: "lookups",
      permission: "read_events",
      query: lookupIpRequestSchema,
      answer: "The lease, sessions and device",
      response: ipLookupSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = lookupIpRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "lookup_ip",
          scope,
          () => read.lookups.ip(scope, request),
          (a) => (a.lease ? 1 : 0),
        ),
      );
    },
  );

  app.get(
    "/api/lookup/mac",
    describeRoute({
      summary: "What this MAC address did over a time range",
      tag: "lookups",
      permission: "read_events",
      query: lookupMacRequestSchema,
      answer: "Every lease and hotspot session of the MAC",
      response: macLookupSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = lookupMacRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "lookup_mac",
          scope,
          () => read.lookups.mac(scope, request),
          (a) => a.leases.length,
        ),
      );
    },
  );

  app.get(
    "/api/lookup/nat",
    describeRoute({
      summary: "Whose was this public IP:port at this time",
      description:
        "The srcnat connection that held the public port, the internal address and who had it.",
      tag: "lookups",
      permission: "read_events",
      query: lookupNatRequestSchema,
      answer: "The connection, the internal address and its device",
      response: natLookupSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const request = lookupNatRequestSchema.parse(queryOf(c));
      return c.json(
        await timed(
          c,
          "lookup_nat",
          scope,
          () => read.lookups.nat(scope, request),
          (a) => (a.connection ? 1 : 0),
        ),
      );
    },
  );

  app.get(
    "/api/devices",
    describeRoute({
      summary: "Devices",
      description:
        "Each source of logs (an agent and the address its datagrams came from), with first and last seen.",
      tag: "devices",
      permission: "read_devices",
      query: devicesQuerySchema,
      answer: "The devices of the caller's hotels",
      response: z.array(deviceSchema),
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_devices");
      const { hotel } = devicesQuerySchema.parse(queryOf(c));
      return c.json(await read.devices.list(scope, { hotel }));
    },
  );

  app.put(
    "/api/devices/:agent/:address",
    describeRoute({
      summary: "Name a device",
      tag: "devices",
      permission: "name_devices",
      params: { address: ipSchema },
      body: deviceNameSchema,
      answer: "The device",
      response: deviceSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "name_devices");
      const address = ipSchema.parse(c.req.param("address"));
      const { name } = deviceNameSchema.parse(await c.req.json());
      return c.json(
        await read.devices.rename(scope, { agent: c.req.param("agent"), address, name }),
      );
    },
  );

  app.get(
    "/api/tail",
    describeRoute({
      summary: "Live tail",
      description:
        "Server-Sent Events: `ready` (data: the hotels followed), then `events` (data: an array of hits) as they are indexed; a comment line every 15 s keeps the stream open.",
      tag: "live",
      permission: "read_events",
      query: tailFilterSchema,
      answer: "An event stream",
      media: ["text/event-stream"],
      items: z.array(eventHitSchema),
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_events");
      const filter = tailFilterSchema.parse(queryOf(c));
      const hotels = narrowScope(scope, filter.hotels);
      const matches = tailMatcher(filter);
      return streamSSE(c, async (stream) => {
        const queue: EventHit[][] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = await read.tail.subscribe(hotels, (rows) => {
          const hits = rows.filter(matches).map(hitOfRow);
          if (hits.length === 0) return;
          queue.push(hits);
          wake?.();
        });
        let open = true;
        stream.onAbort(() => {
          open = false;
          wake?.();
        });
        await audited(c, "tail", readScope(hotels), 0, 0);
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ hotels }) });
        try {
          while (open) {
            const hits = queue.shift();
            if (hits) {
              await stream.writeSSE({ event: "events", data: JSON.stringify(hits) });
              continue;
            }
            // A comment line now and then keeps proxies from closing an idle stream.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 15_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            if (open && queue.length === 0) await stream.write(": keep-alive\n\n");
          }
        } finally {
          await unsubscribe();
        }
      });
    },
  );

  app.post(
    "/api/reindex",
    describeRoute({
      summary: "Reindex a hotel's chunks",
      description:
        "Rebuilds the search tables from the custody records of the chunks whose hour starts in [from, to). NDJSON lines: `{progress}` now and then, then `{done}` or `{error}`.",
      tag: "custody",
      permission: "reindex",
      body: reindexRequestSchema,
      answer: "Progress lines, then the result",
      refusals: [404],
      media: ["application/x-ndjson"],
    }),
    async (c) => {
      const body = reindexRequestSchema.parse(await c.req.json());
      const scope = await context.scopeOf(c, "reindex");
      narrowScope(scope, [body.hotel]);
      const actor = actorName(principalOf(c));
      const encoder = new TextEncoder();
      // NDJSON progress lines, then the result: the CLI draws its progress bar from them.
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (value: unknown) =>
            controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
          let last = 0;
          try {
            const done = await context.reindex(
              { hotelId: body.hotel, from: body.from, to: body.to, actor },
              (progress) => {
                if (Date.now() - last < 250) return;
                last = Date.now();
                send({ progress });
              },
            );
            send({ done });
          } catch (error) {
            send({ error: error instanceof Error ? error.message : String(error) });
          }
          controller.close();
        },
      });
      return c.body(stream, 200, { "content-type": "application/x-ndjson" });
    },
  );

  return app;
}
