/**
 * VERIFY.md at the root of a day export: how to check the hub's day roll-up
 * (docs/custody-format.md §15) with `logmaster verify` or with openssl and
 * sha256sum alone, filled in for the day (every listed chunk with its
 * expected manifest hash, what the hub did not hold). Each bundle below keeps
 * its own VERIFY.md.
 */
import type { DayManifest } from "../../../shared/src/custody/day-manifest.ts";
import { attimeOf, SCRATCH_DIR, timestampVerifyCommands } from "./verify-md.ts";

function unheld(manifest: DayManifest): string {
  const lines = manifest.agents.flatMap((agent) => [
    ...(agent.missing.length > 0
      ? [`- agent ${agent.agent_id}: no sealed chunk for ${agent.missing.join(", ")}`]
      : []),
    ...(agent.failed.length > 0
      ? [`- agent ${agent.agent_id}: failed verification at the hub: ${agent.failed.join(", ")}`]
      : []),
  ]);
  return lines.length > 0
    ? `The roll-up states what the hub did **not** hold that day:\n\n${lines.join("\n")}`
    : "The roll-up states that the hub held every expected hour of every agent that day.";
}

/**
 * The root VERIFY.md of a day export.
 *
 * @example
 * await Bun.write(join(outDir, "VERIFY.md"), renderDayVerifyMd(manifest, { stamped: true }));
 */
export function renderDayVerifyMd(manifest: DayManifest, options: { stamped: boolean }): string {
  const attime = attimeOf({ timestamp: undefined, createdAt: manifest.created_at });
  const chunkLines = manifest.agents.flatMap((agent) =>
    agent.chunks.map(
      (chunk) =>
        `sha256sum ${agent.agent_id}/${chunk.chunk}/manifest.json   # expected: ${chunk.manifest_sha256}`,
    ),
  );
  const count = chunkLines.length;
  const timestampStep = options.stamped
    ? `# 3. The time-stamp covers this day-manifest.json.
${timestampVerifyCommands({
  data: "day-manifest.json",
  tsr: "day-manifest.tsr",
  tsaCa: "day-tsa-ca.pem",
  tsaChain: "day-tsa-chain.pem",
})}`
    : `# 3. No day-manifest.tsr: the hub has not obtained a time-stamp for this roll-up yet
#    (it retries daily; export the day again later).`;
  return `# Verifying hotel ${manifest.hotel_id}, UTC day ${manifest.day}

This export holds the ${count} chunk(s) the hub held for hotel ${manifest.hotel_id} on the UTC
day ${manifest.day} (\`<agent>/<chunk>/\`, each with its own VERIFY.md) and the hub's
signed${options.stamped ? ", time-stamped" : ""} statement of that day, \`day-manifest.json\` (custody format §15).

${unheld(manifest)}

With LogMaster's verifier, everything at once (exit code 0: no check failed;
read its WARN lines, e.g. a time-stamp by LogMaster's built-in development TSA,
which verifies but has no legal value):

\`\`\`sh
logmaster verify .
\`\`\`

With standard tools only (\`sha256sum\`, \`openssl\`, \`date\`, \`mktemp\`), in this
directory; each command says what must come out. They only read the export: the
one file they write (the hub's public key) goes to a temporary directory. The hub
signed the roll-up at \`${attime}\`.

\`\`\`sh
${SCRATCH_DIR.make}

# 1. The chain CA issued the hub's signing certificate, valid when it signed.
openssl verify -attime "$(date -u -d ${attime} +%s)" -CAfile chain-ca.pem hub.pem
#    -> hub.pem: OK
openssl x509 -in hub.pem -noout -ext subjectAltName   # expected: URI:urn:logmaster:${manifest.chain_id}:hub

# 2. The hub's key signed exactly this day-manifest.json.
openssl x509 -in hub.pem -pubkey -noout > "$scratch/hub-pub.pem"
openssl dgst -sha256 -verify "$scratch/hub-pub.pem" -signature day-manifest.sig day-manifest.json
#    -> Verified OK

${timestampStep}

# 4. Every chunk the roll-up lists is here, unchanged (compare with "manifest_sha256"
#    in day-manifest.json); then verify each chunk with its own VERIFY.md.
${count > 0 ? `${chunkLines.join("\n")}\nls -d */*/ | wc -l                                 # expected: ${count}` : "# (the roll-up lists no chunk, and the export holds none)"}

${SCRATCH_DIR.remove}
\`\`\`
`;
}
