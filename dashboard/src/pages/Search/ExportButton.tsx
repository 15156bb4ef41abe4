/**
 * CSV and NDJSON export of every matching event, read as it streams: rows
 * and bytes counted as they arrive (against the histogram's total when
 * known), cancellable, saved as a file when complete.
 */
import { createSignal, type JSX, Match, onCleanup, Switch } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { ExportFormat, ExportProgress } from "../../data/search.ts";
import { formatNumber, t } from "../../i18n/index.ts";

export interface ExportButtonProps {
  /** The rows expected (the histogram's total), if known. */
  expected: number | undefined;
  run(
    format: ExportFormat,
    signal: AbortSignal,
    onProgress: (progress: ExportProgress) => void,
  ): Promise<void>;
}

type ExportState =
  | { kind: "idle" }
  | { kind: "running"; format: ExportFormat; progress: ExportProgress }
  | { kind: "done"; rows: number }
  | { kind: "cancelled" }
  | { kind: "failed"; error: unknown };

/** `1,2 MB`, `340 kB`, `12 B` in the language's digits. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${formatNumber(bytes / 1_000_000)} MB`;
  if (bytes >= 1_000) return `${formatNumber(bytes / 1_000)} kB`;
  return `${formatNumber(bytes)} B`;
}

export function ExportButton(props: ExportButtonProps): JSX.Element {
  const [state, setState] = createSignal<ExportState>({ kind: "idle" });
  let controller: AbortController | undefined;
  onCleanup(() => controller?.abort());
  const start = async (format: ExportFormat) => {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    setState({ kind: "running", format, progress: { bytes: 0, rows: 0, done: false } });
    let rows = 0;
    try {
      await props.run(format, own.signal, (progress) => {
        rows = progress.rows;
        if (!own.signal.aborted) setState({ kind: "running", format, progress });
      });
      if (!own.signal.aborted) setState({ kind: "done", rows });
    } catch (error) {
      if (own.signal.aborted) setState({ kind: "cancelled" });
      else setState({ kind: "failed", error });
    }
  };
  const running = () => {
    const current = state();
    return current.kind === "running" ? current : undefined;
  };
  const percent = () => {
    const current = running();
    if (!current || !props.expected) return undefined;
    return Math.min(100, Math.round((current.progress.rows / props.expected) * 100));
  };
  return (
    <div class="export">
      <Switch>
        <Match when={running()}>
          {(current) => (
            <div class="export-progress" role="status" aria-live="polite">
              <progress max={100} value={percent()} aria-label={t("search.export.progressLabel")} />
              <span class="small">
                {t("search.export.progress", {
                  rows: current().progress.rows,
                  size: formatBytes(current().progress.bytes),
                })}
              </span>
              <button type="button" class="button" onClick={() => controller?.abort()}>
                {t("search.export.cancel")}
              </button>
            </div>
          )}
        </Match>
        <Match when={true}>
          <fieldset class="segmented export-buttons">
            <legend class="visually-hidden">{t("search.export.label")}</legend>
            <button type="button" onClick={() => void start("csv")}>
              {t("search.export.csv")}
            </button>
            <button type="button" onClick={() => void start("ndjson")}>
              {t("search.export.ndjson")}
            </button>
          </fieldset>
        </Match>
      </Switch>
      <Switch>
        <Match when={state().kind === "done"}>
          <span class="small ok-text" role="status">
            {t("search.export.done", { rows: (state() as { rows: number }).rows })}
          </span>
        </Match>
        <Match when={state().kind === "cancelled"}>
          <span class="small muted" role="status">
            {t("search.export.cancelled")}
          </span>
        </Match>
        <Match when={state().kind === "failed"}>
          <span class="small field-problem" role="alert">
            {errorMessage((state() as { error: unknown }).error)}
          </span>
        </Match>
      </Switch>
    </div>
  );
}
