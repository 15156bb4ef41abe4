/**
 * RFC 3161 time-stamping: build requests, talk to a TSA, verify responses.
 * Used by the hub (to stamp each sealed manifest) and by the offline
 * `logmaster verify` CLI (to check `manifest.tsr`), so nothing here imports
 * from the hub. Design and operation: docs/timestamping.md.
 */
export {
  createTimestampClient,
  type FetchLike,
  type RequestTimestampOptions,
  readLimitedBody,
  requestTimestamp,
  type TimestampAuth,
  type TimestampClient,
  type TimestampClientOptions,
  TimestampError,
  type TimestampErrorKind,
  type TimestampErrorReason,
  type TimestampGrant,
  timestampAuthFromSettings,
} from "./client.ts";
export {
  certificatesFromPems,
  derToPem,
  type ImprintHash,
  LOGMASTER_OID_ARC,
  MalformedDerError,
} from "./der.ts";
export {
  type DecodedKamusmIdentity,
  decodeKamusmIdentity,
  KAMUSM_PBKDF2_ITERATIONS,
  type KamusmCredentials,
  kamusmIdentity,
} from "./kamusm.ts";
export {
  type BuildTimestampRequestOptions,
  buildTimestampRequest,
  type ParsedTimestampRequest,
  parseTimestampRequest,
  randomNonce,
  type TimestampRequest,
} from "./request.ts";
export {
  describeStatus,
  type FailureInfo,
  grantedResponse,
  parseTimestampToken,
  readTimestampResponse,
  rejectionResponse,
  type TimestampStatus,
  type TimestampTokenInfo,
} from "./response.ts";
export {
  type TimestampCheck,
  type TimestampCheckName,
  type TimestampFailureReason,
  type TimestampVerification,
  timestampSignerProblem,
  type VerifyTimestampOptions,
  verifyTimestampResponse,
} from "./verify.ts";
