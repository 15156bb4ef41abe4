#!/usr/bin/env bun
/**
 * `logmaster-hub`: run the hub, administer it and read what it holds. While
 * a hub runs on a data dir, commands go through its API (the embedded
 * database has one writer); otherwise they open the data dir themselves
 * (hub/src/cli/common.ts). The read side's commands are in ./search.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type CliCommand, runCli } from "../../../shared/src/cli/dispatch.ts";
import { usePrivateUmask } from "../../../shared/src/data-dir/index.ts";
import { auditCsv } from "../admin/audit.ts";
import { passwordResetSchema, type UserView, userRequestSchema } from "../admin/index.ts";
import { allocatorStatus } from "../config/allocator.ts";
import { prepareHubDataDir } from "../data-dir/index.ts";
import { HubEvents } from "../events/index.ts";
import { HUB_STATE_FILE, openHubStore, startHub } from "../hub.ts";
import { enrollCommandLine } from "../identity/tokens.ts";
import { auditListSchema } from "../query/audit.ts";
import {
  cliActor,
  parse,
  printTable,
  readSecretFromStdin,
  requiredText,
  runningHub,
  withAdmin,
} from "./common.ts";
import { discloseCommand } from "./disclose.ts";
import { readCommands } from "./search.ts";

const usage = `Usage: logmaster-hub <command> [options]

Commands:
  serve                      run the hub (ingest + API listeners)
  migrate                    apply database migrations and exit
  hotel add NAME [--id SLUG] register a hotel
  hotel list                 list hotels (with retention and legal hold)
  hotel set H [--retention-days N] [--legal-hold on|off]
                             a hotel's retention (default 730 days) and legal hold
  token create --hotel NAME|ID [--ttl 24h]
                             print a one-time enrollment token for an agent
                             and the command line to run on its site box
  user add --username U --role R [--hotel H]... [--password-stdin]
                             add a dashboard/API account (prints a generated password once)
  user list [--json]         accounts with their roles and hotels
  user disable U             refuse U's logins and end its sessions now
  user reset-password U [--password-stdin]
  user reset-totp U          clear U's lost second factor (TOTP) and end its sessions
                             a new password for U (generated unless given); ends its sessions
  agent list                 list enrolled agents
  chunk list                 the newest chunks of every hotel and their verdicts
  agent revoke ID            refuse an agent from now on
  export --hotel H (--hour 2026-11-22T08 | --day 2026-11-22) --out DIR
  export --chunk ID [--agent A] [--hotel H] --out DIR
                             evidence bundles for auditors (DIR/<agent>/<chunk>/VERIFY.md)
  disclose --hotel H --case REF --out DIR (--lookup ip ADDR --at T | --lookup mac MAC --from T --to T
           | --lookup nat ADDR:PORT --at T | --from T --to T [search filters])
                             a disclosure pack: only the lines a case asks for, each with its
                             Merkle proof, VERIFY.md, verify_disclosure.py and a Turkish summary.pdf
  rollup --hotel H --day 2026-11-22
                             sign and time-stamp a hotel's ended UTC day
  report --hotel H --month 2026-11 [--format csv|pdf] --out FILE
                             the monthly compliance report
  purge [--dry-run]          remove sealed chunks past each hotel's retention
  audit list [--limit N] [--action A,B] [--actor U | --actor 'user:*'] [--hotel H]
             [--from T] [--to T] [--text Q] [--before ID] [--json | --format csv]
                             who did what: searches, lookups, exports, logins, user changes,
                             newest first; --before the smallest id shown pages back
  audit verify               check the audit log's hash chain: names the first edited or
                             removed row (exit 1)
  search --from T --to T [--hotel H] [--ip X] [--mac M] [--text Q] [--port P] [--user U]
         [--nat IP[:PORT]] [--sort desc|asc] [--limit N] [--cursor C] [--json]
                             find log lines (T: ISO 8601 with a zone, 2026-03-12T14:32:00+03:00)
  lookup ip ADDR --at T --hotel H [--json]
                             Law 5651: who had an address at T (lease, MAC, hotspot user)
  lookup mac MAC --from T --to T --hotel H [--json]
                             every address and hotspot session of a device in a range
  lookup nat ADDR:PORT --at T --hotel H [--json]
                             the guest connection behind a public address and port at T
  reindex --hotel H [--from T] [--to T]
                             rebuild a hotel's search index from its archived records
  devices [--hotel H] [--json]
                             log sources (agent, address) with names and counts
  devices name AGENT ADDRESS NAME
                             name a log source ("core router")
  <command> --help           a command's own options

Options (every command):
  --data-dir DIR     hub state: database (embedded), CA, archive. Default ./data/hub
                     (made, mode 0700, by serve and migrate only; other commands need a hub there)
  --ingest HOST:PORT agents' mTLS HTTP/2 listener. Default 127.0.0.1:8443
  --http HOST:PORT   API, metrics and admin listener. Default 127.0.0.1:8080
                     (:PORT = every interface; beyond loopback it needs TLS or --http-insecure)
  --http-cert FILE   PEM certificate of the http listener: serve HTTPS (env HUB_HTTP_CERT)
  --http-key FILE    its private key (env HUB_HTTP_KEY)
  --http-insecure    plain HTTP beyond loopback anyway, warned (env HUB_HTTP_INSECURE=1)
  --public-url URL   https URL agents reach the ingest listener at (env HUB_PUBLIC_URL)
  --hostname NAME    extra name for the ingest certificate (repeatable; env HUB_HOSTNAMES)
  --chain-id SLUG    chain id, fixed at first start. Default "default"
  --ca-dir DIR       chain CA directory. Default DATA_DIR/ca
Environment: DATABASE_URL (PostgreSQL; absent = embedded PGlite in DATA_DIR/pglite),
  TSA_URL TSA_AUTH TSA_USERNAME TSA_PASSWORD TSA_CA_FILE TSA_POLICY TSA_TIMEOUT_MS
  (RFC 3161 TSA; absent TSA_URL = the built-in development TSA, no legal value),
  HUB_AGENT_CERT_DAYS (agent certificate validity in days, default 397; fractions
  allow short-lived certificates; agents renew when a third is left),
  HUB_AGENT_CERT_OVERLAP_SECONDS (a renewed agent's old certificate works this long, default 600),
  HUB_MAX_AGENT_REQUESTS_IN_FLIGHT (per agent and hub process, default 8),
  HUB_CA_KEY_BITS (2048|3072|4096 for a new chain CA, default 3072).`;

const ttlSchema = z
  .string()
  .regex(/^\d+[smhd]$/, "--ttl must look like 30m, 24h or 7d")
  .transform((text) => {
    const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[text.at(-1) as "s"];
    return Number(text.slice(0, -1)) * unitMs;
  });

async function serve(args: string[]): Promise<number> {
  const { config } = parse(args);
  if (await runningHub(config))
    throw new Error(`a hub already runs on ${config.dataDir} (see ${HUB_STATE_FILE})`);
  const hub = await startHub(config);
  console.log(`logmaster-hub: chain "${hub.chainId}", data in ${config.dataDir}`);
  console.log(
    `  database  ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${join(config.dataDir, "pglite")}`}`,
  );
  console.log(`  ingest    ${hub.ingestUrl}  (agents: mTLS HTTP/2; tokens name ${hub.publicUrl})`);
  console.log(`  http      ${hub.httpUrl}  (/healthz, /metrics, /api/chunks)`);
  console.log(`  chain CA  ${config.caDir}/ca.pem  sha256 ${hub.caSha256}`);
  console.log(`  memory    ${allocatorStatus()}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("logmaster-hub: stopping");
  await hub.stop();
  return 0;
}

async function migrate(args: string[]): Promise<number> {
  const { config } = parse(args);
  if (await runningHub(config))
    throw new Error("a hub runs on this data dir; it migrated at start");
  prepareHubDataDir(config.dataDir, new HubEvents());
  const store = await openHubStore(config);
  await store.close();
  console.log(`migrations applied (${config.databaseUrl ? "PostgreSQL" : "PGlite"})`);
  return 0;
}

async function hotel(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { config, values, positionals } = parse(
    rest,
    action === "set" ? ["retention-days", "legal-hold"] : ["id"],
  );
  if (action === "add") {
    const name = positionals.join(" ").trim();
    if (!name) throw new Error("hotel add needs a NAME");
    const id = values.id;
    const added = await withAdmin(config, (admin) =>
      admin.addHotel({ name, ...(id ? { id } : {}) }),
    );
    console.log(`hotel "${added.name}" added with id ${added.id}`);
    return 0;
  }
  if (action === "list") {
    printTable(
      (await withAdmin(config, (admin) => admin.listHotels())) as unknown as Record<
        string,
        unknown
      >[],
    );
    return 0;
  }
  if (action === "set") {
    const hotelName = positionals.join(" ").trim();
    if (!hotelName) throw new Error("hotel set needs a hotel id or name");
    const hold = values["legal-hold"];
    if (hold !== undefined && hold !== "on" && hold !== "off")
      throw new Error("--legal-hold must be on or off");
    const retention = values["retention-days"];
    const updated = await withAdmin(config, (admin) =>
      admin.setHotel({
        hotel: hotelName,
        ...(retention === undefined ? {} : { retention_days: retention }),
        ...(hold === undefined ? {} : { legal_hold: hold === "on" }),
        actor: cliActor(),
      }),
    );
    console.log(
      `hotel ${updated.id}: retention ${updated.retention_days} days, legal hold ${updated.legal_hold ? "on" : "off"}`,
    );
    return 0;
  }
  throw new Error("hotel needs 'add NAME', 'list' or 'set H'");
}

async function token(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "create") throw new Error("token needs 'create --hotel NAME|ID'");
  const { config, values } = parse(rest, ["hotel", "ttl"]);
  const hotelName = z.string({ message: "--hotel is required" }).min(1).parse(values.hotel);
  const ttlMs = ttlSchema.parse(values.ttl ?? "24h");
  const created = await withAdmin(config, (admin) =>
    admin.createToken({ hotel: hotelName, ttl_ms: ttlMs, actor: cliActor() }),
  );
  console.error(
    `enrollment token for hotel ${created.hotel_id}, valid until ${created.expires_at}, single use:`,
  );
  // stdout is the token alone (scripts capture it); the line to paste goes beside it for people.
  console.log(created.token);
  console.error(
    `on the hotel's site box (docs/install-agent.md), run:\n  ${enrollCommandLine(created.token)}`,
  );
  return 0;
}

const userUsage = `Usage: logmaster-hub user add --username U --role R [--hotel H]... [--password-stdin]
       logmaster-hub user list [--json]
       logmaster-hub user disable U
       logmaster-hub user reset-password U [--password-stdin]
       logmaster-hub user reset-totp U

Accounts of the dashboard and the API (docs/install-hub.md, "Users and roles").
  --username U       2 to 64 characters of a-z, 0-9, '.', '_' and '-'
  --role R           chain_admin    everything, every hotel (takes no --hotel)
                     hotel_manager  its hotels: search, lookups, live tail, custody,
                                    reports, devices (needs --hotel)
                     auditor        reads, verifies and exports, changes nothing; every
                                    hotel without --hotel, else its hotels
                     hotel_it       its hotels' agents, enrollment tokens and devices,
                                    never guests' events (needs --hotel)
  --hotel H          a hotel id or name; repeat it for more hotels
  --password-stdin   read the password (12 characters or more) from stdin; without it
                     the hub generates one and it is printed once, on stdout
  --json             user list: the accounts as JSON
'disable' refuses the account's logins and ends its sessions at once; 'reset-password'
sets a new password and ends every session of the account; 'reset-totp' clears the
account's second factor (a lost authenticator: it logs in with its password alone until
it sets up a new one) and ends every session of the account.`;

/** The option each field of a user request comes from, for error messages. */
const USER_OPTIONS: Record<string, string> = {
  username: "--username",
  role: "--role",
  hotels: "--hotel",
  password: "--password-stdin",
};

/**
 * Check a user request with the API's schema before anything opens; a
 * failure is an error naming the option (`--role must be one of …`).
 */
function checkUserRequest<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: Record<string, string> = USER_OPTIONS,
): z.output<S> {
  const checked = schema.safeParse(input);
  if (checked.success) return checked.data;
  throw new Error(
    checked.error.issues
      .map((issue) => {
        const field = String(issue.path[0] ?? "");
        // The schemas' short sentences ("must be …") take the option's name; whole ones stand alone.
        return /^(must|is) /.test(issue.message)
          ? `${options[field] ?? field} ${issue.message}`
          : issue.message;
      })
      .join("; "),
  );
}

/** "hotel_manager of grand, otel-iki" or "auditor of every hotel". */
const roleAndHotels = (user: UserView) =>
  `${user.role} of ${user.hotels.length > 0 ? user.hotels.join(", ") : "every hotel"}`;

/** A generated password: the sentence on stderr, the password alone on stdout (for a pipe). */
function printGeneratedPassword(username: string, password: string): void {
  console.error(
    `the password of "${username}" is shown only now (the hub keeps only a hash of it): hand it over safely and have it changed after the first login`,
  );
  console.log(password);
}

async function user(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === "add") {
    const { config, values, positionals, every } = parse(rest, [
      "username",
      "role",
      "hotel",
      "password-stdin",
    ]);
    if (positionals.length > 0)
      throw new Error(`user add takes --username U, not the argument '${positionals[0]}'`);
    const password = values["password-stdin"]
      ? await readSecretFromStdin("password-stdin")
      : undefined;
    const request = checkUserRequest(userRequestSchema, {
      username: values.username,
      role: values.role,
      hotels: every("hotel"),
      ...(password === undefined ? {} : { password }),
    });
    const added = await withAdmin(config, (admin) =>
      admin.addUser({ ...request, actor: cliActor() }),
    );
    const summary = `user "${added.user.username}" added: ${roleAndHotels(added.user)}`;
    if (added.generated_password === null) {
      console.log(summary);
    } else {
      console.error(summary);
      printGeneratedPassword(added.user.username, added.generated_password);
    }
    return 0;
  }
  if (action === "list") {
    const { config, values, positionals } = parse(rest, ["json"]);
    if (positionals.length > 0) throw new Error("user list takes no arguments");
    const users = await withAdmin(config, (admin) => admin.listUsers());
    if (values.json) {
      console.log(JSON.stringify(users, null, 2));
      return 0;
    }
    printTable(
      users.map((u) => ({
        username: u.username,
        role: u.role,
        hotels: u.hotels.length > 0 ? u.hotels.join(",") : "(every hotel)",
        created: u.created_at,
        password_changed: u.password_changed_at,
        disabled: u.disabled_at,
        totp_enabled: u.totp_enabled_at,
      })),
    );
    return 0;
  }
  if (action === "disable") {
    const { config, positionals } = parse(rest);
    const [username, extra] = positionals;
    if (!username || extra !== undefined) throw new Error("user disable needs one user name U");
    const disabled = await withAdmin(config, (admin) =>
      admin.disableUser({ username, actor: cliActor() }),
    );
    console.log(
      `user "${disabled.username}" disabled at ${disabled.disabled_at}: its logins are refused and its sessions have ended`,
    );
    return 0;
  }
  if (action === "reset-password") {
    const { config, values, positionals } = parse(rest, ["password-stdin"]);
    const [username, extra] = positionals;
    if (!username || extra !== undefined)
      throw new Error("user reset-password needs one user name U");
    const password = values["password-stdin"]
      ? await readSecretFromStdin("password-stdin")
      : undefined;
    const request = checkUserRequest(
      passwordResetSchema,
      { username, ...(password === undefined ? {} : { password }) },
      { ...USER_OPTIONS, username: "the user name U" },
    );
    const reset = await withAdmin(config, (admin) =>
      admin.resetPassword({ ...request, actor: cliActor() }),
    );
    const summary = `password of "${reset.user.username}" changed: its sessions have ended${reset.user.disabled_at ? " (the account stays disabled)" : ""}`;
    if (reset.generated_password === null) {
      console.log(summary);
    } else {
      console.error(summary);
      printGeneratedPassword(reset.user.username, reset.generated_password);
    }
    return 0;
  }
  if (action === "reset-totp") {
    const { config, positionals } = parse(rest);
    const [username, extra] = positionals;
    if (!username || extra !== undefined) throw new Error("user reset-totp needs one user name U");
    const reset = await withAdmin(config, (admin) =>
      admin.resetTotp({ username, actor: cliActor() }),
    );
    console.log(
      `second factor of "${reset.username}" cleared: it logs in with its password alone until it sets up a new one; its sessions have ended`,
    );
    return 0;
  }
  throw new Error(
    "user needs 'add --username U --role R', 'list', 'disable U', 'reset-password U' or 'reset-totp U'",
  );
}

const userCommand: CliCommand = { run: user, usage: userUsage };

async function agent(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { config, positionals } = parse(rest);
  if (action === "list") {
    const agents = await withAdmin(config, (admin) => admin.listAgents());
    printTable(
      agents.map((a) => ({
        id: a.id,
        hotel: a.hotel_id,
        hostname: a.hostname,
        cert_expires: a.not_after,
        last_seen: a.last_seen_at,
        revoked: a.revoked_at,
      })),
    );
    return 0;
  }
  if (action === "revoke") {
    const id = positionals[0];
    if (!id) throw new Error("agent revoke needs an agent ID");
    const revoked = await withAdmin(config, (admin) =>
      admin.revokeAgent({ agent: id, actor: cliActor() }),
    );
    console.log(`agent ${revoked.id} revoked at ${revoked.revoked_at}`);
    return 0;
  }
  throw new Error("agent needs 'list' or 'revoke ID'");
}

async function audit(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { config, values } = parse(
    rest,
    action === "list"
      ? ["limit", "json", "format", "hotel", "from", "to", "text", "action", "actor", "before"]
      : [],
  );
  if (action === "list") {
    const request = auditListSchema.parse({
      limit: values.limit,
      action: values.action,
      actor: values.actor,
      hotel: values.hotel,
      from: values.from,
      to: values.to,
      q: values.text,
      before: values.before,
    });
    const rows = await withAdmin(config, (admin) => admin.auditLog(request));
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else if (values.format === "csv") process.stdout.write(auditCsv(rows));
    else {
      printTable(
        rows.map((row) => ({
          id: row.id,
          at: row.at,
          actor: row.actor,
          action: row.action,
          hotel: row.hotel_id,
          detail: JSON.stringify(row.detail).slice(0, 80),
        })),
      );
    }
    return 0;
  }
  if (action === "verify") {
    const verdict = await withAdmin(config, (admin) => admin.verifyAudit());
    if (verdict.broken) {
      console.log(
        `FAIL: the audit log's hash chain breaks at row ${verdict.broken.id}: ${verdict.broken.reason} (${verdict.rows} rows read)`,
      );
      return 1;
    }
    console.log(
      `PASS: ${verdict.rows} audit rows, the hash chain holds${verdict.unchained > 0 ? ` (${verdict.unchained} rows from before the chain, unchecked)` : ""}`,
    );
    return 0;
  }
  throw new Error("audit needs 'list [filters] [--json | --format csv]' or 'verify'");
}

async function chunk(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "list") throw new Error("chunk needs 'list'");
  const { config } = parse(rest);
  const chunks = await withAdmin(config, (admin) => admin.listChunks({ limit: 100 }));
  printTable(
    chunks.map((c) => ({
      hotel: c.hotel_id,
      agent: c.agent_id,
      chunk: c.chunk,
      records: c.record_count,
      bytes: c.length,
      status: c.reason ? `${c.status}: ${c.reason}` : c.status,
      timestamp: c.timestamp,
      sealed: c.sealed_at,
    })),
  );
  return 0;
}

async function exportCommand(args: string[]): Promise<number> {
  const { config, values } = parse(args, ["hotel", "hour", "day", "chunk", "agent", "out"]);
  const out = requiredText("out").parse(values.out);
  const summary = await withAdmin(config, (admin) =>
    admin.exportBundle(
      {
        ...(values.hotel ? { hotel: values.hotel } : {}),
        ...(values.hour ? { hour: values.hour } : {}),
        ...(values.day ? { day: values.day } : {}),
        ...(values.chunk ? { chunk: values.chunk } : {}),
        ...(values.agent ? { agent: values.agent } : {}),
        actor: cliActor(),
      },
      out,
    ),
  );
  printTable(summary.chunks.map((c) => ({ dir: c.dir, status: c.status, timestamp: c.timestamp })));
  if (summary.rollup_files.length > 0)
    console.log(`day roll-up: ${summary.rollup_files.join(", ")}`);
  const unstamped = summary.chunks.filter((c) => c.timestamp !== "timestamped").length;
  console.error(
    `exported ${summary.chunks.length} chunk(s) of hotel ${summary.hotel_id} to ${out} (audit #${summary.audit_id})${unstamped ? `; ${unstamped} without a time-stamp yet` : ""}; see each VERIFY.md`,
  );
  return 0;
}

async function rollup(args: string[]): Promise<number> {
  const { config, values } = parse(args, ["hotel", "day"]);
  const view = await withAdmin(config, (admin) =>
    admin.rollup({
      hotel: requiredText("hotel").parse(values.hotel),
      day: requiredText("day").parse(values.day),
      actor: cliActor(),
    }),
  );
  console.log(
    `day ${view.day} of hotel ${view.hotel_id}: ${view.agents} agent(s), ${view.chunks} chunk(s), ${view.missing} missing, ${view.failed} failed; ${view.timestamped ? "time-stamped" : "NOT time-stamped yet (retried by the hub)"}`,
  );
  console.log(`  ${view.archive_path}`);
  return 0;
}

async function report(args: string[]): Promise<number> {
  const { config, values } = parse(args, ["hotel", "month", "format", "out"]);
  const out = requiredText("out").parse(values.out);
  const rendered = await withAdmin(config, (admin) =>
    admin.complianceReport({
      hotel: requiredText("hotel").parse(values.hotel),
      month: requiredText("month").parse(values.month),
      format: (values.format ?? "csv") as "csv",
      actor: cliActor(),
    }),
  );
  writeFileSync(out, rendered.body);
  console.error(
    `report written to ${out} (${rendered.contentType}, ${rendered.body.byteLength} bytes)`,
  );
  return 0;
}

async function purge(args: string[]): Promise<number> {
  const { config, values } = parse(args, ["dry-run"]);
  const dryRun = values["dry-run"] === true;
  const summary = await withAdmin(config, (admin) =>
    admin.purge({ dry_run: dryRun, actor: cliActor() }),
  );
  printTable(
    summary.hotels.map((h) => ({
      hotel: h.hotel_id,
      retention_days: h.retention_days,
      legal_hold: h.legal_hold ? "on" : "off",
      [dryRun ? "would_purge" : "purged"]: h.chunks.length,
    })),
  );
  return 0;
}

// Keys, the admin credential, the database and exports: this user's alone.
usePrivateUmask();
process.exitCode = await runCli(
  {
    name: "logmaster-hub",
    usage,
    commands: {
      serve,
      migrate,
      hotel,
      token,
      user: userCommand,
      agent,
      chunk,
      export: exportCommand,
      disclose: discloseCommand,
      rollup,
      report,
      purge,
      audit,
      ...readCommands,
    },
  },
  process.argv.slice(2),
);
