import { readLines } from "../../../shared/src/cli/lines.ts";
import type { Actor } from "../admin/index.ts";
import { hubSender } from "../admin/pinned-fetch.ts";
import type { HubConfig } from "../config/index.ts";
import {
  DISCLOSURE_SUMMARY_HEADER,
  type DiscloseRequest,
  type DisclosureSummary,
  discloseEvidence,
  extractTarGz,
} from "../disclose/index.ts";
import { RefusedRequestError } from "../errors.ts";
import { HubEvents } from "../events/index.ts";
import { hubChainCa, openIndexParts } from "../hub.ts";
import { EventPartitions } from "../index/partitions.ts";
import { type ReindexProgress, reindexHotel } from "../index/reindex.ts";
import type { Device } from "../query/devices.ts";
import {
  deviceNameSchema,
  type IpLookup,
  ipSchema,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  type MacLookup,
  type NatLookup,
  narrowScope,
  openReadSide,
  type ReadScope,
  readScope,
  reindexRequestSchema,
  type SearchResponse,
  searchRequestSchema,
} from "../query/index.ts";
import { listHotels, type Store } from "../store/index.ts";

/** Query parameters as the `/api/` routes take them (lists comma-separated). */
export type ApiQuery = Record<string, string>;

export interface ReindexInput extends Actor {
  hotel: string;
  from?: string;
  to?: string;
}

export interface HubReader {
  /** `GET /api/search`: a page of events, newest first unless `sort=asc`. */
  search(query: ApiQuery): Promise<SearchResponse>;
  /** `GET /api/lookup/ip`: who had an address at a time. */
  lookupIp(query: ApiQuery): Promise<IpLookup>;
  /** `GET /api/lookup/mac`: the addresses and sessions of a MAC over a range. */
  lookupMac(query: ApiQuery): Promise<MacLookup>;
  /** `GET /api/lookup/nat`: the connection behind a public `IP:PORT` at a time. */
  lookupNat(query: ApiQuery): Promise<NatLookup>;
  /** `GET /api/devices`. */
  devices(query: ApiQuery): Promise<Device[]>;
  /** `PUT /api/devices/:agent/:address`. */
  nameDevice(change: { agent: string; address: string; name: string }): Promise<Device>;
  /** `POST /api/disclose`: a disclosure pack written into `outDir` (docs/custody-format.md §17). */
  disclose(request: DiscloseRequest & Actor, outDir: string): Promise<DisclosureSummary>;
  /** `POST /api/reindex`: progress as it goes, the totals at the end. */
  reindex(
    input: ReindexInput,
    onProgress: (progress: ReindexProgress) => void,
  ): Promise<ReindexProgress>;
}

/**
 * The read side through a running hub's `--http` listener (HTTPS pinned).
 *
 * @example
 * const reader = remoteReader(state.http_url, credential, state.http_cert_sha256);
 * const page = await reader.search({ hotels: "grand", from, to, ip: "10.5.1.23" });
 */
export function remoteReader(
  httpUrl: string,
  credential: string,
  httpCertSha256?: string,
): HubReader {
  const send = hubSender(
    { httpUrl, credential, httpCertSha256 },
    (message, status) => new RefusedRequestError(message, status === 404 ? 404 : 400),
  );
  const get = async <T>(path: string, query: ApiQuery): Promise<T> =>
    (await (await send("GET", `${path}?${new URLSearchParams(query)}`)).json()) as T;
  return {
    search: (query) => get("/api/search", query),
    lookupIp: (query) => get("/api/lookup/ip", query),
    lookupMac: (query) => get("/api/lookup/mac", query),
    lookupNat: (query) => get("/api/lookup/nat", query),
    devices: (query) => get("/api/devices", query),
    async nameDevice({ agent, address, name }) {
      const path = `/api/devices/${encodeURIComponent(agent)}/${encodeURIComponent(address)}`;
      return (await (await send("PUT", path, { name })).json()) as Device;
    },
    async disclose({ actor, ...request }, outDir) {
      const response = await send("POST", "/api/disclose", request, actor);
      await extractTarGz(new Uint8Array(await response.arrayBuffer()), outDir);
      return JSON.parse(
        response.headers.get(DISCLOSURE_SUMMARY_HEADER) ?? "{}",
      ) as DisclosureSummary;
    },
    async reindex({ actor, ...body }, onProgress) {
      const response = await send("POST", "/api/reindex", body, actor);
      if (!response.body) throw new Error("the hub answered reindex without a body");
      const decoder = new TextDecoder();
      // NDJSON: {progress} lines while it works, then {done} or {error}.
      for await (const line of readLines(response.body)) {
        if (line.length === 0) continue;
        const answer = JSON.parse(decoder.decode(line)) as {
          progress?: ReindexProgress;
          done?: ReindexProgress;
          error?: string;
        };
        if (answer.progress) onProgress(answer.progress);
        if (answer.done) return answer.done;
        if (answer.error) throw new Error(`the hub's reindex failed: ${answer.error}`);
      }
      throw new Error("the hub ended the reindex answer before it finished (see the hub's log)");
    },
  };
}

/** What `reindex` takes (the API's route checks the same; the hotel must be in scope). */
export const reindexInputSchema = reindexRequestSchema;

/** The read side on a database the CLI opened, and the index parts to close with it. */
export interface LocalReader extends HubReader {
  close(): Promise<void>;
}

/**
 * The read side on a database opened by the CLI (no hub runs on the data
 * dir), built from the same parts as the hub's (events in PostgreSQL or
 * Elasticsearch), scoped to every hotel as the admin credential is.
 *
 * @example
 * const reader = await localReader(store, config);
 * const answer = await reader.lookupIp({ ip: "10.5.1.23", at: "2026-03-12T14:32:00+03:00" });
 * await reader.close();
 */
export async function localReader(store: Store, config: HubConfig): Promise<LocalReader> {
  const parts = await openIndexParts(config);
  const close = async () => {
    await parts.queue.close();
    await parts.tail.close();
    await parts.elasticsearch?.close();
  };
  let scope: ReadScope;
  try {
    scope = readScope((await listHotels(store.db)).map((hotel) => hotel.id));
  } catch (error) {
    await close();
    throw error;
  }
  // The CLI publishes nothing on its bus: the live tail is the running hub's alone.
  const read = openReadSide(store.raw, parts.tail, parts.elasticsearch);
  return {
    search: (query) => read.engine.search(scope, searchRequestSchema.parse(query)),
    lookupIp: (query) => read.lookups.ip(scope, lookupIpRequestSchema.parse(query)),
    lookupMac: (query) => read.lookups.mac(scope, lookupMacRequestSchema.parse(query)),
    lookupNat: (query) => read.lookups.nat(scope, lookupNatRequestSchema.parse(query)),
    devices: (query) => read.devices.list(scope, query.hotel ? { hotel: query.hotel } : {}),
    nameDevice: ({ agent, address, name }) =>
      read.devices.rename(scope, {
        agent,
        address: ipSchema.parse(address),
        name: deviceNameSchema.parse({ name }).name,
      }),
    disclose: ({ actor, ...request }, outDir) =>
      discloseEvidence(
        { db: store.db, ca: hubChainCa(config), events: new HubEvents(() => {}), read },
        request,
        outDir,
        actor,
      ),
    async reindex({ actor, ...input }, onProgress) {
      const { hotel, from, to } = reindexInputSchema.parse(input);
      const [hotelId = hotel] = narrowScope(scope, [hotel]);
      return reindexHotel(
        {
          db: store.db,
          raw: store.raw,
          events: new HubEvents(() => {}),
          sink: parts.sink,
          partitions: new EventPartitions(store.raw),
          maxBytesPerStep: config.index.maxBytesPerStep,
        },
        { hotelId, from, to, actor },
        onProgress,
      );
    },
    close,
  };
}
