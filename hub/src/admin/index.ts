/**
 * The chain admin's operations (hotels, tokens, agents), one interface with
 * two doors: `localAdmin` works on an open database (the running hub, or the
 * CLI when no hub runs), `remoteAdmin` asks a running hub over its
 * `/admin` API (PGlite has a single writer, so the CLI must not open it then).
 */
import { z } from "zod";
import { chunkId } from "../../../shared/src/custody/index.ts";
import type { ChainCa } from "../identity/index.ts";
import { createEnrollmentToken } from "../identity/index.ts";
import {
  type Agent,
  addHotel,
  type ChunkRow,
  type Db,
  findHotel,
  type Hotel,
  listAgents,
  listChunks,
  listHotels,
  revokeAgent,
} from "../store/index.ts";

export interface HotelView {
  id: string;
  name: string;
  created_at: string;
}

export interface AgentView {
  id: string;
  hotel_id: string;
  hostname: string | null;
  cert_serial: string;
  cert_sha256: string;
  not_after: string;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  last_clock_skew_ms: number | null;
}

/** A chunk as the API and the CLI show it. */
export interface ChunkView {
  hotel_id: string;
  agent_id: string;
  chunk: string;
  hour_start: string;
  part: number;
  window_start: string | null;
  window_end: string | null;
  length: number;
  status: string;
  reason: string | null;
  record_count: number | null;
  records_sha256: string | null;
  sealed_at: string | null;
}

export const chunkView = (row: ChunkRow): ChunkView => ({
  hotel_id: row.hotelId,
  agent_id: row.agentId,
  chunk: chunkId(row.hourStart.toISOString(), row.part),
  hour_start: row.hourStart.toISOString(),
  part: row.part,
  window_start: row.windowStart,
  window_end: row.windowEnd,
  length: row.length,
  status: row.status,
  reason: row.reason,
  record_count: row.recordCount,
  records_sha256: row.recordsSha256,
  sealed_at: row.sealedAt?.toISOString() ?? null,
});

export interface TokenView {
  token: string;
  hotel_id: string;
  expires_at: string;
}

export const tokenRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel must name a hotel (id or name)"),
  ttl_ms: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400_000, "--ttl must be at most 30 days"),
});
export const hotelRequestSchema = z.object({ name: z.string().min(1), id: z.string().optional() });

export interface HubAdmin {
  addHotel(input: { name: string; id?: string }): Promise<HotelView>;
  listHotels(): Promise<HotelView[]>;
  createToken(input: { hotel: string; ttl_ms: number }): Promise<TokenView>;
  listAgents(): Promise<AgentView[]>;
  revokeAgent(agentId: string): Promise<AgentView>;
  /** Newest first, every hotel (the admin view). */
  listChunks(input: { limit: number }): Promise<ChunkView[]>;
}

/** An admin request the hub refuses (unknown hotel, duplicate name...): answered 4xx. */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

const hotelView = (hotel: Hotel): HotelView => ({
  id: hotel.id,
  name: hotel.name,
  created_at: hotel.createdAt.toISOString(),
});

const agentView = (agent: Agent): AgentView => ({
  id: agent.id,
  hotel_id: agent.hotelId,
  hostname: agent.hostname,
  cert_serial: agent.certSerial,
  cert_sha256: agent.certSha256,
  not_after: agent.notAfter.toISOString(),
  enrolled_at: agent.enrolledAt.toISOString(),
  revoked_at: agent.revokedAt?.toISOString() ?? null,
  last_seen_at: agent.lastSeenAt?.toISOString() ?? null,
  last_clock_skew_ms: agent.lastClockSkewMs,
});

/**
 * Admin operations on an open database.
 *
 * @example
 * const admin = localAdmin({ db, ca, publicUrl: "https://hub.example.com:8443" });
 * const hotel = await admin.addHotel({ name: "Grand Hotel" });
 * const { token } = await admin.createToken({ hotel: hotel.id, ttl_ms: 86_400_000 });
 */
export function localAdmin(context: { db: Db; ca: ChainCa; publicUrl: string }): HubAdmin {
  const { db } = context;
  return {
    async addHotel(input) {
      try {
        return hotelView(await addHotel(db, input));
      } catch (error) {
        if (error instanceof z.ZodError)
          throw new AdminError(error.issues[0]?.message ?? "invalid hotel");
        if (error instanceof Error && error.name === "HotelExistsError")
          throw new AdminError(error.message, 409);
        throw error;
      }
    },
    listHotels: async () => (await listHotels(db)).map(hotelView),
    async createToken(input) {
      const request = tokenRequestSchema.parse(input);
      const hotel = await findHotel(db, request.hotel);
      if (!hotel) throw new AdminError(`no hotel with id or name "${request.hotel}"`, 404);
      const created = await createEnrollmentToken(db, {
        hotelId: hotel.id,
        ttlMs: request.ttl_ms,
        caSha256: context.ca.sha256,
        hubUrl: context.publicUrl,
      });
      return {
        token: created.token,
        hotel_id: hotel.id,
        expires_at: created.expiresAt.toISOString(),
      };
    },
    listAgents: async () => (await listAgents(db)).map(agentView),
    listChunks: async ({ limit }) => (await listChunks(db, limit)).map(chunkView),
    async revokeAgent(agentId) {
      const agent = await revokeAgent(db, agentId);
      if (!agent) throw new AdminError(`no agent "${agentId}"`, 404);
      return agentView(agent);
    },
  };
}

/**
 * Admin operations through a running hub's `--http` listener, authenticated
 * by the admin credential from its data dir.
 *
 * @example
 * const admin = remoteAdmin("http://127.0.0.1:8080", await readAdminCredential(dataDir));
 * await admin.listAgents();
 */
export function remoteAdmin(httpUrl: string, credential: string): HubAdmin {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${httpUrl}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) {
      const status = response.status === 404 || response.status === 409 ? response.status : 400;
      throw new AdminError(answer.error ?? `hub answered ${response.status}`, status);
    }
    return answer as T;
  }
  return {
    addHotel: (input) => call("POST", "/hotels", input),
    listHotels: () => call("GET", "/hotels"),
    createToken: (input) => call("POST", "/tokens", input),
    listAgents: () => call("GET", "/agents"),
    listChunks: ({ limit }) => call("GET", `/chunks?limit=${limit}`),
    revokeAgent: (agentId) => call("POST", `/agents/${encodeURIComponent(agentId)}/revoke`),
  };
}
