import { z } from "zod";

/**
 * The object the parser makes of one syslog line: what `logmaster parse` prints
 * and what the hub indexes. Flat, ECS-like dotted keys so the same names work as
 * Elasticsearch fields, PostgreSQL JSON keys and CLI output. Every key is
 * documented in docs/fields.md (a test keeps the two in step).
 *
 * Conventions: IP addresses without brackets, IPv6 lower-case; MAC addresses
 * lower-case with colons; ports and lengths are numbers; `@timestamp` is ISO 8601
 * UTC. Fields that the line does not carry are absent, never empty strings.
 */
export const syslogEventSchema = z.object({
  // --- always present ---
  "event.original": z.string(),
  message: z.string(),
  "log.syslog.format": z.enum(["rfc5424", "rfc3164", "routeros", "rsyslog-file", "cef", "raw"]),

  // --- syslog header ---
  "@timestamp": z.string().optional(),
  "log.syslog.timestamp_raw": z.string().optional(),
  "log.syslog.priority": z.number().int().optional(),
  "log.syslog.facility.code": z.number().int().optional(),
  "log.syslog.facility.name": z.string().optional(),
  "log.syslog.severity.code": z.number().int().optional(),
  "log.syslog.severity.name": z.string().optional(),
  "log.syslog.version": z.number().int().optional(),
  "log.syslog.hostname": z.string().optional(),
  "log.syslog.appname": z.string().optional(),
  "log.syslog.procid": z.string().optional(),
  "log.syslog.msgid": z.string().optional(),
  "log.syslog.structured_data": z.record(z.string(), z.record(z.string(), z.string())).optional(),
  /** STRUCTURED-DATA as written, kept only when it breaks the RFC 5424 grammar (Check Point's `[key:"value"; ...]`). */
  "log.syslog.structured_data_raw": z.string().optional(),
  /** Where the line was read from a syslog server's file: the receiver's time and the sender. */
  "log.file.received_at": z.string().optional(),
  "error.message": z.string().optional(),

  // --- CEF ---
  "cef.version": z.number().int().optional(),
  "cef.device_vendor": z.string().optional(),
  "cef.device_product": z.string().optional(),
  "cef.device_version": z.string().optional(),
  "cef.signature_id": z.string().optional(),
  "cef.name": z.string().optional(),
  "cef.severity": z.string().optional(),
  "cef.extensions": z.record(z.string(), z.string()).optional(),

  // --- RouterOS ---
  "routeros.topics": z.array(z.string()).optional(),
  /** routeros.firewall | routeros.dhcp | routeros.hotspot | routeros.account | routeros.wireless | routeros.ppp | routeros.other */
  "event.dataset": z.string().optional(),
  "event.action": z.string().optional(),
  "event.outcome": z.enum(["success", "failure", "unknown"]).optional(),
  "event.reason": z.string().optional(),
  "rule.name": z.string().optional(),
  "routeros.firewall.chain": z.string().optional(),
  "routeros.firewall.connection_state": z.string().optional(),
  "routeros.firewall.protocol": z.string().optional(),
  "routeros.firewall.tcp_flags": z.array(z.string()).optional(),
  "routeros.firewall.icmp_type": z.number().int().optional(),
  "routeros.firewall.icmp_code": z.number().int().optional(),
  "routeros.firewall.len": z.number().int().optional(),
  "routeros.firewall.nat_type": z.enum(["srcnat", "dstnat"]).optional(),
  "observer.ingress.interface.name": z.string().optional(),
  "observer.egress.interface.name": z.string().optional(),
  "network.transport": z.string().optional(),
  "source.ip": z.string().optional(),
  "source.port": z.number().int().optional(),
  "source.mac": z.string().optional(),
  "source.nat.ip": z.string().optional(),
  "source.nat.port": z.number().int().optional(),
  "destination.ip": z.string().optional(),
  "destination.port": z.number().int().optional(),
  "destination.nat.ip": z.string().optional(),
  "destination.nat.port": z.number().int().optional(),
  /** Bridge firewall `dst-mac`. */
  "destination.mac": z.string().optional(),
  "client.ip": z.string().optional(),
  "client.mac": z.string().optional(),
  "client.hostname": z.string().optional(),
  "user.name": z.string().optional(),
  "routeros.dhcp.server": z.string().optional(),
  /** A prefix in CIDR form that a DHCP line names, e.g. a delegated `2001:db8:aa::/56`. */
  "routeros.dhcp.prefix": z.string().optional(),
  /** Hotspot login method of `trying to log in by <method>` (http-chap, https, mac-cookie...). */
  "routeros.hotspot.login_method": z.string().optional(),
  "routeros.login.via": z.string().optional(),
  "routeros.wireless.signal_dbm": z.number().int().optional(),
  /** Where a client roamed to (`MAC@ap1 roamed to MAC@ap2`); the AP it left is the ingress interface. */
  "routeros.wireless.roamed_to_interface": z.string().optional(),
  "routeros.ppp.interface": z.string().optional(),

  // --- every address, MAC and user in the line, for "who had IP X at time T" ---
  "related.ip": z.array(z.string()).optional(),
  "related.mac": z.array(z.string()).optional(),
  "related.user": z.array(z.string()).optional(),
});

export type SyslogEvent = z.infer<typeof syslogEventSchema>;

/** The fields the RouterOS message extractors may fill. */
export type RouterOsFields = Partial<
  Omit<SyslogEvent, "event.original" | "message" | "log.syslog.format">
>;

export interface ParseOptions {
  /** When the line was received. Gives the year (and, for time-only lines, the date) to timestamps that lack it. Default: now. */
  receivedAt?: Date;
  /** Offset of the device clock from UTC in minutes, for timestamps that carry no zone (RFC 3164, RouterOS). Default 0. */
  deviceUtcOffsetMinutes?: number;
}
