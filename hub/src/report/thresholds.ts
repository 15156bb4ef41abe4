/**
 * The compliance report's thresholds, in a module that imports nothing: the
 * dashboard flags the same things with the same numbers (a runtime import
 * from the browser bundle, so no server code may come with it).
 */

/** Clock skew beyond this (hub minus agent, absolute) is flagged. */
export const DEFAULT_SKEW_THRESHOLD_MS = 2_000;
