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
import {
  contextRequestSchema,
  deviceNameSchema,
  type EventHit,
  histogramRequestSchema,
  hitOfRow,
  ipSchema,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  narrowScope,
  type ReadScope,
  type ReadSide,
  readScope,
  reindexRequestSchema,
  searchRequestSchema,
  tailFilterSchema,
  tailMatcher,
  topRequestSchema,
} from "../query/index.ts";
import { type Db, writeAudit } from "../store/index.ts";
import { clientAddress, principalOf } from "./authenticate.ts";

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
  const text = Array.isArray(value) ? value.join(" ") : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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
    await writeAudit(context.db, {
      actor: actorName(principalOf(c)),
      action: kind.startsWith("lookup") ? "lookup" : kind === "tail" ? "tail" : "search",
      ...(scope.hotels.length === 1 ? { hotelId: scope.hotels[0] } : {}),
      detail: {
        kind,
        address: clientAddress(c),
        scope: scope.hotels,
        params: c.req.queries(),
        rows,
      },
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

  app.get("/api/search", async (c) => {
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
  });

  app.get("/api/search/histogram", async (c) => {
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
  });

  app.get("/api/search/top", async (c) => {
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
  });

  app.get("/api/search/context", async (c) => {
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
  });

  app.get("/api/search/export", async (c) => {
    const scope = await context.scopeOf(c, "read_events");
    const { format = "ndjson", ...query } = queryOf(c);
    const kind = z
      .enum(["ndjson", "csv"], { message: "format must be ndjson or csv" })
      .parse(format);
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
                .map((hit) => `${CSV_COLUMNS.map((column) => csvCell(hit[column])).join(",")}\r\n`)
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
  });

  app.get("/api/lookup/ip", async (c) => {
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
  });

  app.get("/api/lookup/mac", async (c) => {
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
  });

  app.get("/api/lookup/nat", async (c) => {
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
  });

  app.get("/api/devices", async (c) => {
    const scope = await context.scopeOf(c, "read_devices");
    const { hotel } = z.object({ hotel: z.string().optional() }).parse(queryOf(c));
    return c.json(await read.devices.list(scope, { hotel }));
  });

  app.put("/api/devices/:agent/:address", async (c) => {
    const scope = await context.scopeOf(c, "name_devices");
    const address = ipSchema.parse(c.req.param("address"));
    const { name } = deviceNameSchema.parse(await c.req.json());
    return c.json(await read.devices.rename(scope, { agent: c.req.param("agent"), address, name }));
  });

  app.get("/api/tail", async (c) => {
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
  });

  app.post("/api/reindex", async (c) => {
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
  });

  return app;
}
