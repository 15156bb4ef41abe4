/**
 * @logmaster/hub: start a hub, or use its parts. The pipeline: ingest ->
 * store -> seal -> timestamp (worker) -> rollup -> api; export, report and
 * retention serve auditors and admins (index comes later).
 */
export {
  type AgentView,
  type HotelView,
  type HubAdmin,
  localAdmin,
  remoteAdmin,
  type TokenView,
} from "./admin/index.ts";
export {
  type HubConfig,
  type HubConfigInput,
  hubConfigSchema,
  loadHubConfig,
} from "./config/index.ts";
export { HubEvents } from "./events/index.ts";
export { type ExportRequest, type ExportSummary, exportEvidence } from "./export/index.ts";
export {
  HUB_STATE_FILE,
  type HubState,
  hubAdminContext,
  openHubStore,
  type RunningHub,
  startHub,
} from "./hub.ts";
export { buildComplianceReport, complianceReportCsv, complianceReportPdf } from "./report/index.ts";
export { purgeExpiredChunks } from "./retention/index.ts";
export { parseDayManifest, rollUpDay, verifyDayManifestSignature } from "./rollup/index.ts";
