// Which rows of a long list to put in the DOM: the visible ones plus a margin on each side,
// with the space of the rest kept by two spacers, so 30,000 rows scroll like 30. Rows have
// one fixed height (the table's CSS holds them to it), which makes this arithmetic exact.

export interface RowWindow {
  /** First row index in the DOM. */
  start: number;
  /** One past the last row index in the DOM. */
  end: number;
  /** Height of the space above `start`, in px. */
  top: number;
  /** Height of the space below `end`, in px. */
  bottom: number;
}

export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, margin: number): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, top: 0, bottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - margin, count - 1));
  const end = Math.min(count, first + visible + margin);
  return { start, end: Math.max(start, end), top: start * rowHeight, bottom: (count - Math.max(start, end)) * rowHeight };
}

/**
 * The most rows `rowWindow` puts in the DOM for this viewport: keyed by `index % poolSize`,
 * the rows of any window have distinct keys, a row that stays in the window keeps its key
 * (and its element), and one that leaves hands its key to the one that comes in.
 */
export function poolSize(viewportHeight: number, rowHeight: number, margin: number): number {
  return rowHeight <= 0 ? 1 : Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1 + 2 * margin;
}
