export {
  type ListenAddress,
  parseListenAddress,
} from "../../../shared/src/net/listen-address.ts";
export {
  AgentConfigError,
  type ConfigFlags,
  describeConfigIssues,
  loadAgentConfig,
  parseAgentConfig,
} from "./load.ts";
export { type AgentConfig, type AgentConfigInput, agentConfigSchema } from "./schema.ts";
