/** The smaller families: DHCP, hotspot, account, wireless, PPP. */
import { describe, expect, test } from "bun:test";
import { parseAccount } from "./account.ts";
import { parseDhcp } from "./dhcp.ts";
import { parseHotspot } from "./hotspot.ts";
import { parsePpp } from "./ppp.ts";
import { fieldsOf } from "./testing.ts";
import { parseWireless } from "./wireless.ts";

describe("parseDhcp", () => {
  test("v6 `to` and v7 `for ... hostname` lease forms", () => {
    expect(fieldsOf(parseDhcp, "dhcp1 assigned 172.16.40.23 to 96:3E:1D:70:02:8B")).toEqual({
      "event.dataset": "routeros.dhcp",
      "event.action": "assigned",
      "event.outcome": "success",
      "routeros.dhcp.server": "dhcp1",
      "client.ip": "172.16.40.23",
      "client.mac": "96:3e:1d:70:02:8b",
    });
    expect(
      fieldsOf(parseDhcp, "dhcp-guest deassigned 10.20.4.17 for 3C:22:FB:8A:41:0E iPhone Oda 412"),
    ).toMatchObject({
      "event.action": "deassigned",
      "client.hostname": "iPhone Oda 412",
    });
  });

  test("failed offers, the router's own client and packet dumps", () => {
    expect(
      fieldsOf(
        parseDhcp,
        "dhcp-guest offering lease 10.20.12.250 for 5C:CF:7F:03:9A:21 without success",
      ),
    ).toMatchObject({
      "event.action": "offer-failed",
      "event.outcome": "failure",
      "client.ip": "10.20.12.250",
    });
    expect(
      fieldsOf(parseDhcp, "dhcp-client on ether1-wan lost IP address 88.249.17.204"),
    ).toMatchObject({
      "event.action": "client-address-lost",
      "observer.ingress.interface.name": "ether1-wan",
      "client.ip": "88.249.17.204",
    });
    expect(fieldsOf(parseDhcp, 'Host-Name = "Galaxy-S23"')).toEqual({
      "event.dataset": "routeros.dhcp",
      "client.hostname": "Galaxy-S23",
    });
  });

  test("a DHCPv6 prefix goes to routeros.dhcp.prefix", () => {
    expect(
      fieldsOf(parseDhcp, "address received from the server differs from 2A02:FF0:3201::/56"),
    ).toMatchObject({
      "routeros.dhcp.prefix": "2a02:ff0:3201::/56",
    });
  });

  test("rejects lines that only look alike", () => {
    expect(
      fieldsOf(parseDhcp, "some server assigned 10.0.0.1 to aa:bb:cc:dd:ee:ff"),
    ).toBeUndefined();
    expect(fieldsOf(parseDhcp, "dhcp1 assigned nothing")).toBeUndefined();
    expect(
      fieldsOf(parseDhcp, "dhcp-client on ether1 received ack with id 1 from 10.0.0.1"),
    ).toBeUndefined();
  });
});

describe("parseHotspot", () => {
  test("a MAC-named or trial user also gives client.mac", () => {
    expect(
      fieldsOf(parseHotspot, "T-58:EF:68:20:11:C4 (172.16.40.77): trying to log in by trial"),
    ).toEqual({
      "event.dataset": "routeros.hotspot",
      "user.name": "T-58:EF:68:20:11:C4",
      "client.ip": "172.16.40.77",
      "client.mac": "58:ef:68:20:11:c4",
      "event.action": "login-attempt",
      "event.outcome": "unknown",
      "routeros.hotspot.login_method": "trial",
    });
  });

  test("reasons of logouts and failures", () => {
    expect(
      fieldsOf(parseHotspot, "oda-412 (10.20.4.17): logged out: keepalive timeout"),
    ).toMatchObject({
      "event.action": "logged-out",
      "event.reason": "keepalive timeout",
    });
    expect(
      fieldsOf(parseHotspot, "oda-221 (10.20.12.7): login failed: invalid username or password"),
    ).toMatchObject({
      "event.outcome": "failure",
      "event.reason": "invalid username or password",
    });
  });

  test("rejects an identity in front and a non-address in the parentheses", () => {
    expect(fieldsOf(parseHotspot, "GW: oda-412 (10.20.4.17): logged in")).toBeUndefined();
    expect(fieldsOf(parseHotspot, "vrrp1 (master): now MASTER")).toBeUndefined();
  });
});

describe("parseAccount", () => {
  test("login, logout and failure with every optional part", () => {
    expect(fieldsOf(parseAccount, "user admin logged in from 10.10.0.5 via winbox")).toEqual({
      "event.dataset": "routeros.account",
      "event.action": "logged-in",
      "event.outcome": "success",
      "user.name": "admin",
      "source.ip": "10.10.0.5",
      "routeros.login.via": "winbox",
    });
    expect(fieldsOf(parseAccount, "user monitoring logged out via api")).toMatchObject({
      "event.action": "logged-out",
      "routeros.login.via": "api",
    });
    expect(
      fieldsOf(parseAccount, "login failure for user root from 2A02:FF0::15 via ssh"),
    ).toMatchObject({
      "event.outcome": "failure",
      "user.name": "root",
      "source.ip": "2a02:ff0::15",
    });
    expect(
      fieldsOf(parseAccount, "user admin logged in from 64:D1:54:0A:0B:0C via winbox"),
    ).toMatchObject({
      "source.mac": "64:d1:54:0a:0b:0c",
    });
  });

  test("configuration changes name the user, also in the v7 client:user@address form", () => {
    expect(fieldsOf(parseAccount, "filter rule changed by admin")).toMatchObject({
      "event.action": "config-changed",
      "user.name": "admin",
    });
    expect(
      fieldsOf(
        parseAccount,
        "address added by winbox-3.41/tcp-msg(winbox):it-destek@10.10.0.12 (/ip address add)",
      ),
    ).toMatchObject({
      "user.name": "it-destek",
      "source.ip": "10.10.0.12",
      "routeros.login.via": "winbox",
    });
    expect(
      fieldsOf(
        parseAccount,
        "dhcp client added by scheduler:renew/script:add-dhcp (*7 = /ip dhcp-client add)",
      ),
    ).not.toHaveProperty("user.name");
  });

  test("rejects other system lines", () => {
    expect(fieldsOf(parseAccount, "router rebooted")).toBeUndefined();
    expect(fieldsOf(parseAccount, "user admin changed password")).toBeUndefined();
    expect(fieldsOf(parseAccount, "user admin logged in from 10.0.0.1 via")).toBeUndefined();
  });
});

describe("parseWireless", () => {
  test("v6 form with colon, reason and signal", () => {
    expect(
      fieldsOf(
        parseWireless,
        "A4:C3:F0:12:9E:77@wlan1: disconnected, received deauth: sending station leaving (3), signal strength -71",
      ),
    ).toEqual({
      "event.dataset": "routeros.wireless",
      "client.mac": "a4:c3:f0:12:9e:77",
      "observer.ingress.interface.name": "wlan1",
      "routeros.wireless.signal_dbm": -71,
      "event.action": "disconnected",
      "event.reason": "received deauth: sending station leaving (3)",
    });
  });

  test("v7 form without colon, and roaming", () => {
    expect(
      fieldsOf(parseWireless, "08:F8:BC:6A:2D:19@wifi-guest-5g connected, signal strength -58"),
    ).toMatchObject({
      "event.action": "connected",
      "observer.ingress.interface.name": "wifi-guest-5g",
    });
    expect(
      fieldsOf(
        parseWireless,
        "08:F8:BC:6A:2D:19@kat1-ap roamed to 08:F8:BC:6A:2D:19@kat2-ap, signal strength -67",
      ),
    ).toMatchObject({
      "event.action": "roamed",
      "observer.ingress.interface.name": "kat1-ap",
      "routeros.wireless.roamed_to_interface": "kat2-ap",
    });
  });

  test("rejects lines without a station", () => {
    expect(
      fieldsOf(parseWireless, "CAP joined ANT-CAPsMAN (::ffff:10.10.0.2:5246)"),
    ).toBeUndefined();
    expect(fieldsOf(parseWireless, "wlan1: channel changed")).toBeUndefined();
  });
});

describe("parsePpp", () => {
  test("server interfaces name their user", () => {
    expect(fieldsOf(parsePpp, "<pppoe-oda-412>: terminating... - peer is not responding")).toEqual({
      "event.dataset": "routeros.ppp",
      "event.action": "terminating",
      "routeros.ppp.interface": "<pppoe-oda-412>",
      "user.name": "oda-412",
      "event.reason": "peer is not responding",
    });
  });

  test("session accounting and PPPoE discovery", () => {
    expect(fieldsOf(parsePpp, "oda-412 logged in, 10.50.0.12")).toMatchObject({
      "event.action": "logged-in",
      "client.ip": "10.50.0.12",
    });
    expect(
      fieldsOf(parsePpp, "oda-412 logged in, 10.50.0.12 from 3C:22:FB:8A:41:0E"),
    ).toMatchObject({
      "client.mac": "3c:22:fb:8a:41:0e",
    });
    expect(fieldsOf(parsePpp, "PPPoE connection established from 3C:22:FB:8A:41:0E")).toMatchObject(
      {
        "client.mac": "3c:22:fb:8a:41:0e",
      },
    );
  });

  test("rejects an identity in front of a state and unknown states", () => {
    expect(fieldsOf(parsePpp, "MikroTik: pppoe-out1: connected")).toBeUndefined();
    expect(fieldsOf(parsePpp, "pppoe-out1: connectedness")).toBeUndefined();
  });
});
