// Character rules and the one unit for text limits, shared by main, the CLI and the renderer.
//
// Why these rules: an id or a reason travels to the Diyalog and ICWS servers, into the
// audit log and onto an operator's terminal. A character the reader cannot see (a bidi
// override U+202E, a zero-width space, a BOM), a line separator or an escape sequence
// makes what is shown differ from what was sent: "12\u202E34" looks like "1243". So text
// that crosses a boundary is refused when it carries one, and text printed on a terminal
// shows them escaped.
//
// The unit for every text limit is the Unicode code point: "😀" is 1, not 2 (UTF-16
// units), and "ş" is 1 too. The same count in zod schemas, the CLI, the services and the
// renderer's counters, so a text that fits in one place fits in all of them.

/** Length in Unicode code points: the unit of every text limit in this project. */
export function codePointLength(text: string): number {
  // UTF-16 units, less one for each surrogate pair (a lone surrogate counts as one).
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const hi = text.charCodeAt(i);
    if (hi >= 0xd800 && hi <= 0xdbff) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The first `max` code points of `text` (never splits a surrogate pair). */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n++ === max) break;
    out += ch;
  }
  return out;
}

// Blank at either end, as a paste or a terminal brings it: spaces (Zs), tabs, line ends.
// Not the BOM or U+2028/U+2029, which String.prototype.trim would also drop: they are
// refused like anywhere else, so a value is never quietly different from what was typed.
const EDGE_BLANKS = /^[\t\n\v\f\r\p{Zs}]+|[\t\n\v\f\r\p{Zs}]+$/gu;

/** `text` without blanks at either end (see EDGE_BLANKS). */
export function trimText(text: string): string {
  return text.replace(EDGE_BLANKS, '');
}

/** Why a character is refused; each kind has its own message (shared/i18n `rule.*`). */
export type UnsafeCharKind =
  /** C0, DEL, C1 (Cc), a tab or a carriage return included */
  | 'control'
  /** a line feed where the text must be a single line */
  | 'newline'
  /** format characters (Cf: bidi controls, zero-width, BOM, soft hyphen) and line/paragraph separators (Zl, Zp) */
  | 'invisible'
  /** half of a UTF-16 surrogate pair on its own: not a character at all */
  | 'surrogate'
  /** whitespace inside a value that has none (a URL) */
  | 'space';

export interface UnsafeChar {
  kind: UnsafeCharKind;
  /** `U+202E`: how messages name the character without printing it */
  codePoint: string;
  /** Index in code points. */
  index: number;
}

/**
 * What a value may hold:
 * - `line`: one line of printable text (ids, names): no control, format or separator character.
 * - `text`: free text (a reason, an assistance message): as `line`, plus the line feed; and
 *   the zero-width joiner and non-joiner, which are how emoji sequences and some scripts are
 *   written (they join visible glyphs, they cannot hide or reorder text). Bidi controls are
 *   refused here too: they reorder what a supervisor or an auditor reads.
 * - `url`: as `line`, and no whitespace at all (a URL has none; a pasted space is a mistake
 *   that `new URL` would silently percent-encode).
 */
export type CharPolicy = 'line' | 'text' | 'url';

const ZWNJ = 0x200c;
const ZWJ = 0x200d;

// \p{Cc}: C0, DEL and C1. \p{Cf}: format. \p{Zl}/\p{Zp}: U+2028/U+2029. \p{Cs}: with the
// u flag a lone surrogate is its own code point, so it matches (a proper pair does not).
const CONTROL = /^\p{Cc}$/u;
const INVISIBLE = /^[\p{Cf}\p{Zl}\p{Zp}]$/u;
const SURROGATE = /^\p{Cs}$/u;
const SPACE = /^[\s\p{Z}]$/u;

function hex(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function kindOf(ch: string, cp: number, policy: CharPolicy): UnsafeCharKind | null {
  if (CONTROL.test(ch)) {
    if (ch === '\n') return policy === 'text' ? null : 'newline';
    if (ch === '\r' && policy !== 'text') return 'newline';
    return 'control';
  }
  if (SURROGATE.test(ch)) return 'surrogate';
  if (INVISIBLE.test(ch)) return policy === 'text' && (cp === ZWJ || cp === ZWNJ) ? null : 'invisible';
  if (policy === 'url' && SPACE.test(ch)) return 'space';
  return null;
}

// Every character some policy may refuse; the regex engine skips the rest (a 2000-character
// message is one scan, not 2000 tests).
const CANDIDATES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const URL_CANDIDATES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\s\p{Z}]/gu;

/** The first character `policy` refuses, or null when every character is allowed. */
export function findUnsafeChar(text: string, policy: CharPolicy): UnsafeChar | null {
  for (const match of text.matchAll(policy === 'url' ? URL_CANDIDATES : CANDIDATES)) {
    const ch = match[0];
    const cp = ch.codePointAt(0) ?? 0;
    const kind = kindOf(ch, cp, policy);
    if (kind) return { kind, codePoint: hex(cp), index: codePointLength(text.slice(0, match.index)) };
  }
  return null;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// Everything that could move the cursor, start an escape sequence, reorder or hide text,
// or is no character at all. One code point at a time (u flag), so pairs stay whole.
const TERMINAL_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * `text` safe to print on a terminal, one logical line staying one line: control
 * characters, line breaks and escape sequences become `\n`, `\r`, `\t`, `\x1b`, `\x9b`;
 * format, bidi and separator characters and lone surrogates become `\u202e`, `\u{e0001}`.
 * A stored or server value printed this way cannot forge a line of its own, recolour the
 * terminal or reorder what the operator reads. A backslash stays as it is, so `DOMAIN\user`
 * reads naturally; `--json` gives the exact value.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short) return short;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
    if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
    return `\\u{${cp.toString(16)}}`;
  });
}
