// shared/csv.ts writes what csv-stringify wrote (`header: true, escape_formulas: true`), byte for
// byte: the expected text below is csv-stringify 6.9's output for the same rows, and the files
// the CLI and the app wrote before the switch read the same.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../shared/csv';

describe('toCsv', () => {
  const row = ['=HYPERLINK("x")', -5, '-5', 0, '', '@a', '\tb', '\rc', 'a,b', 'q"q', 'l\nl', '\uFF1D1', 3.25, 'Şükrü', undefined, null];
  const header = row.map((_, i) => `c${i}`);

  it('quotes comma, quote, CR and LF, escapes formulas, and leaves a negative number alone', () => {
    expect(toCsv(header, [row], { bom: true })).toBe(
      '\uFEFFc0,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15\n' +
        `"'=HYPERLINK(""x"")",-5,'-5,0,,'@a,'\tb,"'\rc","a,b","q""q","l\nl",'\uFF1D1,3.25,Şükrü,,\n`,
    );
  });

  it('reads back cell for cell, the escapes kept', () => {
    const [, cells] = parse(toCsv(header, [row])) as string[][];
    expect(cells).toEqual(["'=HYPERLINK(\"x\")", '-5', "'-5", '0', '', "'@a", "'\tb", "'\rc", 'a,b', 'q"q', 'l\nl', "'\uFF1D1", '3.25', 'Şükrü', '', '']);
  });

  it('writes the header alone when there are no rows, and no byte-order mark unless asked', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\n');
    expect(toCsv(['-a'], [['+1']])).toBe("'-a\n'+1\n");
  });
});
