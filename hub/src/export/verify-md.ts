/**
 * VERIFY.md of an evidence bundle: the standard-tool commands of
 * docs/custody-format.md §10, filled in for one chunk (its file names, the
 * expected values, the `-attime` of its time-stamp, the previous chunk's
 * directory). The one template every bundle's VERIFY.md comes from.
 *
 * Following it must leave the evidence as it was: what the commands write
 * (a public key) goes to a `mktemp -d` directory, never into the bundle.
 */
import { DEVELOPMENT_TSA_POLICY_OID } from "../../../shared/src/timestamp/development-tsa.ts";

/** What VERIFY.md needs to know about one exported chunk. */
export interface VerifyFacts {
  hotelId: string;
  agentId: string;
  chunk: string;
  /** The hub's verdict at seal time and its reason when failed. */
  status: string;
  reason: string | null;
  recordsSha256: string;
  byteLength: number;
  recordCount: number;
  /** Format 1.1: the manifest's Merkle root over the lines; absent for format 1. */
  merkle?: { root: string; size: number };
  agentCertSha256: string;
  /** The agent certificate's serial, lower-case hex, and whether the CRL lists it. */
  agentSerialHex: string;
  revokedAt: string | undefined;
  createdAt: string;
  /** Set when manifest.tsr is in the bundle. */
  timestamp: { genTime: string; serial: string; tsaName: string | null } | undefined;
  /** The agent's previous chunk: in this export (`dir` = its sibling directory) or not. */
  previous:
    | { kind: "first" }
    | { kind: "in-export"; chunk: string; dir: string; manifestSha256: string }
    | { kind: "not-exported"; chunk: string; manifestSha256: string }
    | { kind: "unknown"; manifestSha256: string };
}

/** The instant for `openssl verify -attime`, as `date -u -d` reads it (whole seconds, UTC). */
export function attimeOf(facts: Pick<VerifyFacts, "timestamp" | "createdAt">): string {
  const iso = facts.timestamp?.genTime ?? facts.createdAt;
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/**
 * The shell line that makes the scratch directory the commands write into,
 * outside the evidence, and the one that removes it at the end.
 */
export const SCRATCH_DIR = {
  make: `scratch="$(mktemp -d)"   # scratch files go here, never into the evidence`,
  remove: `rm -r "$scratch"`,
};

/**
 * The openssl commands that check an RFC 3161 time-stamp over a file, with
 * what openssl prints besides the verdict, and how to tell the development
 * TSA's time-stamps (no legal value) apart. For a bundle and a day roll-up.
 */
export function timestampVerifyCommands(files: {
  data: string;
  tsr: string;
  tsaCa: string;
  tsaChain: string;
  /** What the token's time and serial number must be, when known. */
  expected?: string;
}): string {
  const expected = files.expected ? `\n#    expected: ${files.expected}` : "";
  return `openssl ts -verify -data ${files.data} -in ${files.tsr} -CAfile ${files.tsaCa} -untrusted ${files.tsaChain}
#    -> Verification: OK
#    OpenSSL 3 also prints "Warning: certificate from '${files.tsaChain}' with subject '...' is not a
#    CA cert" (and "Using configuration from .../openssl.cnf"): ${files.tsaChain} starts with the
#    TSA's own certificate, which signs time-stamps and rightly is no CA. Expected and harmless.
openssl ts -reply -in ${files.tsr} -text | grep -E 'Policy OID|Serial number|Time stamp'${expected}
#    Policy OID ${DEVELOPMENT_TSA_POLICY_OID} is LogMaster's built-in
#    development TSA (a hub without TSA_URL): the time-stamp verifies, but has NO legal value.`;
}

function previousStep(facts: VerifyFacts): string {
  const previous = facts.previous;
  switch (previous.kind) {
    case "first":
      return `# 6. The hash chain: this is the agent's first chunk ("prev_manifest_sha256": null).
grep '"prev_manifest_sha256"' manifest.json`;
    case "in-export":
      return `# 6. The hash chain: the previous chunk (${previous.chunk}) is in this export at ${previous.dir}.
sha256sum ${previous.dir}/manifest.json      # expected: ${previous.manifestSha256}
grep '"prev_manifest_sha256"' manifest.json    # expected: the same hash
grep -E '"(prev_manifest_sha256|hour_start|hour_end|part|window_start|window_end|first_seq|last_seq)"' manifest.json ${previous.dir}/manifest.json
#    window_start = previous window_end; same hour: part = previous part + 1;
#    next hour: previous window_end = previous hour_end and part = 0;
#    first_seq = previous last_seq + 1 (custody format §7)`;
    case "not-exported":
      return `# 6. The hash chain: the previous chunk (${previous.chunk}) is not in this export; export it too
#    (logmaster-hub export --chunk ${previous.chunk} --agent ${facts.agentId}) and check
#    sha256sum ../${previous.chunk}/manifest.json against:
grep '"prev_manifest_sha256"' manifest.json    # expected: ${previous.manifestSha256}`;
    case "unknown":
      return `# 6. The hash chain: the hub holds no previous chunk of this agent; the manifest names:
grep '"prev_manifest_sha256"' manifest.json    # expected: ${previous.manifestSha256}`;
  }
}

/** Format 1.1: what merkle_root is for, and where its recomputation is described. */
export function merkleNote(facts: Pick<VerifyFacts, "merkle">): string {
  if (!facts.merkle) return "";
  return `grep -E '"merkle_(root|size)"' manifest.json   # expected: ${facts.merkle.root}, ${facts.merkle.size}
#    Format logmaster-chunk/1.1: the agent also signed this RFC 6962 Merkle root over the
#    lines, so single lines can be proven without the others. \`logmaster verify\` recomputes
#    it; custody format §16.4 does it in a few lines of Python.
`;
}

/** Step 1: records.jsonl is the one the manifest describes (its hash, length, lines; the Merkle root of 1.1). */
export function recordsStep(
  facts: Pick<VerifyFacts, "recordsSha256" | "byteLength" | "recordCount" | "merkle">,
): string {
  return `# 1. The records are the ones the manifest describes.
sha256sum records.jsonl                       # expected: ${facts.recordsSha256}  records.jsonl
grep '"records_sha256"' manifest.json         # expected: the same hash
wc -c < records.jsonl                         # expected: ${facts.byteLength} (byte_length)
wc -l < records.jsonl                         # expected: ${facts.recordCount} (record_count)
${merkleNote(facts)}`;
}

/** Steps 2 to 4 of a chunk's checks: the agent certificate, its signature over manifest.json, its chain CA. */
export function signatureSteps(
  facts: Pick<VerifyFacts, "agentCertSha256" | "agentId" | "hotelId" | "timestamp" | "createdAt">,
): string {
  const attime = attimeOf(facts);
  return `# 2. The certificate is the one the manifest names.
openssl x509 -in agent.pem -outform DER | sha256sum   # expected: ${facts.agentCertSha256}
openssl x509 -in agent.pem -noout -subject -ext subjectAltName   # names ${facts.agentId} of hotel ${facts.hotelId}

# 3. The agent's key signed exactly this manifest.json.
openssl x509 -in agent.pem -pubkey -noout > "$scratch/agent-pub.pem"
openssl dgst -sha256 -verify "$scratch/agent-pub.pem" -signature manifest.sig manifest.json
#    -> Verified OK

# 4. The chain CA issued the agent certificate, and it was valid at ${attime}.
openssl verify -attime "$(date -u -d ${attime} +%s)" -CAfile chain-ca.pem agent.pem
#    -> agent.pem: OK`;
}

/** Step 5: the chunk's time-stamp over manifest.json, or why there is none. */
export function timestampStep(facts: Pick<VerifyFacts, "timestamp">): string {
  return facts.timestamp
    ? `# 5. The time-stamp covers this manifest.json (custody format §8).
${timestampVerifyCommands({
  data: "manifest.json",
  tsr: "manifest.tsr",
  tsaCa: "tsa-ca.pem",
  tsaChain: "tsa-chain.pem",
  expected: `Time stamp: the time of ${facts.timestamp.genTime}; Serial number: 0x${facts.timestamp.serial.toUpperCase()}`,
})}`
    : `# 5. No manifest.tsr: the hub has not obtained a time-stamp for this chunk yet
#    (awaiting-timestamp or timestamp_failed; see logmaster-hub chunk list).`;
}

/** Step 7: the chain CA's CRL, and whether it lists the agent certificate. */
export function revocationStep(facts: Pick<VerifyFacts, "agentSerialHex" | "revokedAt">): string {
  const revocation = facts.revokedAt
    ? `the CRL lists it, revoked at ${facts.revokedAt}: chunks time-stamped before that instant stand, later ones do not`
    : "the CRL does not list it (not revoked when this bundle was made)";
  return `# 7. Revocation: the chain CA's CRL, signed by the CA, lists revoked agent certificates.
openssl crl -in chain-ca.crl.pem -CAfile chain-ca.pem -noout -verify
#    -> verify OK (older OpenSSL prints "verify OK" on stderr)
openssl x509 -in agent.pem -noout -serial     # expected: serial=${facts.agentSerialHex.toUpperCase()}
openssl crl -in chain-ca.crl.pem -noout -text | grep -i -A1 'Serial Number: ${facts.agentSerialHex.toUpperCase()}' || echo "serial not in the CRL"
#    expected: ${revocation}`;
}

/** How to read the CRL of step 7, below the commands. */
export const READING_THE_CRL = `Reading the CRL (\`openssl crl -in chain-ca.crl.pem -noout -text\`): each
\`Serial Number\` under "Revoked Certificates" is a revoked certificate, and
\`Revocation Date\` when it was revoked. A chunk signed by a certificate that
was revoked *after* the chunk's time-stamp (step 5) stays valid evidence; one
time-stamped after the revocation date does not. "Last Update" is when the hub
wrote this CRL, at export.`;

/**
 * The VERIFY.md of one chunk's bundle directory.
 *
 * @example
 * await Bun.write(join(dir, "VERIFY.md"), renderVerifyMd(facts));
 */
export function renderVerifyMd(facts: VerifyFacts): string {
  const attime = attimeOf(facts);
  const verdict =
    facts.status === "verified"
      ? "The hub verified this chunk when it was sealed (records hash, signature, chain link)."
      : `**The hub marked this chunk ${facts.status.toUpperCase()}${facts.reason ? `: ${facts.reason}` : ""}.** The commands below show what does not hold.`;
  const timeSource = facts.timestamp
    ? `the time-stamp's genTime (${facts.timestamp.genTime})`
    : `the manifest's created_at (${facts.createdAt}; no time-stamp yet)`;
  return `# Verifying chunk ${facts.chunk} of agent ${facts.agentId} (hotel ${facts.hotelId})

${verdict}

Everything below needs only \`sha256sum\`, \`openssl\`, \`grep\`, \`wc\`, \`date\` and
\`mktemp\`. Run the commands in this directory; each says what must come out. They
only read the bundle: the one file they write (the agent's public key) goes to a
temporary directory, so the bundle keeps exactly the files it was exported with.
The format is specified in LogMaster's docs/custody-format.md (§10 lists these
steps). The reference time for certificate checks is ${timeSource}: \`${attime}\`.

\`\`\`sh
${SCRATCH_DIR.make}

${recordsStep(facts)}
${signatureSteps(facts)}

${timestampStep(facts)}

${previousStep(facts)}

${revocationStep(facts)}

${SCRATCH_DIR.remove}
\`\`\`

${READING_THE_CRL}

To read a \`msg_b64\` payload: \`base64 -d <<< '<value>' | od -c\`.
`;
}
