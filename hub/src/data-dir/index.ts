/**
 * The hub's data dir: made only by `serve` (startHub) and `migrate`, private
 * to the hub's user, and marked so that every other command can tell a hub's
 * dir from a typo before it opens (and would create) anything.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  holdsAnyOf,
  NoDataDirError,
  preparePrivateDataDir,
} from "../../../shared/src/data-dir/index.ts";
import { ADMIN_CREDENTIAL_FILE } from "../admin/credential.ts";
import type { HubEvents } from "../events/index.ts";

/**
 * Written when a hub data dir is made (or first used by this version). A hub
 * on PostgreSQL may keep its CA elsewhere (`--ca-dir`) and have no other file
 * here before its first `serve`, so a marker is the one sure sign.
 */
export const HUB_DATA_MARKER_FILE = "logmaster-hub";

/**
 * What a hub data dir holds: the marker, or (dirs made before it existed) the
 * admin credential every `serve` writes, the embedded database, or the chain
 * CA in its default place.
 */
const HUB_EVIDENCE = [HUB_DATA_MARKER_FILE, ADMIN_CREDENTIAL_FILE, "pglite", join("ca", "ca.pem")];

/**
 * Make the data dir of a hub that starts (or migrates): 0700, tightened with a
 * `DataDirTightened` event when found open, and marked.
 *
 * @example
 * prepareHubDataDir(config.dataDir, events);
 */
export function prepareHubDataDir(dataDir: string, events: HubEvents): void {
  preparePrivateDataDir(dataDir, ({ dir, oldMode }) =>
    events.emit({ name: "DataDirTightened", dir, oldMode }),
  );
  const marker = join(dataDir, HUB_DATA_MARKER_FILE);
  if (!existsSync(marker)) {
    writeFileSync(
      marker,
      `LogMaster hub data dir, made ${new Date().toISOString()}; see docs/install-hub.md\n`,
      { mode: 0o600 },
    );
  }
}

/**
 * Throw unless `dataDir` holds a hub; creates nothing. For every command but
 * `serve` and `migrate`, before anything opens the data dir.
 *
 * @example
 * requireHubDataDir("/tmp/typo"); // NoDataDirError: no hub in /tmp/typo: ...
 */
export function requireHubDataDir(dataDir: string): void {
  const evidence = HUB_EVIDENCE.map((path) => join(dataDir, path));
  if (!holdsAnyOf(dataDir, evidence))
    throw new NoDataDirError("hub", dataDir, [`logmaster-hub serve --data-dir ${dataDir}`]);
}
