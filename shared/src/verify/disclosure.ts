/**
 * Disclosure packs (`logmaster-disclosure/1`, docs/custody-format.md §11) as
 * `logmaster verify` checks them. A pack is a directory with disclosure.json
 * at its root and one folder per chunk the question touched,
 * `<agent>/<chunk>/`. Each folder gets the checks of a bundle's chunk
 * (manifest, agent certificate, signature, time-stamp, certificate chain,
 * revocation: verifyChunkDir, shared with bundles); only the records checks
 * are replaced: a 1.1 chunk holds lines.jsonl, and each of its lines is
 * proven on its own against the signed Merkle root; a format-1 chunk is held
 * whole and checked as a bundle's records are, with a WARN that it holds
 * more than was asked for. The pack's own verify_disclosure.py reaches the
 * same verdicts (tests/verify-disclosure.test.ts runs both).
 */
import { statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { readLines } from "../cli/lines.ts";
import {
  CHUNK_FORMAT_1,
  CHUNK_FORMAT_1_1,
  chunkIdOf,
  DISCLOSURE_FILES,
  DISCLOSURE_FORMAT,
  type DisclosedChunk,
  type Disclosure,
  disclosedLineSchema,
  disclosureSchema,
  hasMerkleRoot,
  lineIsInChunk,
  type Manifest,
  type ManifestV1_1,
  sha256Hex,
} from "../custody/index.ts";
import { BUNDLE_FILES, findBundleDirs, readSmallFile } from "./bundle.ts";
import {
  type Check,
  type ChunkCheckName,
  type DisclosureCheckName,
  fail,
  messageOf,
  pass,
  skip,
  type Verdict,
  verdictOf,
  warn,
} from "./checks.ts";
import { checkRecords } from "./chunk.ts";
import {
  type BundleReport,
  type ContentChecks,
  countStatuses,
  type VerifyOptions,
  type VerifyReport,
  verifyChunkDir,
} from "./verify.ts";

/** The pack's own checks (its chunk folders are reported as bundles are). */
export interface DisclosureReport {
  dir: string;
  /** From disclosure.json, when it is valid. */
  caseRef: string | undefined;
  hotelId: string | undefined;
  lines: number | undefined;
  checks: Check<DisclosureCheckName>[];
  verdict: Verdict;
}

/** A line of lines.jsonl longer than this is cut, and so fails as not JSON. */
const MAX_DISCLOSED_LINE_BYTES = 64 * 1024 * 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Whether `dir` is a disclosure pack: disclosure.json at its root.
 *
 * @example
 * if (isDisclosurePack(dir)) report = await verifyDisclosurePack(dir, options);
 */
export function isDisclosurePack(dir: string): boolean {
  try {
    return statSync(join(dir, DISCLOSURE_FILES.index)).isFile();
  } catch {
    return false;
  }
}

/** `21, 22, 27`; past ten seqs, the first ten and how many in all. */
function seqList(seqs: readonly number[]): string {
  const shown = seqs.slice(0, 10).join(", ");
  return seqs.length > 10 ? `${shown}, ... (${seqs.length} in all)` : shown;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

interface DisclosureReading {
  check: Check<"disclosure">;
  disclosure: Disclosure | undefined;
  /** The chunks whose folder can be checked (listed once, inside the pack). */
  chunks: DisclosedChunk[];
}

/** disclosure.json: the schema, and chunk folders that stay inside the pack, each listed once. */
function readDisclosure(root: string): DisclosureReading {
  const failed = (detail: string): DisclosureReading => ({
    check: fail("disclosure", detail),
    disclosure: undefined,
    chunks: [],
  });
  const bytes = readSmallFile(join(root, DISCLOSURE_FILES.index));
  if (bytes === undefined) return failed(`${DISCLOSURE_FILES.index} is missing`);
  if (!(bytes instanceof Uint8Array))
    return failed(`${DISCLOSURE_FILES.index} cannot be read: ${bytes.problem}`);
  let json: unknown;
  try {
    json = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    return failed(`${DISCLOSURE_FILES.index} is not JSON: ${messageOf(error)}`);
  }
  const parsed = disclosureSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    return failed(
      `${DISCLOSURE_FILES.index} is not a ${DISCLOSURE_FORMAT} index: ${issues.join("; ")}`,
    );
  }
  const disclosure = parsed.data;
  const problems: string[] = [];
  const chunks: DisclosedChunk[] = [];
  const listed = new Set<string>();
  for (const chunk of disclosure.chunks) {
    if (chunk.dir.split("/").some((part) => part === "." || part === ".."))
      problems.push(`chunk folder ${chunk.dir} is not inside the pack`);
    else if (listed.has(chunk.dir)) problems.push(`chunk folder ${chunk.dir} is listed twice`);
    else chunks.push(chunk);
    listed.add(chunk.dir);
  }
  if (disclosure.chunks.length === 0) problems.push("it lists no chunk: the pack proves nothing");
  if (problems.length > 0)
    return {
      check: fail("disclosure", `${DISCLOSURE_FILES.index}: ${problems.join("; ")}`),
      disclosure,
      chunks,
    };
  return {
    check: pass(
      "disclosure",
      `case "${disclosure.case}", hotel ${disclosure.hotel_id} (${disclosure.hotel_name}): ${plural(disclosure.lines, "line")} from ${plural(disclosure.chunks.length, "chunk")}, made by ${disclosure.made_by} at ${disclosure.made_at}; asked: ${JSON.stringify(disclosure.query)}`,
    ),
    disclosure,
    chunks,
  };
}

/** Every chunk folder (a folder with a manifest.json) below the root is listed, every listed one is there. */
function checkFolders(root: string, listed: readonly string[]): Check<"disclosure_folders"> {
  let found: string[];
  try {
    found = findBundleDirs(root).map((dir) => relative(root, dir).split(sep).join("/") || ".");
  } catch (error) {
    return fail("disclosure_folders", messageOf(error));
  }
  const foundSet = new Set(found);
  const listedSet = new Set(listed);
  const problems = [
    ...found
      .filter((dir) => !listedSet.has(dir))
      .map((dir) => `${dir}: a chunk folder that ${DISCLOSURE_FILES.index} does not list`),
    ...listed
      .filter((dir) => !foundSet.has(dir))
      .map((dir) => `${dir}: listed in ${DISCLOSURE_FILES.index} but not in the pack`),
  ];
  return problems.length > 0
    ? fail("disclosure_folders", problems.join("; "))
    : pass(
        "disclosure_folders",
        `the pack's ${plural(found.length, "chunk folder")} are the ones ${DISCLOSURE_FILES.index} lists`,
      );
}

/** manifest.json is the one disclosure.json names, and disclosure.json names its chunk right. */
function checkDisclosedManifest(
  chunk: DisclosedChunk,
  bytes: Uint8Array | undefined,
  manifest: Manifest | undefined,
): Check<"disclosed_manifest"> {
  if (!bytes) return skip("disclosed_manifest", `needs ${BUNDLE_FILES.manifest}`);
  const sha256 = sha256Hex(bytes);
  const problems: string[] = [];
  if (sha256 !== chunk.manifest_sha256)
    problems.push(
      `its SHA-256 is ${sha256}, ${DISCLOSURE_FILES.index} names ${chunk.manifest_sha256}: not the manifest the pack was made from`,
    );
  if (manifest) {
    const said = `${DISCLOSURE_FILES.index} lists ${chunk.dir} as`;
    const id = chunkIdOf(manifest);
    if (chunk.agent_id !== manifest.agent_id || chunk.dir.split("/")[0] !== manifest.agent_id)
      problems.push(
        `${said} agent ${chunk.agent_id}, the manifest's agent is ${manifest.agent_id}`,
      );
    if (chunk.chunk !== id || chunk.dir.split("/")[1] !== id)
      problems.push(`${said} chunk ${chunk.chunk}, the manifest's chunk is ${id}`);
    if (chunk.format !== manifest.format)
      problems.push(`${said} format ${chunk.format}, the manifest's is ${manifest.format}`);
  }
  return problems.length > 0
    ? fail("disclosed_manifest", problems.join("; "))
    : pass(
        "disclosed_manifest",
        `SHA-256 ${sha256} = manifest_sha256 of ${chunk.dir} in ${DISCLOSURE_FILES.index}`,
      );
}

/** The seq of a disclosed line's record, when it has one. */
function seqOfRecordLine(line: string): number | undefined {
  try {
    const record: unknown = JSON.parse(line);
    const seq = (record as { seq?: unknown } | null)?.seq;
    return Number.isSafeInteger(seq) ? (seq as number) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 1.1 chunk: each line of lines.jsonl (one `disclosed_line` check each)
 * leads to the signed root, lies in the chunk's seqs and follows the line
 * before; then the lines are exactly the seqs disclosure.json lists
 * (`disclosed_lines`).
 */
async function checkDisclosedLines(
  path: string,
  chunk: DisclosedChunk,
  manifest: ManifestV1_1,
): Promise<Check<ChunkCheckName>[]> {
  const file = Bun.file(path);
  if (!(await file.exists()))
    return [fail("disclosed_lines", `${DISCLOSURE_FILES.lines} is missing`)];
  const checks: Check<ChunkCheckName>[] = [];
  const seen: (number | undefined)[] = [];
  let lastIndex = -1;
  let number = 0;
  const range =
    manifest.first_seq === null ? "no records" : `seqs ${manifest.first_seq}..${manifest.last_seq}`;
  for await (const bytes of readLines(file.stream(), MAX_DISCLOSED_LINE_BYTES)) {
    number++;
    const where = `${DISCLOSURE_FILES.lines}:${number}`;
    let item: unknown;
    try {
      item = JSON.parse(strictUtf8.decode(bytes));
    } catch (error) {
      checks.push(fail("disclosed_line", `${where}: not JSON (${messageOf(error)})`));
      continue;
    }
    const parsed = disclosedLineSchema.safeParse(item);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.join(".") || "(line)"}: ${i.message}`,
      );
      checks.push(fail("disclosed_line", `${where}: not a disclosed line (${issues.join("; ")})`));
      continue;
    }
    const line = parsed.data;
    const seq = seqOfRecordLine(line.line);
    seen.push(seq);
    const problems: string[] = [];
    if (line.index <= lastIndex)
      problems.push(
        `index ${line.index} does not follow ${lastIndex}: lines go in records.jsonl order, each once`,
      );
    else lastIndex = line.index;
    const proven = lineIsInChunk(line, manifest);
    if (!proven)
      problems.push(
        "its leaf and audit path do not lead to the signed merkle_root: the line or its path was altered, or it is not a line of this chunk",
      );
    if (seq === undefined) problems.push("its line is not a record with a seq");
    else if (
      manifest.first_seq === null ||
      seq < manifest.first_seq ||
      seq > (manifest.last_seq ?? -1)
    )
      problems.push(`seq ${seq} is outside the chunk's ${range}`);
    checks.push(
      problems.length > 0
        ? fail(
            "disclosed_line",
            `${where}: seq ${seq ?? "?"}, index ${line.index}: ${problems.join("; ")}`,
          )
        : pass(
            "disclosed_line",
            `${where}: seq ${seq}, line ${line.index + 1} of records.jsonl: its leaf and audit path (${line.audit_path.length} hash${line.audit_path.length === 1 ? "" : "es"}) lead to the signed merkle_root`,
          ),
    );
  }
  return [...checks, checkLinesAreListed(seen, chunk, await endsWithNewline(file))];
}

async function endsWithNewline(file: Bun.BunFile): Promise<boolean> {
  if (file.size === 0) return true;
  const [last] = await file.slice(file.size - 1).bytes();
  return last === 0x0a;
}

/** The lines of lines.jsonl are exactly the seqs disclosure.json lists: none removed, added or repeated. */
function checkLinesAreListed(
  seen: readonly (number | undefined)[],
  chunk: DisclosedChunk,
  endsWithNewline: boolean,
): Check<"disclosed_lines"> {
  const listed = new Set(chunk.seqs);
  const present = new Set(seen);
  const problems: string[] = [];
  const missing = chunk.seqs.filter((seq) => !present.has(seq));
  if (missing.length > 0)
    problems.push(
      `seq ${seqList(missing)}: listed in ${DISCLOSURE_FILES.index} but not in ${DISCLOSURE_FILES.lines} (a line removed)`,
    );
  const added = seen.filter((seq) => seq === undefined || !listed.has(seq));
  if (added.length > 0)
    problems.push(
      `seq ${added.map((seq) => seq ?? "?").join(", ")}: in ${DISCLOSURE_FILES.lines} but not listed in ${DISCLOSURE_FILES.index} (a line added)`,
    );
  const repeated = [...present].filter(
    (seq) => seq !== undefined && seen.filter((s) => s === seq).length > 1,
  );
  if (repeated.length > 0) problems.push(`seq ${repeated.join(", ")}: more than once`);
  if (!endsWithNewline) problems.push(`${DISCLOSURE_FILES.lines} does not end with \\n`);
  return problems.length > 0
    ? fail("disclosed_lines", problems.join("; "))
    : pass(
        "disclosed_lines",
        `${plural(seen.length, "line")}, seq ${seqList(chunk.seqs) || "none"}: exactly the seqs ${DISCLOSURE_FILES.index} lists`,
      );
}

/**
 * A format-1 chunk (no tree) is disclosed whole: records.jsonl gets a
 * bundle's records checks (records_sha256, byte_length, ...), and a WARN
 * that it holds every record of the chunk, not only those asked for.
 */
async function checkDisclosedWhole(
  recordsPath: string,
  chunk: DisclosedChunk,
  manifest: Manifest,
  options: VerifyOptions,
  dir: string,
): Promise<Check<ChunkCheckName>[]> {
  if (hasMerkleRoot(manifest))
    return [
      fail(
        "disclosed_whole",
        `a ${CHUNK_FORMAT_1_1} chunk has a Merkle tree: it is disclosed by its lines (${DISCLOSURE_FILES.lines}, with audit paths), never whole`,
      ),
    ];
  const records = await checkRecords(
    recordsPath,
    manifest,
    options.onProgress &&
      ((doneBytes, totalBytes) => options.onProgress?.({ dir, doneBytes, totalBytes })),
  );
  const outside = chunk.seqs.filter(
    (seq) =>
      manifest.first_seq === null || seq < manifest.first_seq || seq > (manifest.last_seq ?? -1),
  );
  const whole =
    outside.length > 0
      ? fail(
          "disclosed_whole",
          `seq ${seqList(outside)}, listed in ${DISCLOSURE_FILES.index}, is not among the chunk's records`,
        )
      : warn(
          "disclosed_whole",
          `disclosed whole: ${plural(manifest.record_count, "record")}, not only the ${chunk.seqs.length} asked for (seq ${seqList(chunk.seqs)}): format ${CHUNK_FORMAT_1} has no Merkle tree to prove single lines`,
        );
  return [records.records, records.match, records.merkle, records.window, whole];
}

/** What replaces a bundle's records checks in a pack's chunk folder. */
function disclosedContents(chunk: DisclosedChunk, options: VerifyOptions): ContentChecks {
  return async ({ dir, bundle, manifest }) => {
    const named = checkDisclosedManifest(chunk, bundle.files.manifest, manifest);
    if (!manifest) {
      const what = chunk.disclosed === "whole" ? "disclosed_whole" : "disclosed_lines";
      return [named, skip(what, "needs manifest.json's fields")];
    }
    if (chunk.disclosed === "whole")
      return [
        named,
        ...(await checkDisclosedWhole(bundle.recordsPath, chunk, manifest, options, dir)),
      ];
    if (!hasMerkleRoot(manifest))
      return [
        named,
        fail(
          "disclosed_lines",
          `a ${CHUNK_FORMAT_1} chunk has no Merkle tree: its lines cannot be proven one by one, so it can only be disclosed whole`,
        ),
      ];
    return [
      named,
      ...(await checkDisclosedLines(join(dir, DISCLOSURE_FILES.lines), chunk, manifest)),
    ];
  };
}

/**
 * Every check of a disclosure pack: disclosure.json, the chunk folders it
 * lists (and no other), and per chunk folder a bundle's manifest, signature,
 * certificate and time-stamp checks with, instead of the records checks, one
 * PASS or FAIL per disclosed line (or, for a format-1 chunk disclosed whole,
 * its records checks and a WARN). The chunks of a pack are the ones a
 * question touched, not a run of them: no hash chain is checked across them.
 *
 * @example
 * const report = await verifyDisclosurePack("case-2026-123", { allowUnstamped: false });
 * process.stdout.write(renderReport(report));
 */
export async function verifyDisclosurePack(
  root: string,
  options: VerifyOptions = {},
): Promise<VerifyReport<ChunkCheckName>> {
  const reading = readDisclosure(root);
  const folders = reading.disclosure
    ? checkFolders(
        root,
        reading.disclosure.chunks.map((chunk) => chunk.dir),
      )
    : skip("disclosure_folders", `needs a valid ${DISCLOSURE_FILES.index}`);
  const bundles: BundleReport<ChunkCheckName>[] = [];
  for (const chunk of reading.chunks) {
    const dir = join(root, chunk.dir);
    const { report } = await verifyChunkDir(dir, options, disclosedContents(chunk, options));
    bundles.push(report);
  }
  const checks = [reading.check, folders];
  const all = [...checks, ...bundles.flatMap((bundle) => bundle.checks)];
  return {
    bundles,
    chains: [],
    unchained: [],
    day: undefined,
    disclosure: {
      dir: root,
      caseRef: reading.disclosure?.case,
      hotelId: reading.disclosure?.hotel_id,
      lines: reading.disclosure?.lines,
      checks,
      verdict: verdictOf(checks),
    },
    verdict: verdictOf(all),
    counts: countStatuses(all),
  };
}
