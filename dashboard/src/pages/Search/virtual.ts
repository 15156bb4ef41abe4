/**
 * The result table's virtualiser, small enough to read in one go: rows of
 * one fixed height, so the rows in view follow from the scroll position
 * alone (no measuring), plus a few above and below so a fast scroll does
 * not show blanks. docs/decisions.md says why not a library.
 */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows drawn beyond each edge of the view. */
  overscan?: number;
}

/** The rows to draw: `[start, end)`. */
export function visibleRows(input: WindowInput): { start: number; end: number } {
  const overscan = input.overscan ?? 8;
  const first = Math.floor(Math.max(0, input.scrollTop) / input.rowHeight);
  const shown = Math.ceil(Math.max(0, input.viewportHeight) / input.rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, input.count));
  const end = Math.min(input.count, first + shown + overscan);
  return { start, end: Math.max(start, end) };
}

/**
 * Browsers cap an element's height (Chromium near 33 million px): past that
 * the scroll height is scaled down and positions scaled back up. At 32 px a
 * row, a million rows still fit unscaled.
 */
export const MAX_SCROLL_PX = 15_000_000;
