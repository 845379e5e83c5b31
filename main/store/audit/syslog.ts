// An audit line as the bank's syslog collector receives it (RFC 5424), and the collector's
// export read back. The message body is the line's exact bytes (after a UTF-8 BOM, as
// RFC 5424 asks for UTF-8), so the collector's copy verifies on its own: the SHA-256 of the
// body is the entry's hash, and its `prev` is the hash of the entry before. The structured
// data repeats the fields for the SIEM's searches, with the hash, the trail it belongs to,
// the desktop's host name and the OS user; only the body is trusted when verifying.

import { parseLine, sha256 } from './chain';

/** RFC 5424 facility 13 (log audit), severity 5 (notice). */
const PRI = 13 * 8 + 5;
export const SYSLOG_APP_NAME = 'agent-companion';
/**
 * The SD-ID's enterprise number is 32473, the one IANA reserves for documentation (RFC 5612):
 * the companion has none of its own, and a collector's rules match the whole name.
 */
export const SYSLOG_SD_ID = 'companion-audit@32473';
const BOM = '\ufeff';

export interface SyslogOrigin {
  /** The desktop's host name. */
  host: string;
  /** The OS user the companion runs as. */
  user: string;
  /** The hash of entry 1: which desktop trail an entry belongs to, even after a host is renamed. */
  trail: string;
}

/** One RFC 5424 message (without framing) for the audit line `line` (its bytes as in the log, no newline). */
export function syslogMessage(line: Buffer, origin: SyslogOrigin): string {
  const text = line.toString('utf8');
  const parsed = parseLine(text);
  const hash = sha256(line);
  const fields: [string, string][] = [
    ['trail', origin.trail],
    ['seq', String(parsed?.seq ?? 0)],
    ['hash', hash],
    ['prev', parsed?.prev ?? ''],
    ['host', origin.host],
    ['user', origin.user],
  ];
  if (parsed) {
    fields.push(['type', parsed.type], ['id', parsed.id], ['at', parsed.at]);
    if (parsed.type === 'intent') fields.push(['actor', parsed.actor], ['customerId', parsed.customerId], ['staffId', parsed.staffId], ['reason', parsed.reason]);
    // The server's message stays in the body only: it can be long, and the SIEM searches by code.
    if (parsed.type === 'outcome') fields.push(['outcome', parsed.outcome], ...(parsed.code === undefined ? [] : ([['code', parsed.code]] as [string, string][])));
    if (parsed.type === 'settlement') fields.push(['outcome', parsed.outcome], ['checkIsInHelp', String(parsed.check.isInHelp)], ['checkStaffId', parsed.check.staffId ?? '']);
  }
  const sd = `[${SYSLOG_SD_ID} ${fields.map(([name, value]) => `${name}="${sdValue(value)}"`).join(' ')}]`;
  const timestamp = parsed && isRfc3339(parsed.at) ? parsed.at : '-';
  return `<${PRI}>1 ${timestamp} ${headerField(origin.host, 255)} ${SYSLOG_APP_NAME} - ${parsed?.type ?? '-'} ${sd} ${BOM}${text}`;
}

/** RFC 5425/6587 octet counting: the message's length in bytes, a space, the message. */
export function frame(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

/** One audit entry as the collector holds it. */
export interface CollectedEntry {
  seq: number;
  hash: string;
  prev: string;
  trail: string | undefined;
  host: string | undefined;
  /** The line of the export it came from (from 1). */
  exportLine: number;
}

export interface CollectorExport {
  entries: CollectedEntry[];
  /** Lines that carried a companion audit message whose body is not an audit line. */
  unreadable: number[];
}

/**
 * The companion's audit messages among an export's lines (one message per line, as the
 * collector wrote them; anything before the `<PRI>1 ` of a line is the collector's own
 * prefix). Other programs' messages are passed over.
 */
export function readCollectorExport(text: string): CollectorExport {
  const entries: CollectedEntry[] = [];
  const unreadable: number[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const start = raw.search(/<\d{1,3}>1 /);
    if (start === -1) continue;
    const message = parseSyslogMessage(raw.slice(start).replace(/\r$/, ''));
    if (message === null || message.appName !== SYSLOG_APP_NAME) continue;
    const body = message.body.startsWith(BOM) ? message.body.slice(BOM.length) : message.body;
    const line = parseLine(body);
    if (!line) {
      unreadable.push(index + 1);
      continue;
    }
    const sd = message.params;
    entries.push({ seq: line.seq, hash: sha256(Buffer.from(body, 'utf8')), prev: line.prev, trail: sd.trail, host: sd.host ?? message.hostname, exportLine: index + 1 });
  }
  return { entries, unreadable };
}

interface ParsedSyslog {
  hostname: string;
  appName: string;
  /** The companion's SD element's parameters (the last value of a name wins). */
  params: Record<string, string>;
  body: string;
}

/** The header, our SD element and the body of one RFC 5424 message; null when it is not one. */
function parseSyslogMessage(message: string): ParsedSyslog | null {
  const header = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(message);
  if (!header) return null;
  let i = header[0].length;
  const params: Record<string, string> = {};
  if (message[i] === '-') i++;
  else {
    while (message[i] === '[') {
      const end = readElement(message, i + 1, params);
      if (end === -1) return null;
      i = end;
    }
  }
  const body = message[i] === ' ' ? message.slice(i + 1) : message.slice(i);
  return { hostname: header[2] as string, appName: header[3] as string, params, body };
}

/** Reads `ID name="value" …]` from `i`; our element's parameters land in `into`. The index after `]`, or -1. */
function readElement(message: string, i: number, into: Record<string, string>): number {
  const idEnd = message.slice(i).search(/[ \]]/);
  if (idEnd === -1) return -1;
  const id = message.slice(i, i + idEnd);
  i += idEnd;
  while (message[i] === ' ') {
    const eq = message.indexOf('="', i + 1);
    if (eq === -1) return -1;
    const name = message.slice(i + 1, eq);
    let value = '';
    let j = eq + 2;
    for (; j < message.length && message[j] !== '"'; j++) {
      if (message[j] === '\\' && (message[j + 1] === '"' || message[j + 1] === '\\' || message[j + 1] === ']')) j++;
      value += message[j];
    }
    if (j >= message.length) return -1;
    if (id === SYSLOG_SD_ID) into[name] = value;
    i = j + 1;
  }
  return message[i] === ']' ? i + 1 : -1;
}

/**
 * RFC 5424 PARAM-VALUE: `"`, `\` and `]` escaped. Control characters become U+FFFD: a
 * collector writes one message per line, and the body keeps the exact value anyway.
 */
function sdValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\ufffd');
}

/** A header field: printable US-ASCII, at most `max` characters; `-` when nothing is left. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

function isRfc3339(at: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(at);
}
