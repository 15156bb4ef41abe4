export {
  AgentConfigError,
  type ConfigFlags,
  describeConfigIssues,
  loadAgentConfig,
  parseAgentConfig,
} from "./load.ts";
export {
  type AgentConfig,
  type AgentConfigInput,
  agentConfigSchema,
  type ListenAddress,
  parseListenAddress,
} from "./schema.ts";
