/**
 * The agent's data dir: made only by `run` (startAgent) and `enroll`, private
 * to the agent's user; `status`, `seal` and `wal` refuse a dir that holds no
 * agent instead of answering about nothing.
 */
import {
  holdsAnyOf,
  NoDataDirError,
  preparePrivateDataDir,
} from "../../../shared/src/data-dir/index.ts";
import type { AgentTelemetry } from "../events/index.ts";
import { agentInfoPath, chunksDir, identityDir, stateDir } from "../wal/layout.ts";

/**
 * Make the data dir of an agent that starts or enrolls: 0700, tightened with a
 * `DataDirTightened` event when found open.
 *
 * @example
 * prepareAgentDataDir(config.dataDir, telemetry);
 */
export function prepareAgentDataDir(dataDir: string, telemetry: AgentTelemetry): void {
  preparePrivateDataDir(dataDir, ({ dir, oldMode }) =>
    telemetry.emit("DataDirTightened", {}, { dir, oldMode }),
  );
}

/**
 * Throw unless `dataDir` holds an agent; creates nothing. An agent's dir has
 * `identity/` once enrolled and `state/` + `chunks/` once it ran (the WAL
 * makes them at open, before the status listener writes `agent.json`).
 *
 * @example
 * requireAgentDataDir("./data/agent");
 */
export function requireAgentDataDir(dataDir: string): void {
  const evidence = [
    identityDir(dataDir),
    stateDir(dataDir),
    chunksDir(dataDir),
    agentInfoPath(dataDir),
  ];
  if (!holdsAnyOf(dataDir, evidence)) {
    throw new NoDataDirError("agent", dataDir, [
      `logmaster-agent enroll --token T --data-dir ${dataDir}`,
      `logmaster-agent run --data-dir ${dataDir}`,
    ]);
  }
}
