/**
 * The day roll-up format `logmaster-day/1` (docs/custody-format.md §15):
 * `day-manifest.json` lists, per agent of a hotel, the chunks of one UTC day
 * with their manifest hashes, and names what is missing or failed;
 * `day-manifest.sig` is the hub's RSA PKCS#1 v1.5 SHA-256 signature over its
 * exact bytes. The hub writes it (hub/src/rollup), `logmaster verify`
 * checks it at the root of a day export (shared/src/verify/day.ts).
 */
import { createVerify, X509Certificate } from "node:crypto";
import { z } from "zod";

export const DAY_MANIFEST_FORMAT = "logmaster-day/1";

/** The roll-up's files, in the archive and at the root of a day export (§15). */
export const DAY_ROLLUP_FILES = {
  manifest: "day-manifest.json",
  signature: "day-manifest.sig",
  tsr: "day-manifest.tsr",
  raw: "day-manifest.tsr.raw",
  hubCertificate: "hub.pem",
  tsaChain: "day-tsa-chain.pem",
  tsaCa: "day-tsa-ca.pem",
} as const;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
const chunkIdText = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}(?:\.[1-9]\d*)?$/);
const recordTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

/** One chunk of the day, in chain order (hour, then part). */
const dayChunkSchema = z.strictObject({
  chunk: chunkIdText,
  manifest_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The hub's verdict at seal time. */
  status: z.enum(["verified", "failed"]),
});

const dayAgentSchema = z.strictObject({
  agent_id: id,
  chunks: z.array(dayChunkSchema),
  /** Hours (`YYYY-MM-DDTHH`) or parts (`YYYY-MM-DDTHH.N`) the hub holds no sealed chunk for. */
  missing: z.array(chunkIdText),
  /** Chunks that failed verification at the hub. */
  failed: z.array(chunkIdText),
});

export const dayManifestSchema = z.strictObject({
  format: z.literal(DAY_MANIFEST_FORMAT),
  chain_id: id,
  hotel_id: id,
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  agents: z.array(dayAgentSchema),
  created_at: recordTime,
});

export type DayManifest = z.infer<typeof dayManifestSchema>;

/** Every key in its canonical order (the order of the schemas above, top level first). */
const KEY_ORDER = [
  ...Object.keys(dayManifestSchema.shape),
  ...Object.keys(dayAgentSchema.shape),
  ...Object.keys(dayChunkSchema.shape),
];

/**
 * The canonical bytes: JSON with 2-space indent, keys in the schema's order,
 * strings as JSON.stringify writes them, one `\n` at the end.
 *
 * @example
 * const bytes = serializeDayManifest(manifest); // what day-manifest.sig signs
 */
export function serializeDayManifest(manifest: DayManifest): Uint8Array {
  const checked = dayManifestSchema.parse(manifest);
  return new TextEncoder().encode(`${JSON.stringify(checked, KEY_ORDER, 2)}\n`);
}

/** Why a day manifest or its signature is refused. */
export class DayManifestError extends Error {
  override readonly name = "DayManifestError";
}

/**
 * Parse `day-manifest.json`, refusing anything that is not its own canonical
 * serialisation (as for manifest.json: the bytes are what is signed).
 *
 * @example
 * const manifest = parseDayManifest(await Bun.file("day-manifest.json").bytes());
 */
export function parseDayManifest(bytes: Uint8Array): DayManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new DayManifestError(`day-manifest.json is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const parsed = dayManifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new DayManifestError(
      `day-manifest.json is not ${DAY_MANIFEST_FORMAT}: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  }
  if (Buffer.compare(Buffer.from(serializeDayManifest(parsed.data)), Buffer.from(bytes)) !== 0) {
    throw new DayManifestError("day-manifest.json is not in canonical form");
  }
  return parsed.data;
}

/**
 * Whether `signature` is the hub certificate's RSA PKCS#1 v1.5 SHA-256
 * signature over the exact bytes (what `openssl dgst -sha256 -verify` checks).
 *
 * @example
 * verifyDayManifestSignature(manifestBytes, sigBytes, hubPem); // true
 */
export function verifyDayManifestSignature(
  bytes: Uint8Array,
  signature: Uint8Array,
  hubCertificate: string | X509Certificate,
): boolean {
  const certificate =
    typeof hubCertificate === "string" ? new X509Certificate(hubCertificate) : hubCertificate;
  return createVerify("sha256").update(bytes).verify(certificate.publicKey, signature);
}
