/**
 * A realistic mix of hotel syslog traffic, generated: mostly RouterOS firewall
 * lines (with and without NAT), then DHCP, hotspot, logins, wireless, PPP and
 * a few RFC 5424 lines from other devices. Used by the parser and pipeline
 * benchmarks so they measure what a hotel really sends.
 */

import { seededRandom } from "../../shared/src/testing/seeded-random.ts";

export { seededRandom };

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `count` syslog lines in the proportions a hotel gateway sends them. */
export function hotelSyslogMix(count: number, seed = 5651): string[] {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * max);
  const pad = (n: number) => String(n).padStart(2, "0");
  const guestIp = () => `10.20.${int(8)}.${1 + int(250)}`;
  const publicIp = () => `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}`;
  const mac = () =>
    Array.from({ length: 6 }, () => int(256).toString(16).padStart(2, "0")).join(":");
  const port = () => 1024 + int(64000);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const day = 1 + int(28);
    const header = `<134>${months[int(12)]} ${day < 10 ? ` ${day}` : day} ${pad(int(24))}:${pad(int(60))}:${pad(int(60))} otel-gw`;
    const roll = random();
    if (roll < 0.55) {
      const src = guestIp();
      const sport = port();
      const dst = publicIp();
      const dport = [443, 80, 53, 123, 8080][int(5)];
      lines.push(
        `${header} firewall,info forward: in:vlan20-guest out:ether1-wan, connection-state:new src-mac ${mac()}, proto TCP (SYN), ${src}:${sport}->${dst}:${dport}, NAT (${src}:${sport}->85.105.1.2:${sport})->${dst}:${dport}, len 60`,
      );
    } else if (roll < 0.7) {
      lines.push(
        `${header} firewall,info drop-in input: in:ether1-wan out:(unknown 0), connection-state:new src-mac ${mac()}, proto UDP, ${publicIp()}:${port()}->85.105.1.2:53, len 72`,
      );
    } else if (roll < 0.82) {
      const verb = random() < 0.5 ? "assigned" : "deassigned";
      lines.push(
        `${header} dhcp,info dhcp-guest ${verb} ${guestIp()} ${verb === "assigned" ? "to" : "from"} ${mac().toUpperCase()}`,
      );
    } else if (roll < 0.9) {
      const what = random() < 0.5 ? "logged in" : "logged out: session timeout";
      lines.push(
        `${header} hotspot,account,info,debug oda-${100 + int(400)} (${guestIp()}): ${what}`,
      );
    } else if (roll < 0.94) {
      lines.push(
        `${header} system,info,account user admin logged in from 10.0.0.${int(250)} via winbox`,
      );
    } else if (roll < 0.98) {
      lines.push(
        `${header} wireless,info ${mac().toUpperCase()}@wlan1: connected, signal strength -${40 + int(40)}`,
      );
    } else {
      lines.push(
        `<165>1 2026-11-22T08:${pad(int(60))}:${pad(int(60))}.${int(1000)}+03:00 switch-1 snmpd 2211 ID47 [origin ip="10.0.0.2"] link up on port ${int(48)}`,
      );
    }
  }
  return lines;
}
