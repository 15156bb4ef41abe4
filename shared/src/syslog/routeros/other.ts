/**
 * Lines no family parser understands (IPsec, VRRP, netwatch, scripts, packet dumps...).
 * They get no invented fields, only `related.ip` / `related.mac`, so that "who had
 * IP X at time T" still finds them.
 */

import { scanAddresses } from "../address.ts";
import type { RouterOsFields } from "../event.ts";
import { addRelated } from "../related.ts";

/**
 * Writes the searchable addresses of a line into `out`, under `dataset`.
 * @example extractRelatedOnly("phase1 negotiation failed due to time up 10.0.0.1[500]<=>85.105.1.2[500]", "routeros.other", fields)
 */
export function extractRelatedOnly(body: string, dataset: string, out: RouterOsFields): void {
  out["event.dataset"] = dataset;
  const found = scanAddresses(body);
  for (const ip of found.ips) addRelated(out, "related.ip", ip);
  for (const mac of found.macs) addRelated(out, "related.mac", mac);
}
