/**
 * The chain admin's operations (hotels, tokens, agents, users, custody), one
 * interface with two doors: `localAdmin` (./local.ts) works on an open
 * database (the running hub, or the CLI when no hub runs), `remoteAdmin`
 * (./remote.ts) asks a running hub over its `/admin` API (PGlite has a single
 * writer, so the CLI must not open it then). Requests are in ./requests.ts,
 * what they answer in ./views.ts.
 */
import type { ExportRequest, ExportSummary } from "../export/index.ts";
import type { RenderedReport, ReportRequest } from "../report/render.ts";
import type { PurgeSummary } from "../retention/index.ts";
import type { RollupView } from "../rollup/index.ts";
import type { AuditOrigin } from "../store/index.ts";
import type { AuditAdmin } from "./audit.ts";
import type { Actor, HotelSettingsRequest, RollupRequest, TokenRequest } from "./requests.ts";
import type { UserAdmin } from "./users.ts";
import type { AgentView, ChunkView, HotelView, TokenView } from "./views.ts";

/** Accounts and roles (./users.ts) and the audit log (./audit.ts) are admin operations too. */
export interface HubAdmin extends UserAdmin, AuditAdmin {
  addHotel(input: { name: string; id?: string }): Promise<HotelView>;
  listHotels(): Promise<HotelView[]>;
  /** A one-time enrollment token; audit-logged (never the token itself). */
  createToken(input: TokenRequest & AuditOrigin): Promise<TokenView>;
  listAgents(): Promise<AgentView[]>;
  /** The agent is refused from now on; audit-logged. */
  revokeAgent(input: { agent: string } & AuditOrigin): Promise<AgentView>;
  /** Newest first, every hotel (the admin view). */
  listChunks(input: { limit: number }): Promise<ChunkView[]>;
  /** Retention and legal hold of a hotel. */
  setHotel(input: HotelSettingsRequest & Actor): Promise<HotelView>;
  /** Write an evidence bundle into `outDir` (docs/custody-format.md §9). */
  exportBundle(request: ExportRequest & Actor, outDir: string): Promise<ExportSummary>;
  /** Sign and time-stamp a hotel's ended UTC day. */
  rollup(input: RollupRequest & Actor): Promise<RollupView>;
  complianceReport(input: ReportRequest & Actor): Promise<RenderedReport>;
  purge(input: { dry_run: boolean } & Actor): Promise<PurgeSummary>;
}

export { type AdminContext, exportContextOf, localAdmin } from "./local.ts";
export { ACTOR_HEADER } from "./pinned-fetch.ts";
export { remoteAdmin } from "./remote.ts";
export * from "./requests.ts";
export {
  passwordResetSchema,
  type UserPasswordAnswer,
  type UserView,
  userRequestSchema,
} from "./users.ts";
export * from "./views.ts";
