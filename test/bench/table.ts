export interface BenchRow {
  bench: string;
  value: string;
  detail: string;
}

/** A plain-text table, as `npm run bench` prints it (and as it goes into closing notes). */
export function formatTable(rows: BenchRow[]): string {
  const headers = { bench: 'benchmark', value: 'result', detail: 'detail' };
  const all = [headers, ...rows];
  const w = (k: keyof BenchRow) => Math.max(...all.map((r) => r[k].length));
  const line = (r: BenchRow) => `| ${r.bench.padEnd(w('bench'))} | ${r.value.padEnd(w('value'))} | ${r.detail.padEnd(w('detail'))} |`;
  const rule = `|${'-'.repeat(w('bench') + 2)}|${'-'.repeat(w('value') + 2)}|${'-'.repeat(w('detail') + 2)}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
