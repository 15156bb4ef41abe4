/**
 * Why a custody operation refused its input. Verifiers (the `logmaster verify`
 * CLI, the hub at seal time) branch on `code`; the message is for people and
 * names the offending field, line or byte offset.
 */
export type CustodyErrorCode =
  /** A caller passed a value the format cannot represent (programming error on the writing side). */
  | "invalid_argument"
  /** A records.jsonl line is not a valid record (JSON, UTF-8, schema). */
  | "invalid_record"
  /** A line parses but is not byte-identical to the canonical encoding of its own value. */
  | "non_canonical_record"
  /** records.jsonl as a whole breaks a rule (seq run, trailing newline, empty line). */
  | "invalid_records_file"
  /** manifest.json names a `format` this code does not implement. */
  | "unsupported_format"
  /** manifest.json is not a valid manifest (JSON, UTF-8, schema, cross-field rules). */
  | "invalid_manifest"
  /** manifest.json parses but is not byte-identical to the canonical serialisation of its value. */
  | "non_canonical_manifest"
  /** A key or certificate is not an RSA key of at least the minimum size, or cannot be read. */
  | "unsupported_key";

/**
 * @example
 * try {
 *   parseManifest(bytes);
 * } catch (error) {
 *   if (error instanceof CustodyError && error.code === "unsupported_format") reportVersion(error.message);
 *   else throw error;
 * }
 */
export class CustodyError extends Error {
  override readonly name = "CustodyError";
  constructor(
    readonly code: CustodyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
