/**
 * The traffic simulator's door: hotel routers' RouterOS syslog, made by a
 * deterministic model (`simulateTraffic`) and sent over UDP at a given rate
 * (`sendTraffic`). `logmaster simulate` and the benchmarks use it.
 */
export {
  hotelHostname,
  hotelPublicIp,
  type SimulatedLine,
  type SimulateOptions,
  simulateOptionsSchema,
  simulateTraffic,
  TRAFFIC_KINDS,
  type TrafficKind,
} from "./model.ts";
export { type SendTrafficOptions, sendTraffic } from "./send.ts";
export { formatTrafficSummary, type TrafficSummary, TrafficTally } from "./summary.ts";
