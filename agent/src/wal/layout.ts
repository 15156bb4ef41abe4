import { join } from "node:path";

/**
 * Where everything lives under the data dir:
 *
 * ```
 * data-dir/
 *   agent.json                         running agent's status URL + pid (for the CLI)
 *   identity/{key.pem,cert.pem,ca.pem,identity.json}
 *   state/seq.json                     last seq that may have left the box
 *   state/chain.json                   last sealed hour + its manifest SHA-256
 *   state/forward.json                 per chunk: bytes the hub acknowledged, seal verdict
 *   chunks/<YYYY-MM-DDTHH>/{records.jsonl,records.idx,manifest.json,manifest.sig}
 *   quarantine/<YYYY-MM-DDTHH>-<ms>/   chunk dirs that could not be read at start
 * ```
 */
export function chunksDir(dataDir: string): string {
  return join(dataDir, "chunks");
}
export function chunkDir(dataDir: string, hour: string): string {
  return join(dataDir, "chunks", hour);
}
export function recordsPath(dataDir: string, hour: string): string {
  return join(dataDir, "chunks", hour, "records.jsonl");
}
export function indexPath(dataDir: string, hour: string): string {
  return join(dataDir, "chunks", hour, "records.idx");
}
export function manifestPath(dataDir: string, hour: string): string {
  return join(dataDir, "chunks", hour, "manifest.json");
}
export function signaturePath(dataDir: string, hour: string): string {
  return join(dataDir, "chunks", hour, "manifest.sig");
}
export function stateDir(dataDir: string): string {
  return join(dataDir, "state");
}
export function quarantineDir(dataDir: string): string {
  return join(dataDir, "quarantine");
}
export function identityDir(dataDir: string): string {
  return join(dataDir, "identity");
}
export function agentInfoPath(dataDir: string): string {
  return join(dataDir, "agent.json");
}

const MS_PER_HOUR = 3_600_000;
const US_PER_HOUR = 3_600_000_000;

/** Chunk hours are named `YYYY-MM-DDTHH` (UTC), the `{H}` of the hub protocol. */
export const HOUR_NAME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;

/** Hours since the epoch of a µs receive time (integer arithmetic, no Date on the hot path). */
export function hourIndexOfUs(us: number): number {
  return Math.floor(us / US_PER_HOUR);
}

/** `YYYY-MM-DDTHH` of an hour index. */
export function hourName(hourIndex: number): string {
  return new Date(hourIndex * MS_PER_HOUR).toISOString().slice(0, 13);
}

/** Hour index of `YYYY-MM-DDTHH`. */
export function hourIndexOfName(name: string): number {
  return Math.floor(Date.parse(`${name}:00:00Z`) / MS_PER_HOUR);
}

/** The custody format's `hour_start` (`YYYY-MM-DDTHH:00:00Z`) of a chunk hour name. */
export function hourStartOf(name: string): string {
  return `${name}:00:00Z`;
}
