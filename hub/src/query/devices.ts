/**
 * Devices: each source of logs (an agent and the address its datagrams came
 * from), registered by the index worker at first sight with first and last
 * seen and a count; an admin names them ("lobby switch").
 */
import { z } from "zod";
import { type RawClient, rawQuery } from "../store/index.ts";
import { hotelIn, inReadScope, narrowScope, type ReadScope, ScopeError } from "./scope.ts";
import { bothTimes, utcText } from "./time.ts";

export const deviceSchema = z.object({
  hotel: z.string(),
  agent: z.string(),
  address: z.string(),
  name: z.string().nullable(),
  last_host: z.string().nullable(),
  first_seen: z.object({ utc: z.string(), istanbul: z.string() }),
  last_seen: z.object({ utc: z.string(), istanbul: z.string() }),
  events: z.number(),
});
export type Device = z.infer<typeof deviceSchema>;

export const deviceNameSchema = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(100).nullable(),
});

/**
 * @example
 * await devices.list(scope, { hotel: "grand" });
 * await devices.rename(scope, { agent, address: "10.5.0.1", name: "core router" });
 */
export class Devices {
  constructor(readonly raw: RawClient) {}

  async list(scope: ReadScope, filter: { hotel?: string } = {}): Promise<Device[]> {
    const hotels = narrowScope(scope, filter.hotel ? [filter.hotel] : undefined);
    const rows = await inReadScope(this.raw, scope, (tx) =>
      tx.query(
        `select hotel_id, agent_id, host(address) as address, name, last_host,
                ${utcText("first_seen_at")} as first_seen, ${utcText("last_seen_at")} as last_seen, event_count
           from devices where ${hotelIn("hotel_id", "$1")} order by hotel_id, agent_id, address`,
        [hotels],
      ),
    );
    return rows.map((row) => ({
      hotel: String(row.hotel_id),
      agent: String(row.agent_id),
      address: String(row.address),
      name: (row.name as string | null) ?? null,
      last_host: (row.last_host as string | null) ?? null,
      first_seen: bothTimes(String(row.first_seen)),
      last_seen: bothTimes(String(row.last_seen)),
      events: Number(row.event_count),
    }));
  }

  /** Name a device (null clears the name). The device must be in the caller's scope. */
  async rename(
    scope: ReadScope,
    change: { agent: string; address: string; name: string | null },
  ): Promise<Device> {
    const [device] = (await this.list(scope)).filter(
      (d) => d.agent === change.agent && d.address === change.address,
    );
    if (!device)
      throw new ScopeError(`no device ${change.address} of agent ${change.agent} in your scope`);
    // The read role may not write: the hub's own user does, for a device just found in scope.
    await rawQuery(
      this.raw,
      "update devices set name = $3 where agent_id = $1 and address = $2::inet",
      [change.agent, change.address, change.name],
    );
    return { ...device, name: change.name };
  }
}
