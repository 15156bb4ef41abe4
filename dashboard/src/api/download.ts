/**
 * Files of the hub (evidence bundles, reports, CSV) saved by the browser:
 * fetched with the access token (a plain link would carry none) and handed
 * to the browser's download as a blob.
 */
import { authorizedFetch, type RequestOptions } from "./client.ts";

/** The name in `content-disposition: attachment; filename="…"`, if any. */
export function fileNameOf(disposition: string | null): string | undefined {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1];
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
  const response = await authorizedFetch(path, { accept: "*/*", ...options });
  const name = fileNameOf(response.headers.get("content-disposition")) ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the browser may still be reading the blob after the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
