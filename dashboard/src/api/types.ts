/**
 * The API's types, inferred from the hub's zod schemas (the one source of
 * truth): type-only imports, erased by the build, so no server code is
 * bundled.
 */
import type { z } from "zod";
import type { histogramRequestSchema } from "../../../hub/src/query/request.ts";

export type { AuditView } from "../../../hub/src/admin/audit.ts";
export type { UserPasswordAnswer, UserView } from "../../../hub/src/admin/users.ts";
export type { ChunkView, TokenView } from "../../../hub/src/admin/views.ts";
export type { LoginRequest, Me, SessionAnswer } from "../../../hub/src/api/auth.ts";
export type { AgentStatus, HotelOverview } from "../../../hub/src/api/fleet.ts";
export type { Overview } from "../../../hub/src/api/overview.ts";
export type { SavedSearchView } from "../../../hub/src/api/saved-searches.ts";
export type {
  DiscloseQuery,
  DiscloseRequest,
  DisclosureSummary,
} from "../../../hub/src/disclose/request.ts";
export type { ErrorBody, ErrorCode } from "../../../hub/src/errors.ts";
export type { Device } from "../../../hub/src/query/devices.ts";
export type {
  IpLookup,
  Lease,
  MacLookup,
  NatLookup,
  Session,
} from "../../../hub/src/query/lookups.ts";
export type { TopField } from "../../../hub/src/query/request.ts";
export type {
  ContextResponse,
  EventHit,
  EvidenceLine,
  HistogramResponse,
  SearchResponse,
  TopResponse,
} from "../../../hub/src/query/response.ts";
export type { CustodyMonth, HourState } from "../../../hub/src/report/month.ts";
export type { AuditRecord, AuditVerdict } from "../../../hub/src/store/audit.ts";
export type { UserRole } from "../../../hub/src/store/schema.ts";

/** `GET /api/search/histogram`'s query, as sent (times as ISO strings). */
export type HistogramQuery = z.input<typeof histogramRequestSchema>;
/** One agent state word of `GET /api/agents`, worst first. */
export type AgentState = import("../../../hub/src/api/fleet.ts").AgentStatus["state"];
/** `POST /api/tokens`'s answer: the token and the line hotel IT pastes on the site box. */
export type TokenAnswer = import("../../../hub/src/admin/views.ts").TokenView & {
  install_command: string;
};
/** The most lines one disclosure pack holds (the hub refuses a search beyond it): its literal type. */
export type DiscloseMaxLines =
  typeof import("../../../hub/src/disclose/request.ts").DISCLOSE_MAX_LINES;
/** The header of `POST /api/disclose` that carries the pack's summary: its literal type. */
export type DisclosureSummaryHeader =
  typeof import("../../../hub/src/disclose/request.ts").DISCLOSURE_SUMMARY_HEADER;
