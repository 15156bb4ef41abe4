/**
 * @logmaster/hub: start a hub, or use its parts. The pipeline: ingest ->
 * store -> seal (index and timestamp come later) -> api.
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
export { HUB_STATE_FILE, type HubState, openHubStore, type RunningHub, startHub } from "./hub.ts";
