/**
 * Who is who: the chain CA, enrollment tokens, agent certificates and the
 * names the hub reads back from a peer certificate.
 */
export * from "./agent-certificate.ts";
export * from "./ca.ts";
export * from "./crl.ts";
export * from "./enrollment.ts";
export * from "./hub-signer.ts";
export * from "./keys.ts";
export * from "./tokens.ts";
