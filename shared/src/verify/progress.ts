/**
 * A progress bar on one terminal line: bytes done of total, for the records
 * scan of large chunks. Drawn only on a terminal, so logs and pipes get no
 * carriage returns.
 */

/** Where the bar is drawn: a TTY write stream (process.stderr). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  /** Show `doneBytes` of `totalBytes` for `label` (redrawn at most every `intervalMs`). */
  update(label: string, doneBytes: number, totalBytes: number): void;
  /** Erase the bar (before other output). */
  clear(): void;
}

export interface ProgressBarOptions {
  /** Below this size there is nothing to wait for: no bar. Default 16 MiB. */
  minTotalBytes?: number;
  /** Default 100 ms. */
  intervalMs?: number;
  now?: () => number;
}

const MIB = 1024 * 1024;

/**
 * A bar on `stream`, or one that draws nothing when the stream is not a TTY.
 *
 * @example
 * const bar = createProgressBar(process.stderr);
 * await verifyBundles(dirs, { onProgress: (p) => bar.update(p.dir, p.doneBytes, p.totalBytes) });
 * bar.clear();
 */
export function createProgressBar(
  stream: ProgressStream,
  options: ProgressBarOptions = {},
): ProgressBar {
  const minTotalBytes = options.minTotalBytes ?? 16 * MIB;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  let drawn = false;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  const clear = () => {
    if (drawn) stream.write("\r\x1b[2K");
    drawn = false;
  };
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  return {
    update(label, doneBytes, totalBytes) {
      if (totalBytes < minTotalBytes) return;
      const finished = doneBytes >= totalBytes;
      if (!finished && now() - lastDrawAt < intervalMs) return;
      lastDrawAt = now();
      const fraction = totalBytes === 0 ? 1 : Math.min(1, doneBytes / totalBytes);
      const figures = `${(doneBytes / MIB).toFixed(1)}/${(totalBytes / MIB).toFixed(1)} MiB ${Math.floor(fraction * 100)}%`;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - figures.length - 30));
      const filled = Math.round(fraction * width);
      const name = label.length > 24 ? `…${label.slice(-23)}` : label;
      stream.write(
        `\r\x1b[2K${name} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${figures}`,
      );
      drawn = true;
    },
    clear,
  };
}
