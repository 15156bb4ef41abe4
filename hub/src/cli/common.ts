/**
 * What every `logmaster-hub` command shares: its options, and the way to its
 * hub. While a hub runs on the data dir, commands go through its `--http` API
 * (the embedded database has one writer); otherwise they open the data dir
 * themselves.
 */
import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { readAdminCredential } from "../admin/credential.ts";
import { type HubAdmin, localAdmin, remoteAdmin } from "../admin/index.ts";
import { type HubConfig, hubConfigFlags, loadHubConfig } from "../config/index.ts";
import { requireHubDataDir } from "../data-dir/index.ts";
import { HubEvents } from "../events/index.ts";
import { HUB_STATE_FILE, type HubState, hubAdminContext, openHubStore } from "../hub.ts";
import { ensureChainId, type Store } from "../store/index.ts";
import { type HubReader, localReader, remoteReader } from "./reader.ts";

const commandFlags = {
  id: { type: "string" },
  hotel: { type: "string" },
  ttl: { type: "string" },
  hour: { type: "string" },
  day: { type: "string" },
  chunk: { type: "string" },
  agent: { type: "string" },
  out: { type: "string" },
  // disclose: the case reference and the lookup (ip|mac|nat) it asks.
  case: { type: "string" },
  lookup: { type: "string" },
  month: { type: "string" },
  format: { type: "string" },
  "retention-days": { type: "string" },
  "legal-hold": { type: "string" },
  "dry-run": { type: "boolean" },
  // Accounts: user add|list|disable|reset-password|reset-totp.
  username: { type: "string" },
  role: { type: "string" },
  "password-stdin": { type: "boolean" },
  // The read side: search, lookup, reindex, devices.
  from: { type: "string" },
  to: { type: "string" },
  at: { type: "string" },
  ip: { type: "string" },
  mac: { type: "string" },
  text: { type: "string" },
  port: { type: "string" },
  user: { type: "string" },
  host: { type: "string" },
  nat: { type: "string" },
  limit: { type: "string" },
  sort: { type: "string" },
  cursor: { type: "string" },
  json: { type: "boolean" },
  // The audit log's filters (with --hotel, --from, --to, --text, --limit).
  action: { type: "string" },
  actor: { type: "string" },
  before: { type: "string" },
} as const;
export type CommandFlag = keyof typeof commandFlags;

/** A search's filters on the command line (search, disclose): the API's search filters. */
export const SEARCH_FILTER_FLAGS = [
  "from",
  "to",
  "ip",
  "mac",
  "text",
  "port",
  "user",
  "host",
  "nat",
] as const satisfies readonly CommandFlag[];

/** Parse the shared hub options plus the command's own ones (`allowed`); others are an error. */
export function parse(args: string[], allowed: CommandFlag[] = []) {
  const { values, positionals, tokens } = parseArgs({
    args,
    options: { ...hubConfigFlags, ...commandFlags },
    allowPositionals: true,
    strict: true,
    tokens: true,
  });
  for (const flag of Object.keys(commandFlags) as CommandFlag[]) {
    if (values[flag] !== undefined && !allowed.includes(flag)) {
      throw new Error(`--${flag} does not apply to this command`);
    }
  }
  /** Every value of an option that may repeat (`--hotel a --hotel b`); `values` keeps the last. */
  const every = (flag: CommandFlag): string[] =>
    tokens.flatMap((token) =>
      token.kind === "option" && token.name === flag && token.value !== undefined
        ? [token.value]
        : [],
    );
  return { config: loadHubConfig(values), values, positionals, every };
}

const STARTING_HUB_WAIT_MS = 60_000;

/**
 * The running hub of a data dir, if its hub.json names a live process; waits
 * while that hub is still starting (it holds the embedded database already).
 */
export async function runningHub(config: HubConfig): Promise<HubState | undefined> {
  const path = join(config.dataDir, HUB_STATE_FILE);
  const deadline = Date.now() + STARTING_HUB_WAIT_MS;
  for (;;) {
    if (!existsSync(path)) return undefined;
    const state = JSON.parse(readFileSync(path, "utf8")) as HubState;
    try {
      process.kill(state.pid, 0);
    } catch {
      return undefined; // a stale file from a hub that died
    }
    if (state.http_url) return state;
    if (Date.now() > deadline)
      throw new Error(`the hub (pid ${state.pid}) on ${config.dataDir} is still starting`);
    await Bun.sleep(200);
  }
}

/** The two doors to a hub: its API while it runs, its database when it does not. */
interface HubDoors<Door> {
  remote(httpUrl: string, credential: string, httpCertSha256?: string): Door;
  /** What it opened besides the store, it closes in `close`. */
  local(store: Store, config: HubConfig): Promise<Door & { close?(): Promise<void> }>;
}

async function withHub<Door, T>(
  config: HubConfig,
  doors: HubDoors<Door>,
  work: (door: Door) => Promise<T>,
): Promise<T> {
  requireHubDataDir(config.dataDir); // before anything below opens (and would create) it
  const running = await runningHub(config);
  if (running?.http_url) {
    const credential = readAdminCredential(config.dataDir);
    if (!credential)
      throw new Error(`a hub runs on ${config.dataDir} but its admin credential is missing`);
    return work(doors.remote(running.http_url, credential, running.http_cert_sha256));
  }
  const store = await openHubStore(config);
  try {
    const door = await doors.local(store, config);
    try {
      return await work(door);
    } finally {
      await door.close?.();
    }
  } finally {
    await store.close();
  }
}

const adminDoors: HubDoors<HubAdmin> = {
  remote: remoteAdmin,
  async local(store, config) {
    const chainId = await ensureChainId(store.db, config.chainId);
    const { context } = await hubAdminContext(config, {
      db: store.db,
      events: new HubEvents(() => {}),
      chainId,
      publicUrl: config.publicUrl,
    });
    return localAdmin(context);
  },
};

/** Run `work` with the admin operations of the data dir's hub. */
export function withAdmin<T>(config: HubConfig, work: (admin: HubAdmin) => Promise<T>): Promise<T> {
  return withHub(config, adminDoors, work);
}

/** Run `work` with the read side (search, lookups, devices, reindex) of the data dir's hub. */
export function withReader<T>(
  config: HubConfig,
  work: (reader: HubReader) => Promise<T>,
): Promise<T> {
  return withHub(config, { remote: remoteReader, local: localReader }, work);
}

/** Rows as aligned columns under upper-case headers; `(none)` for no rows. */
export function printTable(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    console.log("(none)");
    return;
  }
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: unknown) => (value === null || value === undefined ? "-" : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c]))));
}

/** The CLI user, for the audit log (`cli:<login>`). */
export function cliActor(): string {
  let name = process.env.USER ?? "";
  try {
    name = userInfo().username || name;
  } catch {
    // No passwd entry (containers): keep $USER.
  }
  return `cli:${name || "unknown"}`;
}

/**
 * A secret piped to the CLI (`--password-stdin`): all of stdin, without the
 * line end `echo` or a file adds, so it never shows in `ps` or shell history.
 */
export async function readSecretFromStdin(flag: string): Promise<string> {
  const secret = (await Bun.stdin.text()).replace(/\r?\n$/, "");
  if (!secret) throw new Error(`--${flag} read nothing from stdin`);
  return secret;
}

export const requiredText = (flag: string) => z.string({ message: `--${flag} is required` }).min(1);
