/**
 * Disclosure packs (docs/custody-format.md §17): only the lines a case asks
 * for, each provable against its signed hour. Who may ask for one, the
 * question of a lookup or a search as the hub takes it, and the pack itself
 * (`POST /api/disclose`), saved under the hotel's and the case's name with
 * the summary the hub sends beside it.
 */
import { ApiError } from "../api/client.ts";
import { saveFile } from "../api/download.ts";
import type {
  DiscloseMaxLines,
  DiscloseQuery,
  DiscloseRequest,
  DisclosureSummary,
  DisclosureSummaryHeader,
  UserRole,
} from "../api/types.ts";
import { canSee } from "../app/pages.ts";
import type { FilterField, SearchQuery } from "../pages/Search/state.ts";
import type { LookupQuestion } from "./lookups.ts";

/** The most lines one pack holds: a bigger search is refused by the hub. */
export const DISCLOSE_MAX_LINES: DiscloseMaxLines = 10_000;
const SUMMARY_HEADER: DisclosureSummaryHeader = "x-logmaster-disclosure";

/**
 * Whether a role may make packs: the hub asks for guests' events and custody
 * both (hub/src/api/disclose.ts), the roles that see the search and the
 * custody pages.
 */
export function mayDisclose(role: UserRole): boolean {
  return canSee(role, "search") && canSee(role, "custody");
}

/** The question of a lookup, as the pack records it (times as asked, with their zone). */
export function lookupDisclosure(question: LookupQuestion): DiscloseQuery {
  switch (question.kind) {
    case "ip":
      return { kind: "ip", ip: question.ip, at: question.at };
    case "mac":
      return { kind: "mac", mac: question.mac, from: question.from, to: question.to };
    case "nat":
      return { kind: "nat", address: question.address, at: question.at };
  }
}

type SearchDisclosure = Extract<DiscloseQuery, { kind: "search" }>;
/** The search's filters a pack applies; the others would let other lines in. */
const PACK_FILTERS = ["ip", "mac", "port", "user", "host", "nat"] as const satisfies readonly (
  | keyof SearchDisclosure
  | FilterField
)[];

/** A search as a pack's question: its range and filters, its hotels, the filters a pack cannot apply. */
export interface SearchPackPlan {
  question: SearchDisclosure;
  /** The hotels the search is narrowed to; undefined: every hotel of the account. */
  hotels: string[] | undefined;
  /** Filters of the search a pack cannot apply (it would hold more than the search shows). */
  unsupported: FilterField[];
}

/**
 * @example
 * searchDisclosure({ from: "2026-12-03T07:00:00.000Z", to: "2026-12-03T08:00:00.000Z", ip: "10.5.1.23" });
 * // { question: { kind: "search", from, to, ip: "10.5.1.23" }, hotels: undefined, unsupported: [] }
 */
export function searchDisclosure(query: SearchQuery): SearchPackPlan {
  const { from = "", to = "", text, hotels, ...filters } = query;
  const question: SearchDisclosure = { kind: "search", from, to, ...(text ? { text } : {}) };
  const unsupported: FilterField[] = [];
  for (const [field, value] of Object.entries(filters)) {
    const packed = PACK_FILTERS.find((candidate) => candidate === field);
    if (packed) question[packed] = value;
    else unsupported.push(field as FilterField);
  }
  return { question, hotels: hotels ? hotels.split(",") : undefined, unsupported };
}

const TURKISH_LETTERS: Record<string, string> = {
  ç: "c",
  Ç: "C",
  ğ: "g",
  Ğ: "G",
  ı: "i",
  İ: "I",
  ö: "o",
  Ö: "O",
  ş: "s",
  Ş: "S",
  ü: "u",
  Ü: "U",
};

/** A name's letters safe in any file system: Turkish letters as ASCII, the rest as `-`. */
function fileSafe(text: string): string {
  return text
    .replace(/[çÇğĞıİöÖşŞüÜ]/g, (letter) => TURKISH_LETTERS[letter] ?? letter)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

/**
 * The pack's file name: the hotel and the case reference.
 *
 * @example
 * disclosureFileName("antalya-lara", "2026/123 Soruşturma");
 * // "logmaster-disclosure-antalya-lara-2026-123-Sorusturma.tar.gz"
 */
export function disclosureFileName(hotel: string, caseReference: string): string {
  const name = ["logmaster-disclosure", fileSafe(hotel), fileSafe(caseReference)];
  return `${name.filter(Boolean).join("-")}.tar.gz`;
}

/** The pack's summary from its header (JSON, non-ASCII escaped), if it came and parses. */
export function disclosureSummaryOf(header: string | null): DisclosureSummary | undefined {
  if (!header) return undefined;
  try {
    return JSON.parse(header) as DisclosureSummary;
  } catch {
    return undefined;
  }
}

/** A pack the browser saved: its file name and the hub's summary of it. */
export interface DisclosedPack {
  fileName: string;
  summary: DisclosureSummary | undefined;
}

/**
 * Ask the hub for a pack and save it (a tar.gz). Rejects with the hub's
 * `ApiError`: 404 (not one of the account's hotels, or nothing found), 409
 * (a chunk not sealed and verified), 400 (a search of too many lines).
 *
 * @example
 * await disclosePack({ hotel: "antalya-lara", case: "2026/123 Soruşturma",
 *   query: { kind: "ip", ip: "10.5.1.23", at: "2026-12-03T10:15:00+03:00" } });
 */
export async function disclosePack(request: DiscloseRequest): Promise<DisclosedPack> {
  const saved = await saveFile(
    "/api/disclose",
    { method: "POST", body: request },
    { fixed: disclosureFileName(request.hotel, request.case) },
  );
  return { fileName: saved.name, summary: disclosureSummaryOf(saved.headers.get(SUMMARY_HEADER)) };
}

/** Why the hub refused a pack, as a word a page can explain. */
export type DisclosureRefusal =
  | "unsealed"
  | "failed_verification"
  | "conflict"
  | "nothing_found"
  | "too_many_lines"
  | "other";

/** The refusal's kind, from the hub's error code (hub/src/errors.ts, hub/src/disclose/index.ts). */
export function disclosureRefusalOf(error: unknown): DisclosureRefusal {
  if (!(error instanceof ApiError)) return "other";
  switch (error.code) {
    case "chunk_not_sealed":
      return "unsealed";
    case "chunk_failed":
      return "failed_verification";
    case "index_mismatch":
    case "conflict":
      return "conflict";
    case "too_many_lines":
      return "too_many_lines";
    case "not_found":
      return "nothing_found";
    default:
      return "other";
  }
}
