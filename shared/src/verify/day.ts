/**
 * The day roll-up at the root of a day export (docs/custody-format.md §15):
 * the hub's signed, time-stamped statement of which chunks it held for one
 * hotel's UTC day and which it did not. Checked offline like a bundle (its
 * bytes, the hub's certificate and signature, its time-stamp), then against
 * the bundles beside it: a day export must hold exactly the chunks the
 * roll-up lists, with those manifests.
 */

import type { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hubUrn, subjectAltNameUris } from "../custody/certificate-names.ts";
import {
  DAY_ROLLUP_FILES,
  type DayManifest,
  parseDayManifest,
  verifyDayManifestSignature,
} from "../custody/day-manifest.ts";
import { chunkIdOf, sha256Hex } from "../custody/index.ts";
import { BUNDLE_FILES, readSmallFile } from "./bundle.ts";
import {
  type ChainCaReading,
  describeSigningTime,
  oneLineName,
  readChainCa,
  type SigningTime,
  validityProblem,
} from "./certificates.ts";
import type { ChainMember } from "./chain.ts";
import {
  type Check,
  type DayCheckName,
  fail,
  messageOf,
  pass,
  skip,
  type Verdict,
  verdictOf,
  warn,
} from "./checks.ts";
import { readCertificatesFile } from "./encoding.ts";
import { checkTimestamp, type TimestampNames } from "./timestamp.ts";

export interface DayReport {
  dir: string;
  /** From day-manifest.json, when it could be read. */
  day: string | undefined;
  hotelId: string | undefined;
  signingTime: SigningTime | undefined;
  checks: Check<DayCheckName>[];
  verdict: Verdict;
}

const DAY_TIMESTAMP_NAMES: TimestampNames<"day_timestamp"> = {
  check: "day_timestamp",
  tsr: DAY_ROLLUP_FILES.tsr,
  raw: DAY_ROLLUP_FILES.raw,
  tsaChain: DAY_ROLLUP_FILES.tsaChain,
  tsaCa: DAY_ROLLUP_FILES.tsaCa,
  data: DAY_ROLLUP_FILES.manifest,
  unstamped: "nothing but the hub's clock says when this roll-up was made",
};

/** The roll-up's files and chain-ca.pem, read whole (each is small). */
function readDayFiles(dir: string) {
  const names = { ...DAY_ROLLUP_FILES, chainCa: BUNDLE_FILES.chainCa };
  const files: Partial<Record<keyof typeof names, Uint8Array>> = {};
  const unreadable: string[] = [];
  for (const [key, name] of Object.entries(names) as [keyof typeof names, string][]) {
    const content = readSmallFile(join(dir, name));
    if (content instanceof Uint8Array) files[key] = content;
    else if (content !== undefined) unreadable.push(`${name} cannot be read: ${content.problem}`);
  }
  return { files, unreadable };
}

function readManifestCheck(bytes: Uint8Array | undefined): {
  check: Check<"day_manifest">;
  manifest: DayManifest | undefined;
} {
  if (!bytes)
    return {
      check: fail("day_manifest", `${DAY_ROLLUP_FILES.manifest} is missing`),
      manifest: undefined,
    };
  try {
    const manifest = parseDayManifest(bytes);
    const count = (pick: (agent: DayManifest["agents"][number]) => unknown[]) =>
      manifest.agents.reduce((sum, agent) => sum + pick(agent).length, 0);
    return {
      check: pass(
        "day_manifest",
        `hotel ${manifest.hotel_id}, UTC day ${manifest.day}: ${manifest.agents.length} agent(s), ${count((a) => a.chunks)} chunk(s), ${count((a) => a.missing)} missing, ${count((a) => a.failed)} failed; made ${manifest.created_at}`,
      ),
      manifest,
    };
  } catch (error) {
    return { check: fail("day_manifest", messageOf(error)), manifest: undefined };
  }
}

function readHubCertificate(bytes: Uint8Array | undefined): X509Certificate | string {
  if (!bytes) return `${DAY_ROLLUP_FILES.hubCertificate} is missing`;
  try {
    const certificates = readCertificatesFile(bytes, DAY_ROLLUP_FILES.hubCertificate);
    const [certificate] = certificates;
    if (!certificate || certificates.length !== 1)
      return `${DAY_ROLLUP_FILES.hubCertificate} holds ${certificates.length} certificates; it must hold the hub's alone`;
    return certificate;
  } catch (error) {
    return messageOf(error);
  }
}

/**
 * hub.pem names the chain's hub, chain-ca.pem issued it, it was valid at the
 * signing time, and its key made day-manifest.sig over the exact bytes.
 */
function checkDaySignature(
  bytes: Uint8Array | undefined,
  signature: Uint8Array | undefined,
  hub: X509Certificate | string,
  chainCa: ChainCaReading,
  manifest: DayManifest | undefined,
  time: SigningTime | undefined,
): Check<"day_signature"> {
  if (!bytes || !manifest)
    return skip("day_signature", `needs a valid ${DAY_ROLLUP_FILES.manifest}`);
  if (!signature) return fail("day_signature", `${DAY_ROLLUP_FILES.signature} is missing`);
  if (typeof hub === "string") return fail("day_signature", hub);
  if (!chainCa.ca) return fail("day_signature", chainCa.problem);
  const { ca } = chainCa;
  const uris = subjectAltNameUris(hub);
  const problems: string[] = [];
  if (!uris.includes(hubUrn(manifest.chain_id)))
    problems.push(
      `hub.pem names ${uris.join(", ") || "no URI"}, not ${hubUrn(manifest.chain_id)}: not the hub of chain ${manifest.chain_id}`,
    );
  if (hub.ca) problems.push("hub.pem is a CA certificate, not the hub's signing certificate");
  if (hub.issuer !== ca.subject || !hub.checkIssued(ca) || !hub.verify(ca.publicKey))
    problems.push(
      `hub.pem (issuer ${oneLineName(hub.issuer)}) was not issued by chain-ca.pem (${oneLineName(ca.subject)})`,
    );
  if (time) {
    const validity =
      validityProblem(hub, DAY_ROLLUP_FILES.hubCertificate, time) ??
      validityProblem(ca, BUNDLE_FILES.chainCa, time);
    if (validity) problems.push(validity);
  }
  if (!verifyDayManifestSignature(bytes, signature, hub))
    problems.push(
      "day-manifest.sig does not verify with hub.pem's key: day-manifest.json or day-manifest.sig altered, or signed by someone else",
    );
  if (problems.length > 0) return fail("day_signature", problems.join("; "));
  const bits = hub.publicKey.asymmetricKeyDetails?.modulusLength;
  const when = time
    ? `valid ${hub.validFromDate.toISOString()} to ${hub.validToDate.toISOString()}, so at the signing time ${describeSigningTime(time)}`
    : "validity not judged: no signing time";
  return pass(
    "day_signature",
    `RSA-${bits} PKCS#1 v1.5 SHA-256 over the ${bytes.byteLength} bytes of day-manifest.json verifies with hub.pem (${oneLineName(hub.subject)}, serial ${hub.serialNumber.toLowerCase()}), issued by chain-ca.pem; ${when}`,
  );
}

/**
 * The bundles beside the roll-up against what it lists: each listed chunk is
 * there with the listed manifest SHA-256, nothing of the hotel's day is there
 * that it does not list. What the hub did not hold (missing) or rejected
 * (failed) is a warning: true, and what an auditor must read.
 */
function checkDayCoverage(
  manifest: DayManifest | undefined,
  members: readonly ChainMember[],
): Check<"day_coverage"> {
  if (!manifest) return skip("day_coverage", `needs a valid ${DAY_ROLLUP_FILES.manifest}`);
  const listed = new Map<string, string>();
  for (const agent of manifest.agents)
    for (const chunk of agent.chunks)
      listed.set(`${agent.agent_id}/${chunk.chunk}`, chunk.manifest_sha256);
  const problems: string[] = [];
  const seen = new Set<string>();
  let outside = 0;
  for (const { dir, parsed } of members) {
    const { manifest: chunk } = parsed;
    if (chunk.hotel_id !== manifest.hotel_id || !chunk.hour_start.startsWith(manifest.day)) {
      outside++;
      continue;
    }
    const key = `${chunk.agent_id}/${chunkIdOf(chunk)}`;
    const expected = listed.get(key);
    const actual = sha256Hex(parsed.bytes);
    if (expected === undefined) problems.push(`${dir}: chunk ${key} is not in the roll-up`);
    else if (expected !== actual)
      problems.push(
        `${dir}: manifest.json hashes to ${actual}, the roll-up lists ${expected} for ${key}`,
      );
    seen.add(key);
  }
  const absent = [...listed.keys()].filter((key) => !seen.has(key));
  if (absent.length > 0) problems.push(`listed but not in the export: ${absent.join(", ")}`);
  if (problems.length > 0) return fail("day_coverage", problems.join("; "));

  const notes: string[] = [];
  for (const agent of manifest.agents) {
    if (agent.missing.length > 0)
      notes.push(
        `agent ${agent.agent_id}: the hub held no sealed chunk for ${agent.missing.join(", ")}`,
      );
    if (agent.failed.length > 0)
      notes.push(
        `agent ${agent.agent_id}: failed verification at the hub: ${agent.failed.join(", ")}`,
      );
  }
  if (outside > 0)
    notes.push(
      `${outside} bundle(s) of another hotel or day beside it, not covered by the roll-up`,
    );
  const held = `all ${listed.size} chunk(s) the roll-up lists are in the export with the listed manifest SHA-256`;
  return notes.length > 0
    ? warn("day_coverage", `${held}; ${notes.join("; ")}`)
    : pass("day_coverage", `${held}; nothing missing or failed`);
}

/** Whether `dir` holds a day roll-up (its day-manifest.json). */
export function hasDayRollup(dir: string): boolean {
  return existsSync(join(dir, DAY_ROLLUP_FILES.manifest));
}

/**
 * Every check of the day roll-up in `dir`, against the bundles found below
 * it. Never throws for a bad roll-up: what is wrong is a FAIL with its reason.
 *
 * @example
 * const day = await verifyDayRollup("export-2026-11-22", members, { allowUnstamped: false });
 */
export async function verifyDayRollup(
  dir: string,
  members: readonly ChainMember[],
  options: { at?: Date; allowUnstamped?: boolean } = {},
): Promise<DayReport> {
  const { files, unreadable } = readDayFiles(dir);
  const reading = readManifestCheck(files.manifest);
  const { manifest } = reading;
  let timestamp: Awaited<ReturnType<typeof checkTimestamp<"day_timestamp">>>;
  try {
    timestamp = await checkTimestamp(
      { tsr: files.tsr, raw: files.raw, tsaChain: files.tsaChain, tsaCa: files.tsaCa },
      files.manifest,
      { allowUnstamped: options.allowUnstamped ?? false },
      DAY_TIMESTAMP_NAMES,
    );
  } catch (error) {
    timestamp = {
      check: fail("day_timestamp", `could not be checked: ${messageOf(error)}`),
      genTime: undefined,
    };
  }
  const signingTime: SigningTime | undefined = options.at
    ? { at: options.at, source: "option" }
    : timestamp.genTime
      ? { at: timestamp.genTime, source: "timestamp" }
      : manifest
        ? {
            at: new Date(Date.parse(`${manifest.created_at.slice(0, 23)}Z`)),
            source: "rollup_created_at",
            reason: files.tsr
              ? `${DAY_ROLLUP_FILES.tsr} does not verify`
              : `no ${DAY_ROLLUP_FILES.tsr}`,
          }
        : undefined;
  let signature: Check<"day_signature">;
  try {
    signature = checkDaySignature(
      files.manifest,
      files.signature,
      readHubCertificate(files.hubCertificate),
      readChainCa(files.chainCa),
      manifest,
      signingTime,
    );
  } catch (error) {
    signature = fail("day_signature", `could not be checked: ${messageOf(error)}`);
  }
  const checks: Check<DayCheckName>[] = [
    // A roll-up file that exists but cannot be read was taken as absent; say what really happened.
    unreadable.length > 0 ? fail("day_manifest", unreadable.join("; ")) : reading.check,
    signature,
    timestamp.check,
    checkDayCoverage(manifest, members),
  ];
  return {
    dir,
    day: manifest?.day,
    hotelId: manifest?.hotel_id,
    signingTime,
    checks,
    verdict: verdictOf(checks),
  };
}
