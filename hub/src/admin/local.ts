/**
 * The admin operations on an open database: what the running hub serves
 * behind its `/admin` API, and what the CLI uses when no hub runs.
 */
import { z } from "zod";
import type { TimestampClient } from "../../../shared/src/timestamp/index.ts";
import type { HubEvents } from "../events/index.ts";
import { exportEvidence } from "../export/index.ts";
import type { ChainCa, HubSigner } from "../identity/index.ts";
import { createEnrollmentToken } from "../identity/index.ts";
import type { EventSink } from "../index/sink.ts";
import { renderComplianceReport } from "../report/render.ts";
import { purgeExpiredChunks, setHotelRetention } from "../retention/index.ts";
import { rollUpDay, writeDayRollupFiles } from "../rollup/index.ts";
import {
  addHotel,
  type Db,
  findHotel,
  listAgents,
  listChunks,
  listHotels,
  requestAuditRecord,
  revokeAgent,
  writeAudit,
} from "../store/index.ts";
import { localAuditAdmin } from "./audit.ts";
import type { HubAdmin } from "./index.ts";
import {
  AdminError,
  hotelSettingsSchema,
  rollupRequestSchema,
  tokenRequestSchema,
} from "./requests.ts";
import { localUserAdmin } from "./users.ts";
import { agentView, chunkView, hotelView } from "./views.ts";

/** Everything the admin operations use: what a running hub has, or what the CLI opens. */
export interface AdminContext {
  db: Db;
  ca: ChainCa;
  publicUrl: string;
  events: HubEvents;
  dataDir: string;
  chainId: string;
  signer: HubSigner;
  tsa: TimestampClient;
  /** Where events are indexed outside PostgreSQL (Elasticsearch): retention removes purged chunks' events there too. */
  indexedElsewhere?: Pick<EventSink, "remove">;
}

/** The export room's context, with day roll-ups written by the roll-up room. */
export function exportContextOf(context: AdminContext) {
  return {
    db: context.db,
    ca: context.ca,
    events: context.events,
    writeDayRollup: (hotelId: string, day: string, outDir: string, actor: string) =>
      writeDayRollupFiles(context, hotelId, day, outDir, actor, context.ca.certificatePem),
  };
}

/**
 * Admin operations on an open database. Token creation and revocation are
 * audit-logged here, so every door (the API, the CLI's `/admin`, the CLI on
 * the data dir) leaves the same row.
 *
 * @example
 * const admin = localAdmin({ db, ca, publicUrl: "https://hub.example.com:8443" });
 * const hotel = await admin.addHotel({ name: "Grand Hotel" });
 * const { token } = await admin.createToken({ hotel: hotel.id, ttl_ms: 86_400_000, actor: "cli:alice" });
 */
export function localAdmin(context: AdminContext): HubAdmin {
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
    async createToken({ actor, address, scope, ...input }) {
      const request = tokenRequestSchema.parse(input);
      const hotel = await findHotel(db, request.hotel);
      if (!hotel) throw new AdminError(`no hotel with id or name "${request.hotel}"`, 404);
      const created = await createEnrollmentToken(db, {
        hotelId: hotel.id,
        ttlMs: request.ttl_ms,
        caSha256: context.ca.sha256,
        hubUrl: context.publicUrl,
      });
      const expiresAt = created.expiresAt.toISOString();
      // Never the token: the row must not be a way to enroll.
      await writeAudit(
        db,
        requestAuditRecord(
          { actor, address, scope },
          {
            action: "token_create",
            kind: "token_create",
            hotelId: hotel.id,
            params: { hotel: hotel.id, ttl_ms: request.ttl_ms, expires_at: expiresAt },
            rows: 1,
          },
        ),
      );
      return { token: created.token, hotel_id: hotel.id, expires_at: expiresAt };
    },
    listAgents: async () => (await listAgents(db)).map(agentView),
    listChunks: async ({ limit }) => (await listChunks(db, limit)).map(chunkView),
    async revokeAgent({ agent: agentId, ...origin }) {
      const agent = await revokeAgent(db, agentId);
      if (!agent) throw new AdminError(`no agent "${agentId}"`, 404);
      await writeAudit(
        db,
        requestAuditRecord(origin, {
          action: "agent_revoke",
          kind: "agent_revoke",
          hotelId: agent.hotelId,
          params: { agent: agent.id },
          rows: 1,
        }),
      );
      return agentView(agent);
    },
    async setHotel(input) {
      const request = hotelSettingsSchema.parse(input);
      const hotel = await setHotelRetention(db, {
        hotel: request.hotel,
        ...(request.retention_days === undefined ? {} : { retentionDays: request.retention_days }),
        ...(request.legal_hold === undefined ? {} : { legalHold: request.legal_hold }),
        actor: input.actor,
      });
      if (!hotel) throw new AdminError(`no hotel with id or name "${request.hotel}"`, 404);
      return hotelView(hotel);
    },
    exportBundle: ({ actor, ...request }, outDir) =>
      exportEvidence(exportContextOf(context), request, outDir, actor),
    rollup: async (input) =>
      rollUpDay(context, { ...rollupRequestSchema.parse(input), actor: input.actor }),
    complianceReport: (input) => renderComplianceReport(db, input),
    purge: (input) => purgeExpiredChunks(context, { dryRun: input.dry_run, actor: input.actor }),
    ...localUserAdmin(db),
    ...localAuditAdmin(db),
  };
}
