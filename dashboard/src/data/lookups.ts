/**
 * The 5651 lookups' data: the question as the URL keeps it (so a link or a
 * reload asks it again), the lookup itself, and the evidence bundles that
 * prove an answer (one per chunk), downloaded with the access token.
 */
import { api } from "../api/client.ts";
import { downloadFile } from "../api/download.ts";
import type { ChunkView, IpLookup, MacLookup, NatLookup } from "../api/types.ts";

export const LOOKUP_KINDS = ["ip", "mac", "nat"] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** A question, as the URL's query string holds it (times ISO 8601 with an offset). */
export type LookupQuestion =
  | { kind: "ip"; ip: string; at: string; hotel?: string }
  | { kind: "mac"; mac: string; from: string; to: string; hotel?: string }
  | { kind: "nat"; address: string; at: string; hotel?: string };

export type LookupAnswer =
  | { kind: "ip"; answer: IpLookup }
  | { kind: "mac"; answer: MacLookup }
  | { kind: "nat"; answer: NatLookup };

type Params = Partial<Record<string, string | string[]>>;
const one = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/** The tab the URL names (`?q=mac`), the IP lookup by default. */
export function lookupKindOf(params: Params): LookupKind {
  const kind = one(params.q);
  return LOOKUP_KINDS.find((candidate) => candidate === kind) ?? "ip";
}

/**
 * The question in the URL, when it is complete enough to ask.
 *
 * @example
 * lookupQuestionOf({ q: "ip", ip: "10.1.1.23", at: "2026-12-03T10:15:00+03:00" });
 */
export function lookupQuestionOf(params: Params): LookupQuestion | undefined {
  const kind = lookupKindOf(params);
  const hotel = one(params.hotel);
  const scope = hotel ? { hotel } : {};
  if (kind === "ip") {
    const ip = one(params.ip);
    const at = one(params.at);
    return ip && at ? { kind, ip, at, ...scope } : undefined;
  }
  if (kind === "mac") {
    const mac = one(params.mac);
    const from = one(params.from);
    const to = one(params.to);
    return mac && from && to ? { kind, mac, from, to, ...scope } : undefined;
  }
  const address = one(params.address);
  const at = one(params.at);
  return address && at ? { kind, address, at, ...scope } : undefined;
}

/** The URL query of a question (what `lookupQuestionOf` reads back). */
export function paramsOfQuestion(question: LookupQuestion): Record<string, string | undefined> {
  const { kind, ...rest } = question;
  return { q: kind, ...rest };
}

/** Ask the hub (`/api/lookup/ip|mac|nat`, audit-logged there). */
export async function runLookup(question: LookupQuestion): Promise<LookupAnswer> {
  const { kind, ...query } = question;
  switch (kind) {
    case "ip":
      return { kind, answer: await api<IpLookup>("/api/lookup/ip", { query }) };
    case "mac":
      return { kind, answer: await api<MacLookup>("/api/lookup/mac", { query }) };
    case "nat":
      return { kind, answer: await api<NatLookup>("/api/lookup/nat", { query }) };
  }
}

/** The bundle that proves a line: one chunk of one agent. */
export interface BundleRef {
  hotel: string;
  agent: string;
  chunk: string;
}

export const bundleKey = (ref: BundleRef) => `${ref.hotel}/${ref.agent}/${ref.chunk}`;

/** The chunk's record count and size, from the custody list of its day (undefined when not at hand). */
export async function chunkFacts(refs: readonly BundleRef[]): Promise<Map<string, ChunkView>> {
  const days = new Map<string, { hotel: string; day: string }>();
  for (const ref of refs) {
    const day = ref.chunk.slice(0, 10);
    days.set(`${ref.hotel}/${day}`, { hotel: ref.hotel, day });
  }
  const facts = new Map<string, ChunkView>();
  await Promise.all(
    [...days.values()].map(async ({ hotel, day }) => {
      const chunks = await api<ChunkView[]>("/api/chunks", {
        query: { hotel, day, limit: 1000 },
      }).catch(() => [] as ChunkView[]);
      for (const chunk of chunks)
        facts.set(
          bundleKey({ hotel: chunk.hotel_id, agent: chunk.agent_id, chunk: chunk.chunk }),
          chunk,
        );
    }),
  );
  return facts;
}

/**
 * Download a chunk's evidence bundle (`/api/export?chunk=…&agent=…`, a
 * tar.gz) as a file of the browser.
 */
export function downloadBundle(ref: BundleRef): Promise<void> {
  return downloadFile(
    "/api/export",
    { query: { hotel: ref.hotel, agent: ref.agent, chunk: ref.chunk } },
    `logmaster-export-${ref.hotel}-${ref.chunk}.tar.gz`,
  );
}
