/**
 * VERIFY.md of a disclosure pack: what was asked and by whom, the two
 * verifiers (`verify_disclosure.py`, `logmaster verify`), and per chunk the
 * same openssl commands as a bundle's VERIFY.md (hub/src/export/verify-md.ts,
 * whose steps are reused here) for the signature, the certificate chain, the
 * time-stamp and the CRL.
 */
import { DISCLOSURE_FILES, type Disclosure } from "../../../shared/src/custody/index.ts";
import {
  attimeOf,
  merkleNote,
  READING_THE_CRL,
  recordsStep,
  revocationStep,
  SCRATCH_DIR,
  signatureSteps,
  timestampStep,
  type VerifyFacts,
} from "../export/verify-md.ts";
import { type DiscloseQuery, discloseQuerySchema } from "./request.ts";

/** The question of a pack in one English sentence (VERIFY.md; the PDF says it in Turkish). */
export function questionText(query: DiscloseQuery): string {
  switch (query.kind) {
    case "ip":
      return `who had the address ${query.ip} at ${query.at} (lookup ip)`;
    case "mac":
      return `every address and hotspot session of the device ${query.mac} from ${query.from} to ${query.to} (lookup mac)`;
    case "nat":
      return `which connection went out on the public address ${query.address} at ${query.at} (lookup nat)`;
    default: {
      const { kind: _kind, from, to, ...filters } = query;
      const given = Object.entries(filters)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => `${name} ${JSON.stringify(value)}`);
      return `the log lines from ${from} to ${to}${given.length > 0 ? ` with ${given.join(", ")}` : ""} (search)`;
    }
  }
}

function chunkSection(entry: Disclosure["chunks"][number], facts: VerifyFacts): string {
  const whole = entry.disclosed === "whole";
  const firstStep = whole
    ? recordsStep(facts)
    : `# 1. The disclosed lines: verify_disclosure.py (above) leads each line of lines.jsonl
#    through its audit path to this Merkle root, which the agent signed (step 3).
${merkleNote(facts)}`;
  const heading = whole
    ? `format ${entry.format}, no Merkle tree: **disclosed whole**, all ${facts.recordCount} records (asked: seq ${entry.seqs.join(", ")})`
    : `format ${entry.format}: ${entry.seqs.length} line(s), seq ${entry.seqs.join(", ")}`;
  return `### ${entry.dir} (${heading})

Reference time for the certificate checks: \`${attimeOf(facts)}\`.

\`\`\`sh
cd ${entry.dir}
${SCRATCH_DIR.make}

${firstStep}
${signatureSteps(facts)}

${timestampStep(facts)}

${revocationStep(facts)}

${SCRATCH_DIR.remove}
cd -
\`\`\``;
}

/**
 * The pack's VERIFY.md; `facts` in the order of `disclosure.chunks`.
 *
 * @example
 * await writeFile(join(dir, "VERIFY.md"), renderDisclosureVerifyMd(disclosure, facts));
 */
export function renderDisclosureVerifyMd(
  disclosure: Disclosure,
  facts: readonly VerifyFacts[],
): string {
  const whole = disclosure.chunks.filter((chunk) => chunk.disclosed === "whole");
  const wholeNote =
    whole.length === 0
      ? ""
      : `\n**${whole.length} chunk(s) of format 1 (${whole.map((chunk) => chunk.dir).join(", ")}) have no Merkle tree and are disclosed whole**: every record of their hours, not only the lines asked for. \`verify_disclosure.py\` and \`logmaster verify\` say so as a WARN.\n`;
  return `# Verifying disclosure pack "${disclosure.case}" (hotel ${disclosure.hotel_name}, ${disclosure.hotel_id})

Asked: ${questionText(discloseQuerySchema.parse(disclosure.query))}.
Made by ${disclosure.made_by} at ${disclosure.made_at}; the hub's audit log row #${disclosure.audit_id} records it.

This pack holds ${disclosure.lines} log line(s) from ${disclosure.chunks.length} chunk(s): only
the lines that answer the question, not the hours around them. Each line in a
chunk's \`${DISCLOSURE_FILES.lines}\` comes with its place in the chunk's records.jsonl (\`index\`)
and an RFC 6962 audit path: the hashes that, with the line, rebuild the Merkle root
the hotel's agent signed in \`manifest.json\` (format \`logmaster-chunk/1.1\`). The pack's
layout is LogMaster's docs/custody-format.md §17; the tree is §16.
${wholeNote}
## 1. The lines are lines of the signed records

\`\`\`sh
python3 ${DISCLOSURE_FILES.verifier}     # Python 3 standard library only
#    -> a PASS per line and per chunk, then "N passed, 0 warnings, 0 failed" (exit 0)
logmaster verify .                 # LogMaster's verifier: the lines, and the checks of section 2
\`\`\`

Both check that every line rebuilds its chunk's signed root, that each chunk holds
exactly the seqs \`${DISCLOSURE_FILES.index}\` lists (nothing added, removed or moved), and that
each \`manifest.json\` is the one \`${DISCLOSURE_FILES.index}\` names by SHA-256.

## 2. Each chunk: signature, certificate, time-stamp, revocation

The same commands as for a whole evidence bundle (docs/custody-format.md §10), run in
each chunk's directory. They only read the pack: the one file they write (the agent's
public key) goes to a temporary directory. A disclosure does not carry the chunks
before these, so the hash chain between chunks (step 6 of a bundle) is checked on
whole bundles (\`logmaster-hub export\`), not here.

${disclosure.chunks.map((entry, i) => chunkSection(entry, facts[i] as VerifyFacts)).join("\n\n")}

${READING_THE_CRL}

## 3. The summary

\`${DISCLOSURE_FILES.summaryPdf}\` says the same in Turkish for the court: the question, the answer,
the hotel, the times on Europe/Istanbul wall time (and UTC), the lines, and these steps.
It is a reading aid; the proof is the files above.
`;
}
