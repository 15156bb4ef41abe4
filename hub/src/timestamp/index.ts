/**
 * The hub's time-stamping room. The client, verifier and formats live in
 * shared/src/timestamp (the offline verifier needs them too); here is what
 * only a hub has: the development TSA of the zero-setup mode.
 */
export {
  DEV_TSA_CA_NAME,
  DEV_TSA_FILES,
  DEV_TSA_POLICY_NOTICE,
  DEV_TSA_POLICY_OID,
  DEV_TSA_SIGNER_NAME,
  type DevTsa,
  type DevTsaOptions,
  loadOrCreateDevTsa,
} from "./dev-tsa.ts";
