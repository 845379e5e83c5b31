// A coverage reporter that prints one row per folder (main/diyalog, main/icws, ...), because the
// thresholds are per folder and istanbul's own `text` table buries those rows among ~70 files.
// Loaded by @vitest/coverage-v8 through a native import (Node strips the types), so it imports
// nothing and describes the few istanbul shapes it reads itself.

interface Metric { pct: number | string; covered: number; total: number }
interface Summary { lines: Metric; branches: Metric; functions: Metric; statements: Metric }
interface ReportNode {
  getQualifiedName(): string;
  getCoverageSummary(filesOnly: boolean): Summary | null;
  isSummary(): boolean;
}
interface Writer { println(line: string): void; close(): void }
interface Context {
  writer: { writeFile(file: string | null): Writer };
  getTree(summarizer: string): { visit(visitor: object, context: Context): void };
}

const columns = ['lines', 'branches', 'functions', 'statements'] as const;

function percent(metric: Metric): string {
  const pct = typeof metric.pct === 'number' ? metric.pct.toFixed(1) : String(metric.pct);
  return `${pct} %`.padStart(8);
}

export default class CoverageByFolder {
  private readonly rows: { folder: string; summary: Summary }[] = [];

  execute(context: Context): void {
    // 'pkg' flattens the tree into one summary node per folder.
    context.getTree('pkg').visit(this, context);
  }

  onSummary(node: ReportNode): void {
    // Only the files directly in this folder: 'pkg' nodes hold files, and the root holds the
    // folders (plus any file at the top, which has no folder row of its own otherwise).
    const summary = node.getCoverageSummary(true);
    if (summary) this.rows.push({ folder: node.getQualifiedName() || '(top)', summary });
  }

  onEnd(_root: ReportNode, context: Context): void {
    const out = context.writer.writeFile(null);
    const width = Math.max(6, ...this.rows.map((r) => r.folder.length));
    out.println('');
    out.println(`${'folder'.padEnd(width)} ${columns.map((c) => c.padStart(11)).join('')}`);
    for (const { folder, summary } of this.rows.sort((a, b) => a.folder.localeCompare(b.folder))) {
      out.println(`${folder.padEnd(width)} ${columns.map((c) => percent(summary[c]).padStart(11)).join('')}`);
    }
    out.close();
  }
}
