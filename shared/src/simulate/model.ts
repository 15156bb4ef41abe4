/**
 * The traffic model: what a hotel's MikroTik router logs in a day, as a
 * deterministic function of a seed. Per hotel, a population of guest devices
 * that associate to the Wi-Fi, get a DHCP lease, log in to the hotspot, open
 * connections that the router source-NATs to the hotel's public address, then
 * log out, lose their lease and leave; staff log in to the router now and then.
 *
 * The model keeps the state a 5651 lookup relies on, so the lines agree with
 * each other: a firewall line's source is an address leased to that device at
 * that moment (with its MAC as `src-mac`), a hotspot login carries the device's
 * current address, and a public port is never given to two connections that
 * are alive at the same time.
 *
 * Time is slotted: line `i` is due at `startMs + i * 1000 / eps`, and each slot
 * goes to one hotel, whose next step (a queued step of an arrival or a
 * departure, else a new connection, an arrival, a departure or a staff login)
 * fills it. So the rate is exact and the story only depends on the seed.
 */
import { z } from "zod";
import { seededRandom } from "../testing/seeded-random.ts";

/** The family of a line, as `event.dataset` names it without `routeros.`. */
export type TrafficKind = "dhcp" | "hotspot" | "firewall" | "account" | "wireless";

export const TRAFFIC_KINDS: readonly TrafficKind[] = [
  "dhcp",
  "hotspot",
  "firewall",
  "account",
  "wireless",
];

/** One syslog line of the simulation, with what the parser must read from it. */
export interface SimulatedLine {
  /** When the router logged it (and when the sender sends it), ms since the epoch. */
  timeMs: number;
  /** The hotel, 1-based; its router's identity is `hotelHostname(hotel)`. */
  hotel: number;
  kind: TrafficKind;
  /** The line as the router sends it with remote logging in BSD form, without a newline. */
  line: string;
  /** The fields `parseSyslog` must give (docs/fields.md names), for the tests. */
  expect: Record<string, string | number | string[]>;
  /** The guest device the line is about, when there is one (a hotspot user name may not show it). */
  device?: { mac: string; ip: string };
  /** For a firewall line: until when the NAT mapping (`source.nat.ip:port`) stays in use, ms. */
  natUntilMs?: number;
}

export const simulateOptionsSchema = z
  .object({
    seed: z.number().int("seed must be an integer").default(5651),
    hotels: z
      .number()
      .int()
      .min(1, "hotels must be between 1 and 254 (each gets 10.<hotel>.0.0/16)")
      .max(254, "hotels must be between 1 and 254 (each gets 10.<hotel>.0.0/16)"),
    eps: z.number().positive("eps must be above 0"),
    /** The first line's time, ms since the epoch. */
    startMs: z.number(),
    /** Lines due at or after this time are not made. */
    endMs: z.number().optional(),
    /** Stop after this many lines. */
    count: z.number().int().nonnegative("count must be 0 or more").optional(),
    /**
     * The routers' clock offset from UTC, minutes: RFC 3164 times carry no zone, and the
     * hub reads them as UTC unless told otherwise, hence 0.
     */
    utcOffsetMinutes: z.number().int().default(0),
  })
  .refine((options) => options.endMs !== undefined || options.count !== undefined, {
    message: "give an end time or a count, or the traffic never ends",
  });

export type SimulateOptions = z.input<typeof simulateOptionsSchema>;

/**
 * The lines of the simulation for a seed, in time order, without sending them.
 * The same options give the same lines on every run.
 *
 * @example
 * const start = Date.parse("2026-03-12T11:00:00Z");
 * for (const { line } of simulateTraffic({ seed: 1, hotels: 3, eps: 50, startMs: start, endMs: start + 60_000 })) {
 *   console.log(line); // <30>Mar 12 11:00:00 otel-2-gw wireless,info 3C:22:FB:...@wlan2: connected, signal strength -61
 * }
 */
export function* simulateTraffic(options: SimulateOptions): Generator<SimulatedLine> {
  const config = simulateOptionsSchema.parse(options);
  const random = seededRandom(config.seed);
  const hotels = Array.from({ length: config.hotels }, (_, index) => newHotel(index + 1, random));
  const clock = new RouterClock(config.utcOffsetMinutes);
  const slotMs = 1000 / config.eps;
  const count = config.count ?? Number.POSITIVE_INFINITY;
  const endMs = config.endMs ?? Number.POSITIVE_INFINITY;
  for (let slot = 0; slot < count; slot++) {
    const timeMs = config.startMs + Math.floor(slot * slotMs);
    if (timeMs >= endMs) return;
    const hotel = hotels[Math.floor(random() * hotels.length)] as Hotel;
    const step = nextStep(hotel, random, timeMs);
    const made = step(timeMs);
    yield { ...made, timeMs, hotel: hotel.number, line: clock.frame(timeMs, hotel.hostname, made) };
  }
}

/** The router identity (syslog HOSTNAME) of hotel `hotel`. */
export function hotelHostname(hotel: number): string {
  return `otel-${hotel}-gw`;
}

/** The public address hotel `hotel` source-NATs its guests to: documentation ranges, 254 each. */
export function hotelPublicIp(hotel: number): string {
  const ranges = ["192.0.2", "198.51.100", "203.0.113"];
  return `${ranges[(hotel - 1) % 3]}.${Math.floor((hotel - 1) / 3) + 1}`;
}

/** What a step makes before the frame: the message and its expected fields. */
interface Made {
  kind: TrafficKind;
  /** `topics message` after the header. */
  body: string;
  expect: Record<string, string | number | string[]>;
  device?: { mac: string; ip: string };
  natUntilMs?: number;
}

type Step = (timeMs: number) => Made;

interface Device {
  /** `AA:BB:CC:DD:EE:FF`, as RouterOS writes it. */
  mac: string;
  hostname?: string;
  /** Hotspot user name (room, MAC or trial user), or none for devices that never log in. */
  hotspotUser?: string;
  /** Pool slot of its lease while it has one, else the last one (RouterOS offers it again). */
  addressSlot?: number;
  leased: boolean;
  loggedIn: boolean;
  wlan: string;
}

interface Hotel {
  number: number;
  hostname: string;
  publicIp: string;
  devices: Device[];
  usedMacs: Set<string>;
  /** Device indexes by state: away (may arrive), present (may leave), leased (may connect). */
  away: IndexSet;
  present: IndexSet;
  leased: IndexSet;
  freeAddresses: IndexSet;
  /** Steps of arrivals and departures under way, done in order before anything new. */
  queue: Step[];
  /** Until when each public port is held by a connection, ms. */
  natBusyUntilMs: Float64Array;
  staffSession?: StaffLogin;
  rooms: number[];
}

interface StaffLogin {
  user: string;
  from: string;
  via: string;
}

const PRESENT_SHARE = 0.6;
const STAFF_LOGIN_SHARE = 0.002;
const FIRST_DYNAMIC_PORT = 1024;
const NAT_PROBES = 32;
const STAFF: readonly StaffLogin[] = [
  { user: "admin", from: "10.{h}.0.10", via: "winbox" },
  { user: "it-destek", from: "10.{h}.0.12", via: "web" },
  { user: "noc", from: "10.{h}.0.15", via: "ssh" },
];
const LOGOUT_REASONS = ["keepalive timeout", "idle timeout", "session timeout", "user request"];
const WIRELESS_LEAVE_REASONS = [
  "connection lost",
  "received disassoc: sending station leaving (8)",
  "extensive data loss",
  "received deauth: sending station leaving (3)",
];
/** Where guests go: address, port, protocol, and the usual first-packet length. */
const DESTINATIONS: readonly { ip: string; port: number; proto: "TCP" | "UDP"; len: number }[] = [
  { ip: "8.8.8.8", port: 53, proto: "UDP", len: 71 },
  { ip: "1.1.1.1", port: 53, proto: "UDP", len: 64 },
  { ip: "142.250.187.110", port: 443, proto: "TCP", len: 60 },
  { ip: "142.250.187.110", port: 443, proto: "UDP", len: 1278 },
  { ip: "157.240.9.35", port: 443, proto: "TCP", len: 64 },
  { ip: "31.13.72.52", port: 5222, proto: "TCP", len: 60 },
  { ip: "17.253.53.207", port: 443, proto: "TCP", len: 64 },
  { ip: "52.113.194.132", port: 3478, proto: "UDP", len: 136 },
  { ip: "104.16.132.229", port: 443, proto: "TCP", len: 60 },
  { ip: "151.101.1.140", port: 80, proto: "TCP", len: 52 },
];
/** Vendor prefixes and the host names their devices send. */
const VENDORS: readonly { oui: string; names: readonly string[] }[] = [
  { oui: "3C:22:FB", names: ["iPhone", "iPad", "MacBook-Pro"] },
  { oui: "F0:18:98", names: ["iPhone", "Apple-Watch"] },
  { oui: "08:F8:BC", names: ["Galaxy-S23", "Galaxy-A54", "Galaxy-Tab-S9"] },
  { oui: "C4:5D:83", names: ["GalaxyWatch3", "Galaxy-S21"] },
  { oui: "A4:C3:F0", names: ["Redmi-Note-12", "POCO-X5"] },
  { oui: "00:0C:29", names: ["DESKTOP", "LAPTOP"] },
  { oui: "70:2E:D9", names: ["Oda-TV"] },
];

function newHotel(number: number, random: () => number): Hotel {
  const floors = 3 + Math.floor(random() * 6);
  const perFloor = 10 + Math.floor(random() * 20);
  const rooms = Array.from(
    { length: floors * perFloor },
    (_, index) => (Math.floor(index / perFloor) + 1) * 100 + (index % perFloor) + 1,
  );
  const hotel: Hotel = {
    number,
    hostname: hotelHostname(number),
    publicIp: hotelPublicIp(number),
    devices: [],
    usedMacs: new Set(),
    away: new IndexSet(),
    present: new IndexSet(),
    leased: new IndexSet(),
    freeAddresses: new IndexSet(),
    queue: [],
    natBusyUntilMs: new Float64Array(65_536),
    rooms,
  };
  const population = rooms.length * 2;
  for (let index = 0; index < population; index++) {
    hotel.devices.push(newDevice(hotel, random));
    hotel.away.add(index);
  }
  // A pool a quarter larger than the population: addresses pass from guest to guest.
  for (let slot = 0; slot < Math.ceil(population * 1.25); slot++) hotel.freeAddresses.add(slot);
  return hotel;
}

function newDevice(hotel: Hotel, random: () => number): Device {
  const vendor = pick(VENDORS, random);
  let mac: string;
  do {
    // One device in four shows a private (locally administered) MAC, as phones do by default.
    const prefix =
      random() < 0.25
        ? `${hex2((Math.floor(random() * 64) << 2) | 0x02)}:${hex2(byte(random))}:${hex2(byte(random))}`
        : vendor.oui;
    mac = `${prefix}:${hex2(byte(random))}:${hex2(byte(random))}:${hex2(byte(random))}`;
  } while (hotel.usedMacs.has(mac));
  hotel.usedMacs.add(mac);
  const room = pick(hotel.rooms, random);
  const nameRoll = random();
  const base = pick(vendor.names, random);
  const hostname =
    nameRoll < 0.15
      ? undefined
      : base === "DESKTOP" || base === "LAPTOP"
        ? `${base}-${alnum(7, random)}`
        : base === "Oda-TV"
          ? `Oda-${room}-TV`
          : nameRoll < 0.45
            ? `${base}-Oda-${room}`
            : base;
  const userRoll = random();
  const hotspotUser =
    base === "Oda-TV" || userRoll < 0.08
      ? undefined
      : userRoll < 0.65
        ? `oda-${room}`
        : userRoll < 0.85
          ? mac
          : `T-${mac}`;
  return {
    mac,
    ...(hostname ? { hostname } : {}),
    ...(hotspotUser ? { hotspotUser } : {}),
    leased: false,
    loggedIn: false,
    wlan: random() < 0.6 ? "wlan2" : "wlan1",
  };
}

/** The hotel's next step: a queued one, else a new happening chosen by the state. */
function nextStep(hotel: Hotel, random: () => number, timeMs: number): Step {
  const queued = hotel.queue.shift();
  if (queued) return queued;
  const presentShare = hotel.present.size / hotel.devices.length;
  const arriveChance = 0.01 + Math.max(0, PRESENT_SHARE - presentShare);
  const leaveChance = 0.01 + Math.max(0, presentShare - PRESENT_SHARE);
  const roll = random();
  if (roll < arriveChance && hotel.away.size > 0) return arrive(hotel, random);
  if (roll < arriveChance + leaveChance && hotel.present.size > 0) return leave(hotel, random);
  if (roll < arriveChance + leaveChance + STAFF_LOGIN_SHARE) return staffLogin(hotel, random);
  if (hotel.leased.size > 0) {
    const step = connect(hotel, random, timeMs);
    if (step) return step;
  }
  return hotel.away.size > 0 ? arrive(hotel, random) : leave(hotel, random);
}

/** A device comes in range: associates, gets its lease, logs in to the hotspot. */
function arrive(hotel: Hotel, random: () => number): Step {
  const index = hotel.away.random(random);
  hotel.away.delete(index);
  const device = hotel.devices[index] as Device;
  const signal = -45 - Math.floor(random() * 40);
  hotel.queue.push(
    () => ({
      kind: "wireless",
      body: `wireless,info ${device.mac}@${device.wlan}: connected, signal strength ${signal}`,
      expect: {
        "event.dataset": "routeros.wireless",
        "event.action": "connected",
        "client.mac": device.mac.toLowerCase(),
        "observer.ingress.interface.name": device.wlan,
        "routeros.wireless.signal_dbm": signal,
      },
    }),
    () => {
      const previous = device.addressSlot;
      const slot =
        previous !== undefined && hotel.freeAddresses.has(previous)
          ? previous
          : hotel.freeAddresses.random(random);
      hotel.freeAddresses.delete(slot);
      device.addressSlot = slot;
      device.leased = true;
      hotel.leased.add(index);
      if (!device.hotspotUser) hotel.present.add(index);
      return dhcpLine(hotel, device, "assigned");
    },
  );
  if (device.hotspotUser) {
    hotel.queue.push(() => {
      device.loggedIn = true;
      hotel.present.add(index);
      return hotspotLine(hotel, device, "logged in");
    });
  }
  return hotel.queue.shift() as Step;
}

/** A device goes: its hotspot session ends, its lease expires, it drops off the Wi-Fi. */
function leave(hotel: Hotel, random: () => number): Step {
  const index = hotel.present.random(random);
  hotel.present.delete(index);
  const device = hotel.devices[index] as Device;
  if (device.loggedIn) {
    const reason = pick(LOGOUT_REASONS, random);
    hotel.queue.push(() => {
      device.loggedIn = false;
      return hotspotLine(hotel, device, `logged out: ${reason}`, reason);
    });
  }
  hotel.queue.push(
    () => {
      const made = dhcpLine(hotel, device, "deassigned");
      device.leased = false;
      hotel.leased.delete(index);
      hotel.freeAddresses.add(device.addressSlot as number);
      return made;
    },
    () => {
      const reason = pick(WIRELESS_LEAVE_REASONS, random);
      const signal = -60 - Math.floor(random() * 30);
      const made: Made = {
        kind: "wireless",
        body: `wireless,info ${device.mac}@${device.wlan}: disconnected, ${reason}, signal strength ${signal}`,
        expect: {
          "event.dataset": "routeros.wireless",
          "event.action": "disconnected",
          "event.reason": reason,
          "client.mac": device.mac.toLowerCase(),
          "observer.ingress.interface.name": device.wlan,
          "routeros.wireless.signal_dbm": signal,
        },
      };
      // Three guests in ten check out for good: a new device takes their place.
      if (random() < 0.3) {
        hotel.usedMacs.delete(device.mac);
        hotel.devices[index] = newDevice(hotel, random);
      }
      hotel.away.add(index);
      return made;
    },
  );
  return hotel.queue.shift() as Step;
}

/** A staff member logs in to the router, or the one logged in logs out. */
function staffLogin(hotel: Hotel, random: () => number): Step {
  const open = hotel.staffSession;
  const session = open ?? pick(STAFF, random);
  hotel.staffSession = open ? undefined : session;
  const from = session.from.replace("{h}", String(hotel.number));
  const verb = open ? "logged out" : "logged in";
  return () => ({
    kind: "account",
    body: `system,info,account user ${session.user} ${verb} from ${from} via ${session.via}`,
    expect: {
      "event.dataset": "routeros.account",
      "event.action": open ? "logged-out" : "logged-in",
      "user.name": session.user,
      "source.ip": from,
      "routeros.login.via": session.via,
    },
  });
}

/**
 * A leased device opens a connection, logged by the `srcnat` rule with its NAT
 * tuple. Masquerade keeps the source port when it is free on the public
 * address, else takes another; undefined when no port is free (then the hotel
 * does something else).
 */
function connect(hotel: Hotel, random: () => number, timeMs: number): Step | undefined {
  const device = hotel.devices[hotel.leased.random(random)] as Device;
  const ip = guestAddress(hotel, device.addressSlot as number);
  const sourcePort = 49_152 + Math.floor(random() * 16_384);
  const natPort = freePublicPort(hotel, sourcePort, random, timeMs);
  if (natPort === undefined) return undefined;
  // Connections live 1-10 s in the table: long enough to overlap, short enough for a busy hotel.
  const natUntilMs = timeMs + 1000 + Math.floor(random() * 9000);
  hotel.natBusyUntilMs[natPort] = natUntilMs;
  const to = pick(DESTINATIONS, random);
  const proto = to.proto === "TCP" ? "TCP (SYN)" : "UDP";
  const mac = device.mac.toLowerCase();
  const tuple = `${ip}:${sourcePort}->${to.ip}:${to.port}`;
  const nat = `NAT (${ip}:${sourcePort}->${hotel.publicIp}:${natPort})->${to.ip}:${to.port}`;
  return () => ({
    kind: "firewall",
    body: `firewall,info nat-guest srcnat: in:(unknown 0) out:ether1-wan, connection-state:new src-mac ${mac}, proto ${proto}, ${tuple}, ${nat}, len ${to.len}`,
    expect: {
      "event.dataset": "routeros.firewall",
      "rule.name": "nat-guest",
      "routeros.firewall.chain": "srcnat",
      "routeros.firewall.protocol": to.proto,
      "network.transport": to.proto.toLowerCase(),
      "source.mac": mac,
      "source.ip": ip,
      "source.port": sourcePort,
      "destination.ip": to.ip,
      "destination.port": to.port,
      "source.nat.ip": hotel.publicIp,
      "source.nat.port": natPort,
      "routeros.firewall.nat_type": "srcnat",
      "routeros.firewall.len": to.len,
    },
    device: { mac: device.mac, ip },
    natUntilMs,
  });
}

function freePublicPort(
  hotel: Hotel,
  preferred: number,
  random: () => number,
  timeMs: number,
): number | undefined {
  const busy = hotel.natBusyUntilMs;
  if ((busy[preferred] as number) <= timeMs) return preferred;
  const span = busy.length - FIRST_DYNAMIC_PORT;
  for (let probe = 0; probe < NAT_PROBES; probe++) {
    const port = FIRST_DYNAMIC_PORT + Math.floor(random() * span);
    if ((busy[port] as number) <= timeMs) return port;
  }
  const start = Math.floor(random() * span);
  for (let offset = 0; offset < span; offset++) {
    const port = FIRST_DYNAMIC_PORT + ((start + offset) % span);
    if ((busy[port] as number) <= timeMs) return port;
  }
  return undefined;
}

function dhcpLine(hotel: Hotel, device: Device, action: "assigned" | "deassigned"): Made {
  const ip = guestAddress(hotel, device.addressSlot as number);
  const host = device.hostname ? ` ${device.hostname}` : "";
  return {
    kind: "dhcp",
    body: `dhcp,info dhcp-guest ${action} ${ip} for ${device.mac}${host}`,
    expect: {
      "event.dataset": "routeros.dhcp",
      "event.action": action,
      "routeros.dhcp.server": "dhcp-guest",
      "client.ip": ip,
      "client.mac": device.mac.toLowerCase(),
      ...(device.hostname ? { "client.hostname": device.hostname } : {}),
    },
    device: { mac: device.mac, ip },
  };
}

function hotspotLine(hotel: Hotel, device: Device, event: string, reason?: string): Made {
  const ip = guestAddress(hotel, device.addressSlot as number);
  const user = device.hotspotUser as string;
  const macInName = user === device.mac || user === `T-${device.mac}`;
  return {
    kind: "hotspot",
    body: `hotspot,account,info,debug ${user} (${ip}): ${event}`,
    expect: {
      "event.dataset": "routeros.hotspot",
      "event.action": reason ? "logged-out" : "logged-in",
      "user.name": user,
      "client.ip": ip,
      ...(macInName ? { "client.mac": device.mac.toLowerCase() } : {}),
      ...(reason ? { "event.reason": reason } : {}),
    },
    device: { mac: device.mac, ip },
  };
}

/** Guest pool slot -> address: 10.<hotel>.1.1 upwards, skipping .0 and .255. */
function guestAddress(hotel: Hotel, slot: number): string {
  return `10.${hotel.number}.${1 + Math.floor(slot / 254)}.${1 + (slot % 254)}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3164 framing as RouterOS remote logging with `bsd-syslog=yes` writes it. */
class RouterClock {
  private second = Number.NaN;
  private stamp = "";

  constructor(private readonly utcOffsetMinutes: number) {}

  frame(timeMs: number, hostname: string, made: Made): string {
    const second = Math.floor(timeMs / 1000);
    if (second !== this.second) {
      const local = new Date(second * 1000 + this.utcOffsetMinutes * 60_000);
      const day = String(local.getUTCDate()).padStart(2, " ");
      const time = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()]
        .map((part) => String(part).padStart(2, "0"))
        .join(":");
      this.second = second;
      this.stamp = `${MONTHS[local.getUTCMonth()]} ${day} ${time}`;
    }
    // daemon.info, as RouterOS sends info topics.
    return `<30>${this.stamp} ${hostname} ${made.body}`;
  }
}

/**
 * A set of small integers with O(1) add, delete and a uniform random member:
 * the states of devices and the free addresses.
 */
class IndexSet {
  private readonly members: number[] = [];
  private readonly positions = new Map<number, number>();

  get size(): number {
    return this.members.length;
  }

  has(value: number): boolean {
    return this.positions.has(value);
  }

  add(value: number): void {
    if (this.positions.has(value)) return;
    this.positions.set(value, this.members.length);
    this.members.push(value);
  }

  delete(value: number): void {
    const position = this.positions.get(value);
    if (position === undefined) return;
    const last = this.members.pop() as number;
    if (last !== value) {
      this.members[position] = last;
      this.positions.set(last, position);
    }
    this.positions.delete(value);
  }

  random(random: () => number): number {
    return this.members[Math.floor(random() * this.members.length)] as number;
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function byte(random: () => number): number {
  return Math.floor(random() * 256);
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, "0");
}

function alnum(length: number, random: () => number): string {
  const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let text = "";
  for (let index = 0; index < length; index++)
    text += letters[Math.floor(random() * letters.length)];
  return text;
}
