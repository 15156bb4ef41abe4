/**
 * LogMaster's built-in development TSA (hub/src/timestamp/dev-tsa.ts, the
 * zero-setup mode) as the hub and every verifier recognise it. Its tokens are
 * cryptographically sound but have no legal value, so a verifier must not
 * report them as a plain PASS.
 *
 * Recognised by object identifiers the development TSA signs, never by a
 * display name (anyone may name a certificate anything, and a name is for
 * people): every token it ever issued carries its policy OID in the signed
 * TSTInfo, and the signer certificates it makes now carry the same OID in
 * their certificatePolicies, so a token signed with a development key under
 * some other policy is recognised too. Signer certificates made before the
 * certificatePolicies marker are recognised by their tokens' policy.
 */
import * as pkijs from "pkijs";
import { LOGMASTER_OID_ARC, normalizeOid } from "./der.ts";

/**
 * LogMaster arc `.1` (time-stamp policies) `.1` (the development TSA, no
 * legal value): its tokens' policy, and a certificatePolicies entry of its
 * signer certificate (docs/timestamping.md §6).
 */
export const DEVELOPMENT_TSA_POLICY_OID = `${LOGMASTER_OID_ARC}.1.1`;

/** id-ce-certificatePolicies (RFC 5280 §4.2.1.4). */
export const CERTIFICATE_POLICIES_OID = "2.5.29.32";

/** Who made a development time-stamp, for sentences. */
export const DEVELOPMENT_TSA = "LogMaster's built-in development TSA";

/** What to do about it. */
export const QUALIFIED_TSA_ADVICE = "configure TSA_URL with a qualified TSA (e.g. Kamu SM)";

/** The warning on one development time-stamp, as `logmaster verify` reports it. */
export const DEVELOPMENT_TSA_WARNING = `time-stamped by ${DEVELOPMENT_TSA}: this time-stamp has no legal value; ${QUALIFIED_TSA_ADVICE}`;

/**
 * One sentence for several development time-stamps, for a summary.
 *
 * @example
 * developmentTimestampsSummary(2) // "2 time-stamps are by LogMaster's built-in development TSA and have no legal value; configure ..."
 */
export function developmentTimestampsSummary(count: number): string {
  const are = count === 1 ? "1 time-stamp is" : `${count} time-stamps are`;
  return `${are} by ${DEVELOPMENT_TSA} and ${count === 1 ? "has" : "have"} no legal value; ${QUALIFIED_TSA_ADVICE}`;
}

/** The policy OIDs of a certificate's certificatePolicies extension (none without one). */
export function certificatePolicyOids(certificate: pkijs.Certificate): string[] {
  const extension = certificate.extensions?.find((e) => e.extnID === CERTIFICATE_POLICIES_OID);
  const value: unknown = extension?.parsedValue;
  return value instanceof pkijs.CertificatePolicies
    ? value.certificatePolicies.map((policy) => normalizeOid(policy.policyIdentifier))
    : [];
}

/**
 * Whether a verified time-stamp is the development TSA's: its token's policy
 * is the development policy, or a certificate of its verified chain (signer,
 * intermediates, root) names that policy in certificatePolicies.
 *
 * @example
 * if (isDevelopmentTimestamp(result.token.policy, certificatesFromPems(result.chainPems)))
 *   console.warn(DEVELOPMENT_TSA_WARNING);
 */
export function isDevelopmentTimestamp(
  tokenPolicy: string,
  chain: readonly pkijs.Certificate[],
): boolean {
  return (
    tokenPolicy === DEVELOPMENT_TSA_POLICY_OID ||
    chain.some((certificate) =>
      certificatePolicyOids(certificate).includes(DEVELOPMENT_TSA_POLICY_OID),
    )
  );
}
