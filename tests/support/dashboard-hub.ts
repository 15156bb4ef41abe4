/**
 * The dashboard's hub, without a test runner: a real zero-setup hub (PGlite,
 * or the PostgreSQL of `databaseUrl`) with the two hotels, a real agent
 * enrolled for each, the traffic simulator sending to them, and the users of
 * the world (a chain admin, a manager of the first hotel, an auditor, hotel
 * IT of the first hotel). The browser tests' world (dashboard-world.ts) and
 * bench/dashboard.ts both start it here.
 *
 * @example
 * const started = await startDashboardHub({ dir: tempDir("bench").path });
 * await page.goto(started.hub.httpUrl);
 * await started.stop();
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type RunningAgent, startAgent } from "../../agent/src/agent.ts";
import { enrollAgent } from "../../agent/src/enroll/enroll.ts";
import { type RunningHub, startHub } from "../../hub/src/index.ts";
import type { UserRole } from "../../hub/src/store/schema.ts";
import { sendTraffic } from "../../shared/src/simulate/index.ts";
import { waitFor } from "./pipeline.ts";

export const PASSWORD = "correct horse battery staple";
export const HOTELS = [
  { id: "antalya-lara", name: "Lara Beach Otel (Antalya)" },
  { id: "istanbul-sisli", name: "Şişli Business Otel (İstanbul)" },
] as const;

/** The world's accounts, all with {@link PASSWORD}. */
export const USERS: readonly { username: string; role: UserRole; hotels?: string[] }[] = [
  { username: "zincir", role: "chain_admin" },
  { username: "mudur-a", role: "hotel_manager", hotels: [HOTELS[0].id] },
  { username: "denetci", role: "auditor" },
  { username: "bilgi-a", role: "hotel_it", hotels: [HOTELS[0].id] },
];

/** The sign-in form's labels, per language. */
export const SIGN_IN = {
  en: { user: "User name", password: "Password", submit: "Sign in" },
  tr: { user: "Kullanıcı adı", password: "Parola", submit: "Oturum aç" },
} as const;

/** Fill in and send the sign-in form shown on `page` as `username` (with {@link PASSWORD}). */
export async function signIn(
  page: Page,
  language: keyof typeof SIGN_IN,
  username: string,
): Promise<void> {
  const labels = SIGN_IN[language];
  await page.getByLabel(labels.user).fill(username);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole("button", { name: labels.submit }).click();
}

export interface DashboardHub {
  hub: RunningHub;
  /** One per hotel of {@link HOTELS}, in that order. */
  agents: RunningAgent[];
  /** Stop the feed, the agents and the hub (the data dir is the caller's). */
  stop(): Promise<void>;
}

/**
 * Start the hub, enroll and start an agent per hotel, feed them simulated
 * traffic, add the users, and return once both agents have been seen.
 */
export async function startDashboardHub(options: {
  /** Where the hub's and the agents' data dirs go. */
  dir: string;
  /** PostgreSQL instead of the embedded PGlite. */
  databaseUrl?: string;
  /** The simulator's lines per second, all hotels together (default 20). */
  feedEps?: number;
}): Promise<DashboardHub> {
  const hub = await startHub({
    dataDir: join(options.dir, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    caKeyBits: 2048,
    quiet: true,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  });
  const agents: RunningAgent[] = [];
  const stopFeed = new AbortController();
  let feeding: Promise<unknown> | undefined;
  const stop = async () => {
    stopFeed.abort();
    await feeding?.catch(() => {});
    for (const agent of agents) await agent.stop().catch(() => {});
    await hub.stop();
  };
  try {
    for (const hotel of HOTELS) {
      await hub.admin.addHotel(hotel);
      const { token } = await hub.admin.createToken({
        hotel: hotel.id,
        ttl_ms: 600_000,
        actor: "test",
      });
      const agentDir = join(options.dir, hotel.id);
      await enrollAgent({ token, dataDir: agentDir, hub: hub.ingestUrl });
      agents.push(
        await startAgent({
          dataDir: agentDir,
          udp: { listen: ["127.0.0.1:0"] },
          tcp: { listen: [] },
          status: { listen: "127.0.0.1:0" },
          hub: { url: hub.ingestUrl },
        }),
      );
    }
    feeding = sendTraffic({
      host: "127.0.0.1",
      port: agents[0]?.udpPort ?? 0,
      portOfHotel: (hotel) => agents[hotel - 1]?.udpPort ?? 0,
      hotels: agents.length,
      eps: options.feedEps ?? 20,
      seed: 5651,
      durationMs: 300_000,
      signal: stopFeed.signal,
    });
    for (const user of USERS)
      await hub.admin.addUser({ ...user, password: PASSWORD, actor: "test" });
    // Both agents have delivered lines: the pages have something to show.
    await waitFor(
      "both agents to be seen by the hub",
      async () => (await hub.admin.listAgents()).every((agent) => agent.last_seen_at !== null),
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { hub, agents, stop };
}
