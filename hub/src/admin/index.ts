/**
 * The chain admin's operations (hotels, tokens, agents, users), one interface with
 * two doors: `localAdmin` works on an open database (the running hub, or the
 * CLI when no hub runs), `remoteAdmin` asks a running hub over its
 * `/admin` API (PGlite has a single writer, so the CLI must not open it then).
 */

import { z } from "zod";
import type { TimestampClient } from "../../../shared/src/timestamp/index.ts";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import {
  type ExportRequest,
  type ExportSummary,
  exportEvidence,
  exportEvidenceTarGz,
  extractTarGz,
} from "../export/index.ts";
import type { ChainCa, HubSigner } from "../identity/index.ts";
import { createEnrollmentToken } from "../identity/index.ts";
import type { EventSink } from "../index/sink.ts";
import type { ReadScope } from "../query/scope.ts";
import {
  buildComplianceReport,
  complianceReportCsv,
  complianceReportPdf,
} from "../report/index.ts";
import { type PurgeSummary, purgeExpiredChunks, setHotelRetention } from "../retention/index.ts";
import { type RollupView, rollUpDay, writeDayRollupFiles } from "../rollup/index.ts";
import {
  addHotel,
  type Db,
  findHotel,
  listAgents,
  listChunks,
  listHotels,
  revokeAgent,
  writeAudit,
} from "../store/index.ts";
import { type AuditAdmin, localAuditAdmin, remoteAuditAdmin } from "./audit.ts";
import { hubSender } from "./pinned-fetch.ts";
import { localUserAdmin, remoteUserAdmin, type UserAdmin } from "./users.ts";
import {
  type AgentView,
  agentView,
  type ChunkView,
  chunkView,
  type HotelView,
  hotelView,
  type TokenView,
} from "./views.ts";

export const tokenRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel must name a hotel (id or name)"),
  ttl_ms: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400_000, "--ttl must be at most 30 days"),
});
export const hotelRequestSchema = z.object({ name: z.string().min(1), id: z.string().optional() });
export const hotelSettingsSchema = z.object({
  hotel: z.string().min(1, "hotel set needs a hotel (id or name)"),
  retention_days: z.coerce
    .number()
    .int("--retention-days must be a whole number")
    .min(1, "--retention-days must be at least 1")
    .max(36_500, "--retention-days must be at most 36500")
    .optional(),
  legal_hold: z.boolean().optional(),
});
export const rollupRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel is required"),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "--day must be a UTC day like 2026-11-22"),
});
export const reportRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel is required"),
  month: z.string().regex(/^\d{4}-\d{2}$/, "--month must be a month like 2026-11"),
  format: z.enum(["csv", "pdf", "json"], { message: "--format must be csv or pdf" }).default("csv"),
  skew_ms: z.coerce.number().int().positive().optional(),
});
export type ReportRequest = z.input<typeof reportRequestSchema>;

/** A rendered report: the bytes and their media type. */
export interface RenderedReport {
  contentType: string;
  body: Uint8Array;
}

/** Who acts, for the audit log: the credential used, and the CLI user when known. */
export interface Actor {
  actor: string;
}

/** Accounts and roles (./users.ts) are admin operations too. */
export interface HubAdmin extends UserAdmin, AuditAdmin {
  addHotel(input: { name: string; id?: string }): Promise<HotelView>;
  listHotels(): Promise<HotelView[]>;
  createToken(input: { hotel: string; ttl_ms: number }): Promise<TokenView>;
  listAgents(): Promise<AgentView[]>;
  revokeAgent(agentId: string): Promise<AgentView>;
  /** Newest first, every hotel (the admin view). */
  listChunks(input: { limit: number }): Promise<ChunkView[]>;
  /** Retention and legal hold of a hotel. */
  setHotel(input: z.input<typeof hotelSettingsSchema> & Actor): Promise<HotelView>;
  /** Write an evidence bundle into `outDir` (docs/custody-format.md §9). */
  exportBundle(request: ExportRequest & Actor, outDir: string): Promise<ExportSummary>;
  /** Sign and time-stamp a hotel's ended UTC day. */
  rollup(input: z.input<typeof rollupRequestSchema> & Actor): Promise<RollupView>;
  complianceReport(input: ReportRequest & Actor): Promise<RenderedReport>;
  purge(input: { dry_run: boolean } & Actor): Promise<PurgeSummary>;
}

/** An admin request the hub refuses (unknown hotel, duplicate name...): answered 4xx. */
export class AdminError extends RefusedRequestError {
  override readonly name = "AdminError";
}

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
 * A compliance report rendered in the requested format (audit-logged: it
 * reads per-hotel evidence facts).
 */
export async function renderComplianceReport(
  context: AdminContext,
  input: ReportRequest & Actor & { scope?: ReadScope | undefined },
): Promise<RenderedReport> {
  const request = reportRequestSchema.parse(input);
  const report = await buildComplianceReport(context.db, {
    hotel: request.hotel,
    month: request.month,
    ...(request.skew_ms ? { skewThresholdMs: request.skew_ms } : {}),
    scope: input.scope,
  });
  await writeAudit(context.db, {
    actor: input.actor,
    action: "report",
    hotelId: report.hotel_id,
    detail: {
      month: request.month,
      format: request.format,
      ...(input.scope ? { scope: input.scope.hotels } : {}),
      rows: report.agents.length,
    },
  });
  if (request.format === "pdf")
    return { contentType: "application/pdf", body: await complianceReportPdf(report) };
  if (request.format === "json")
    return {
      contentType: "application/json",
      body: new TextEncoder().encode(JSON.stringify(report, null, 2)),
    };
  return {
    contentType: "text/csv; charset=utf-8",
    body: new TextEncoder().encode(complianceReportCsv(report)),
  };
}

/**
 * Admin operations on an open database.
 *
 * @example
 * const admin = localAdmin({ db, ca, publicUrl: "https://hub.example.com:8443" });
 * const hotel = await admin.addHotel({ name: "Grand Hotel" });
 * const { token } = await admin.createToken({ hotel: hotel.id, ttl_ms: 86_400_000 });
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
    complianceReport: (input) => renderComplianceReport(context, input),
    purge: (input) => purgeExpiredChunks(context, { dryRun: input.dry_run, actor: input.actor }),
    ...localUserAdmin(db),
    ...localAuditAdmin(db),
  };
}

export { ACTOR_HEADER } from "./pinned-fetch.ts";

/**
 * Admin operations through a running hub's `--http` listener, authenticated
 * by the admin credential from its data dir.
 *
 * @example
 * const admin = remoteAdmin("http://127.0.0.1:8080", await readAdminCredential(dataDir));
 * await admin.listAgents();
 */
export function remoteAdmin(
  httpUrl: string,
  credential: string,
  /** SHA-256 of the certificate an HTTPS listener presents (hub.json's `http_cert_sha256`). */
  httpCertSha256?: string,
): HubAdmin {
  const send = hubSender({ httpUrl, credential, httpCertSha256 }, (message, status) => {
    return new AdminError(message, status === 404 || status === 409 ? status : 400);
  });
  async function call<T>(method: string, path: string, body?: unknown, actor?: string): Promise<T> {
    return (await (await send(method, `/admin${path}`, body, actor)).json()) as T;
  }
  const query = (values: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(values).flatMap(([k, v]): [string, string][] =>
        v === undefined ? [] : [[k, String(v)]],
      ),
    ).toString();
  return {
    addHotel: (input) => call("POST", "/hotels", input),
    listHotels: () => call("GET", "/hotels"),
    createToken: (input) => call("POST", "/tokens", input),
    listAgents: () => call("GET", "/agents"),
    listChunks: ({ limit }) => call("GET", `/chunks?limit=${limit}`),
    revokeAgent: (agentId) => call("POST", `/agents/${encodeURIComponent(agentId)}/revoke`),
    setHotel: ({ actor, ...input }) =>
      call("PATCH", `/hotels/${encodeURIComponent(input.hotel)}`, input, actor),
    async exportBundle({ actor, ...request }, outDir) {
      const response = await send(
        "GET",
        `/api/export?${query({ ...request, format: "tar.gz" })}`,
        undefined,
        actor,
      );
      await extractTarGz(new Uint8Array(await response.arrayBuffer()), outDir);
      return JSON.parse(response.headers.get("x-logmaster-export") ?? "{}") as ExportSummary;
    },
    rollup: ({ actor, ...input }) => call("POST", "/rollups", input, actor),
    async complianceReport({ actor, ...input }) {
      const response = await send(
        "GET",
        `/api/reports/compliance?${query(input)}`,
        undefined,
        actor,
      );
      return {
        contentType: response.headers.get("content-type") ?? "application/octet-stream",
        body: new Uint8Array(await response.arrayBuffer()),
      };
    },
    purge: ({ actor, ...input }) => call("POST", "/purge", input, actor),
    ...remoteUserAdmin(call),
    ...remoteAuditAdmin(call),
  };
}

export {
  passwordResetSchema,
  type UserPasswordAnswer,
  type UserView,
  userRequestSchema,
} from "./users.ts";
export * from "./views.ts";
export { exportEvidenceTarGz };
