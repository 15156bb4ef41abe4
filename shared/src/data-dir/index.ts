/**
 * The data dir of a hub or an agent: its owner's alone, and never made by
 * accident. Keys, the admin credential, the embedded database and the
 * evidence (records carry subscribers' traffic, Law 5651) live there.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** No group or world bits on anything the process creates. */
const PRIVATE_UMASK = 0o077;
const GROUP_OR_WORLD = 0o077;

/**
 * Make every file and directory the process creates from now on private
 * (umask 077): it masks the modes the code asks for (the hub archive's 0640,
 * `writeFileAtomic`'s 0644) and covers what is written without one. PGlite
 * chmods its own files past it (see `removeGroupAndWorldAccess`).
 * Process-wide and kept: background work (sealing, time-stamping, renewal)
 * creates files long after start.
 *
 * @example
 * usePrivateUmask(); // first thing in a CLI entry point, and in startHub / startAgent
 */
export function usePrivateUmask(): void {
  process.umask(PRIVATE_UMASK);
}

/** `0755`: a mode as `ls` and `chmod` write it. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}

/** What `preparePrivateDataDir` changed on a data dir it found open. */
export interface DataDirTightening {
  dir: string;
  /** The mode it had, e.g. `0755`; it is `0700` now. */
  oldMode: string;
}

/**
 * Create a data dir (mode 0700, parents too) or, when it exists with group
 * or world access, chmod it to 0700 and report that through `onTightened`
 * (the process's event bus: the operator should learn that it was open).
 * Throws a sentence naming the dir, its mode and the fix when it is not a
 * directory or this process may not change its mode (not its owner).
 *
 * Only the dir itself is changed: with it at 0700 nobody else reaches what
 * is inside, whatever their modes.
 *
 * @example
 * preparePrivateDataDir("/var/lib/logmaster-hub", ({ dir, oldMode }) =>
 *   events.emit({ name: "DataDirTightened", dir, oldMode }),
 * );
 */
export function preparePrivateDataDir(
  dir: string,
  onTightened: (tightening: DataDirTightening) => void,
): void {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return;
  }
  if (!stat.isDirectory()) throw new Error(`data dir ${dir} is not a directory`);
  if ((stat.mode & GROUP_OR_WORLD) === 0) return;
  const oldMode = octalMode(stat.mode);
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "EACCES") throw error;
    throw new Error(
      `data dir ${dir} is open to group or others (mode ${oldMode}) and this process (uid ${process.getuid?.()}) may not change that (${code}; the dir belongs to uid ${stat.uid}): run 'chmod 700 ${dir}' as its owner, or run as its owner`,
    );
  }
  onTightened({ dir, oldMode });
}

/**
 * Take the group and world bits off everything under `dir` (symlinks are left
 * alone); returns how many entries changed. For files whose mode a library
 * sets itself, past the umask: PGlite restores its initial database as 0666
 * files and chmods what its own C library opens to 0644.
 *
 * @example
 * removeGroupAndWorldAccess(join(dataDir, "pglite"));
 */
export function removeGroupAndWorldAccess(dir: string): number {
  let changed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    const { mode } = lstatSync(path);
    if ((mode & GROUP_OR_WORLD) !== 0) {
      chmodSync(path, mode & 0o7700);
      changed++;
    }
    if (entry.isDirectory()) changed += removeGroupAndWorldAccess(path);
  }
  return changed;
}

/**
 * Whether a data dir holds any of `evidence` (paths inside it): how the CLIs
 * tell a hub's or an agent's dir from a typo, creating nothing. A dir this
 * user may not read is an error that says so, not "holds nothing".
 *
 * @example
 * holdsAnyOf(dir, [join(dir, "identity"), join(dir, "state")]) // true for an agent's dir
 */
export function holdsAnyOf(dir: string, evidence: string[]): boolean {
  return evidence.some((path) => {
    try {
      return statSync(path, { throwIfNoEntry: false }) !== undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") return false; // the data dir (or a parent) is a file
      if (code === "EACCES")
        throw new Error(
          `cannot read data dir ${dir}: permission denied (uid ${process.getuid?.()}): run the command as the user the service runs as (e.g. sudo -u logmaster ...)`,
        );
      throw error;
    }
  });
}

/**
 * A command that needs an existing hub or agent was pointed at a dir that
 * holds none. The CLIs exit 2 with it (the call was wrong) and create nothing.
 */
export class NoDataDirError extends Error {
  override readonly name = "NoDataDirError";

  /** `what`: "hub" or "agent"; `createWith`: the commands that make one, for the hint. */
  constructor(what: string, dir: string, createWith: string[]) {
    super(
      `no ${what} in ${dir}: it holds no ${what} data (run ${createWith.map((command) => `'${command}'`).join(" or ")} to create one, or check --data-dir)`,
    );
  }
}
