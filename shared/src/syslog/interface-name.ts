/**
 * RouterOS interface names, known to both sides of the parser: the header must not
 * take `pppoe-out1:` or `<pppoe-oda-412>:` for a syslog tag, and the PPP extractor
 * reads the subscriber out of `<pppoe-oda-412>`.
 */

/** Default RouterOS interface names (`bridge`, `sfp-sfpplus1`, `wifi-5ghz`, `lo`). */
const DEFAULT_INTERFACE_NAME =
  /^(?:ether|wlan|wifi|sfp|qsfp|combo|bridge|vlan|bond|pppoe|pptp|l2tp|sstp|ovpn|eoip|gre|ipip|vpls|veth|wg|lte|vrrp|vxlan|lo)(?:[-_.\d]|$)/i;

const HAS_LETTER = /[A-Za-z]/;

/**
 * True for a name that reads like an interface: a default name, or a word ending in
 * a number (`ether1`, `wlan2`, `test2`; not a bare number). A router identity
 * (`ANT-GW01`) reads like one too, which is why the header looks at what follows.
 */
export function looksLikeInterfaceName(name: string): boolean {
  const last = name.charCodeAt(name.length - 1);
  if (last >= 48 && last <= 57 && HAS_LETTER.test(name)) return true;
  return DEFAULT_INTERFACE_NAME.test(name);
}

/**
 * A PPP server's dynamic interface is `<service-user>` (`<pppoe-oda-412>`,
 * `<l2tp-teknik>`): the user it names, or undefined for any other name.
 *
 * @example
 * pppServerUserOf("<pppoe-oda-412>") // "oda-412"
 */
export function pppServerUserOf(name: string): string | undefined {
  return PPP_SERVER_INTERFACE.exec(name)?.[1];
}

const PPP_SERVER_INTERFACE = /^<(?:pppoe|l2tp|pptp|sstp|ovpn|ppp)-(.+)>$/;
