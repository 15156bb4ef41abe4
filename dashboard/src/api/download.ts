/**
 * Files of the hub (evidence bundles, disclosure packs, reports, CSV) saved by the browser:
 * fetched with the access token (a plain link would carry none) and handed
 * to the browser's download as a blob.
 */
import { authorizedFetch, type RequestOptions } from "./client.ts";

/** The name in `content-disposition: attachment; filename="…"`, if any. */
export function fileNameOf(disposition: string | null): string | undefined {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1];
}

/** What a download saved: the file's name and the hub's headers (some routes send a summary beside the file). */
export interface SavedFile {
  name: string;
  headers: Headers;
}

/**
 * Download a file of the hub (any method: `POST` with a JSON body too) and
 * say what was saved. Its name: `name.fixed` when given, else the hub's,
 * else `name.fallback`. Rejects with the hub's `ApiError` (the caller says
 * what went wrong).
 *
 * @example
 * const saved = await saveFile("/api/disclose", { body: request }, { fixed: "pack.tar.gz" });
 */
export async function saveFile(
  path: string,
  options: RequestOptions,
  name: { fixed: string } | { fallback: string },
): Promise<SavedFile> {
  const response = await authorizedFetch(path, { accept: "*/*", ...options });
  const saved =
    "fixed" in name
      ? name.fixed
      : (fileNameOf(response.headers.get("content-disposition")) ?? name.fallback);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = saved;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the browser may still be reading the blob after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name: saved, headers: response.headers };
}

/**
 * Download a file of the hub under the name the hub gives it, else `fallbackName`.
 * Rejects with the hub's `ApiError` (the caller says what went wrong).
 *
 * @example
 * await downloadFile("/api/export", { query: { hotel, hour } }, `logmaster-export-${hotel}-${hour}.tar.gz`);
 */
export async function downloadFile(
  path: string,
  options: RequestOptions,
  fallbackName: string,
): Promise<void> {
  await saveFile(path, options, { fallback: fallbackName });
}
