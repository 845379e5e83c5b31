// CSV for a file a person opens in a spreadsheet, written one way for the CLI (Node) and the
// app's Export (the renderer, DOM only), so it takes no dependency either side could not load.
// RFC 4180: a cell holding a comma, a double quote, CR or LF is quoted and its quotes doubled;
// LF ends every record, the header's and the last one's too.
// Formulas are escaped: a cell starting with = + - @, a tab or CR (or the full-width = + - @,
// which Apple Numbers reads as the same) gets a leading ', so a customer name such as
// `=HYPERLINK(...)` never runs in the spreadsheet a supervisor opens it in. A number's leading
// '-' is its sign, not a formula. (The same bytes csv-stringify wrote with `header: true,
// escape_formulas: true`, which this replaced.)

export type CsvCell = string | number | null | undefined;

export interface CsvOptions {
  /** A UTF-8 byte-order mark first: spreadsheet programs then read Turkish letters as UTF-8. */
  readonly bom?: boolean;
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const NEEDS_QUOTES = /[",\r\n]/;

function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  const first = text.charAt(0);
  if (FORMULA_START.has(first) && !(first === '-' && typeof value === 'number')) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header row, then one row per record, each cell quoted and escaped as above. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  let text = options.bom === true ? '\uFEFF' : '';
  for (const row of [header, ...rows]) text += `${row.map(csvCell).join(',')}\n`;
  return text;
}
