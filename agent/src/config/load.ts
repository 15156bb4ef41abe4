import { parse as parseToml } from "smol-toml";
import type { z } from "zod";
import { type AgentConfig, type AgentConfigInput, agentConfigSchema } from "./schema.ts";

/** Command-line flags of `logmaster-agent run` that override the TOML file. */
export interface ConfigFlags {
  config?: string;
  dataDir?: string;
  udp?: string[];
  tcp?: string[];
  hub?: string;
  status?: string;
}

/** A configuration problem, worded for the person who wrote the file or the flags. */
export class AgentConfigError extends Error {
  override readonly name = "AgentConfigError";
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
function mergeConfig(base: Plain, over: Plain): Plain {
  const merged: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const existing = merged[key];
    merged[key] = isPlain(existing) && isPlain(value) ? mergeConfig(existing, value) : value;
  }
  return merged;
}

/** One line per problem, each naming the option (`udp.listen[0]: must be HOST:PORT ...`). */
export function describeConfigIssues(error: z.ZodError, source: string): string {
  return error.issues
    .map((issue) => {
      const option = issue.path
        .map((part, i) =>
          typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`,
        )
        .join("");
      return `${source}: ${option || "(top level)"}: ${issue.message}`;
    })
    .join("\n");
}

/**
 * Validate a configuration object (defaults fill what is missing).
 *
 * @example
 * const config = parseAgentConfig({ dataDir: "/var/lib/logmaster-agent" });
 */
export function parseAgentConfig(input: AgentConfigInput | Plain, source = "config"): AgentConfig {
  const result = agentConfigSchema.safeParse(input);
  if (!result.success) throw new AgentConfigError(describeConfigIssues(result.error, source));
  return result.data;
}

function flagsToConfig(flags: ConfigFlags): Plain {
  return {
    dataDir: flags.dataDir,
    udp: flags.udp ? { listen: flags.udp } : undefined,
    tcp: flags.tcp ? { listen: flags.tcp } : undefined,
    hub: flags.hub ? { url: flags.hub } : undefined,
    status: flags.status ? { listen: flags.status } : undefined,
  };
}

/**
 * The effective configuration: defaults < TOML file (`--config`) < flags.
 * Errors name the option and where it came from; unknown keys are errors, so
 * a typo in agent.toml is not silently ignored.
 *
 * @example
 * const config = await loadAgentConfig({ config: "/etc/logmaster/agent.toml", udp: ["0.0.0.0:5514"] });
 */
export async function loadAgentConfig(flags: ConfigFlags): Promise<AgentConfig> {
  let fromFile: Plain = {};
  let source = "flags";
  if (flags.config) {
    const file = Bun.file(flags.config);
    if (!(await file.exists()))
      throw new AgentConfigError(`config file ${flags.config} does not exist`);
    try {
      fromFile = parseToml(await file.text()) as Plain;
    } catch (error) {
      throw new AgentConfigError(
        `${flags.config}: not valid TOML: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    source = `${flags.config} + flags`;
  }
  return parseAgentConfig(mergeConfig(fromFile, flagsToConfig(flags)), source);
}
