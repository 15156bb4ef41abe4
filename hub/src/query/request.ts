/**
 * What a caller may ask the query engine, as zod schemas: the one source of
 * the API's types, its OpenAPI document and the CLI's checks. Times in are
 * any ISO 8601 with an offset; times out are UTC with the Europe/Istanbul
 * wall time beside them (hub/src/query/time.ts).
 */
import { isIP } from "node:net";
import { z } from "zod";
import { SEVERITY_NAMES } from "../../../shared/src/syslog/header/pri.ts";

/** Any ISO 8601 time with a zone (`Z` or `+03:00`), as a Date. */
export const isoTimeSchema = z
  .string()
  .refine(
    (text) => /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && Number.isFinite(Date.parse(text)),
    "must be an ISO 8601 time with a zone, e.g. 2026-03-12T14:32:00+03:00 or 2026-03-12T11:32:00Z",
  )
  .transform((text) => new Date(text));

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** A MAC in any usual spelling (`AA:BB:..`, `aa-bb-..`, `aabb..`), as `aa:bb:cc:dd:ee:ff`. */
export const macSchema = z
  .string()
  .regex(MAC, "must be a MAC address like a4:c3:f0:36:4a:02")
  .transform((mac) =>
    mac
      .replace(/[:-]/g, "")
      .toLowerCase()
      .replace(/(..)(?!$)/g, "$1:"),
  );

/** An IP address, or a CIDR block (`10.5.0.0/16`). */
export const ipOrCidrSchema = z.string().refine((value) => {
  const [address = "", bits, extra] = value.split("/");
  if (extra !== undefined || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}, "must be an IP address or a CIDR block like 10.5.0.0/16");

export const ipSchema = z.string().refine((value) => isIP(value) !== 0, "must be an IP address");

/** `ADDR:PORT` or `[v6]:PORT`. */
export const addressPortSchema = z.string().transform((value, ctx) => {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(value) ?? /^([^:]+):(\d{1,5})$/.exec(value);
  const ip = match?.[1] ?? "";
  const port = Number(match?.[2]);
  if (!match || isIP(ip) === 0 || port > 65_535) {
    ctx.addIssue({ code: "custom", message: "must be ADDRESS:PORT, e.g. 198.51.100.1:56687" });
    return z.NEVER;
  }
  return { ip, port };
});

const portSchema = z.coerce.number().int().min(0).max(65_535);

/** A severity name (`warning`) or code (`4`): events at least that severe. */
export const severitySchema = z
  .union([z.enum(SEVERITY_NAMES), z.coerce.number().int().min(0).max(7)])
  .transform((value) => (typeof value === "number" ? value : SEVERITY_NAMES.indexOf(value)));

const listOf = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) => (typeof value === "string" ? value.split(",").filter(Boolean) : value),
    z.array(item).max(100),
  );

export const hotelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a hotel id");

/** The filters every query shares: time range (required), where, and what. */
const eventFilterFields = z.object({
  from: isoTimeSchema,
  to: isoTimeSchema,
  /** Narrow to these of the caller's hotels (never widens the scope). */
  hotels: listOf(hotelIdSchema).optional(),
  agents: listOf(z.string().min(1).max(100)).optional(),
  /** Source devices: the address datagrams came from. */
  devices: listOf(ipSchema).optional(),
  severity: severitySchema.optional(),
  topics: listOf(z.string().min(1).max(50)).optional(),
  /** firewall, dhcp, hotspot, account, wireless, ppp, other. */
  datasets: listOf(z.string().min(1).max(50)).optional(),
  /** Source, destination or NAT address: an IP or a CIDR block. */
  ip: ipOrCidrSchema.optional(),
  mac: macSchema.optional(),
  /** Source, destination or NAT port. */
  port: portSchema.optional(),
  user: z.string().min(1).max(200).optional(),
  /** The host name the device writes in its lines (RouterOS: its identity, e.g. otel-2-gw). */
  host: z.string().min(1).max(255).optional(),
  /** The NAT (public) address, `IP` or `IP:PORT`. */
  nat: z
    .string()
    .transform((value, ctx) => {
      if (isIP(value) !== 0) return { ip: value, port: undefined as number | undefined };
      const parsed = addressPortSchema.safeParse(value);
      if (parsed.success) return parsed.data as { ip: string; port: number | undefined };
      ctx.addIssue({ code: "custom", message: "must be IP or IP:PORT" });
      return z.NEVER;
    })
    .optional(),
  /** Free text: words (Turkish-folded), "quoted phrases", -not, a OR b, prefix*. */
  text: z.string().max(500).optional(),
});

export const eventFilterSchema = eventFilterFields.refine((filter) => filter.from < filter.to, {
  message: "from must be before to",
  path: ["to"],
});

/** The live tail's filters: the search's, without a time range (it is "from now on"). */
export const tailFilterSchema = eventFilterFields.omit({ from: true, to: true });
export type TailFilter = z.infer<typeof tailFilterSchema>;

export type EventFilter = z.infer<typeof eventFilterSchema>;

export const searchRequestSchema = eventFilterSchema.and(
  z.object({
    sort: z.enum(["desc", "asc"]).default("desc"),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** The `next_cursor` of the page before. */
    cursor: z.string().max(500).optional(),
  }),
);
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** Fields whose top values can be asked for. */
export const TOP_FIELDS = [
  "hotel",
  "agent",
  "device",
  "host",
  "severity",
  "dataset",
  "action",
  "src_ip",
  "src_mac",
  "dst_ip",
  "dst_port",
  "nat_ip",
  "protocol",
  "user",
] as const;
export type TopField = (typeof TOP_FIELDS)[number];

export const topRequestSchema = eventFilterSchema.and(
  z.object({
    field: z.enum(TOP_FIELDS),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  }),
);
export type TopRequest = z.infer<typeof topRequestSchema>;

export const histogramRequestSchema = eventFilterSchema.and(
  z.object({
    /** About this many buckets; the interval is rounded to a readable one. */
    buckets: z.coerce.number().int().min(10).max(500).default(60),
  }),
);
export type HistogramRequest = z.infer<typeof histogramRequestSchema>;

export const contextRequestSchema = z.object({
  agent: z.string().min(1).max(100),
  seq: z.coerce.number().int().min(1),
  /** The hit's receive time (from its search row): bounds the scan. */
  at: isoTimeSchema,
  before: z.coerce.number().int().min(0).max(500).default(10),
  after: z.coerce.number().int().min(0).max(500).default(10),
});
export type ContextRequest = z.infer<typeof contextRequestSchema>;

export const lookupIpRequestSchema = z.object({
  ip: ipSchema,
  at: isoTimeSchema,
  hotel: hotelIdSchema.optional(),
});
export const lookupMacRequestSchema = z
  .object({
    mac: macSchema,
    from: isoTimeSchema,
    to: isoTimeSchema,
    hotel: hotelIdSchema.optional(),
  })
  .refine((filter) => filter.from < filter.to, { message: "from must be before to", path: ["to"] });
export const lookupNatRequestSchema = z.object({
  address: addressPortSchema,
  at: isoTimeSchema,
  hotel: hotelIdSchema.optional(),
});
export type LookupIpRequest = z.infer<typeof lookupIpRequestSchema>;
export type LookupMacRequest = z.infer<typeof lookupMacRequestSchema>;
export type LookupNatRequest = z.infer<typeof lookupNatRequestSchema>;

/** `reindex`: a hotel's chunks whose hour starts in [from, to) (default: all of them). */
export const reindexRequestSchema = z.object({
  hotel: hotelIdSchema,
  from: isoTimeSchema.optional(),
  to: isoTimeSchema.optional(),
});
export type ReindexRequestInput = z.input<typeof reindexRequestSchema>;
