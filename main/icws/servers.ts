// Which ICWS server a session logs in to: the configured one, the alternates the servers
// name (alternateHostList, §2.4), and the order they are tried in when one is unavailable.
//
// Credentials go only to the configured server: an alternate server is a bare host name used
// with the configured scheme and port (or, behind a reverse proxy, the last path segment of
// the configured URL). Anything more in an entry is refused.

import { AppError, isAppError } from '../../shared/errors';

/** One server the session may log in to: the base URL before `/icws`. */
export interface IcwsTarget {
  /** scheme, host, port and path prefix, no trailing slash */
  base: string;
  /** what the status shows: `host:port`, or `proxy host/api/server` behind a reverse proxy */
  label: string;
  /** the server's name: the host name, or the last path segment behind a reverse proxy */
  server: string;
}

/** Who named the alternates: the server as we reached it, and its name for itself once it said. */
export interface ReportedBy {
  target: IcwsTarget;
  icServer: string | null;
}

const PROXY_PATH = /^(.*\/api)\/([^/]+)$/i;

// A host name (DNS labels; NetBIOS names may carry `_`), an IPv4 address, or a bracketed IPv6 address.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/i;

/** The server to log in to from the configured base URL. */
export function configuredTarget(baseUrl: string): IcwsTarget {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const proxy = PROXY_PATH.exec(path);
  if (proxy) {
    const server = safeDecode(proxy[2]!);
    return { base: `${url.origin}${path}`, label: `${url.host}${path}`, server };
  }
  return { base: `${url.origin}${path}`, label: url.host, server: url.hostname.replace(/^\[|\]$/g, '') };
}

/**
 * Why an alternateHostList entry is not a bare host name, or null when it is. Anything
 * more (a scheme, port, user info or path) could send the login elsewhere: refused.
 */
export function alternateHostProblem(entry: string): string | null {
  const host = entry.trim();
  if (host === '') return 'empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'names a scheme';
  if (host.includes('@')) return 'names user info';
  if (/[/?#\\]/.test(host)) return 'names a path';
  if (IPV6_LITERAL.test(host)) return null;
  if (host.includes(':')) return 'names a port';
  if (!HOST_NAME.test(host)) return 'is not a host name';
  return null;
}

/**
 * Where an alternate server is reached: the configured scheme and port with the host
 * replaced, or behind a reverse proxy (`<proxy>/api/<server>`) the same proxy with the
 * last path segment replaced. Never another scheme, so https never becomes http.
 */
export function alternateTarget(configured: string, entry: string): IcwsTarget {
  const problem = alternateHostProblem(entry);
  if (problem) throw new AppError('bad_response', `The alternate ICWS host "${printable(entry)}" ${problem}: skipped.`);
  const host = entry.trim().replace(/\.$/, '');
  const url = new URL(configured);
  const path = url.pathname.replace(/\/+$/, '');
  const proxy = PROXY_PATH.exec(path);
  if (proxy) {
    const prefix = `${proxy[1]}/${encodeURIComponent(host)}`;
    return { base: `${url.origin}${prefix}`, label: `${url.host}${prefix}`, server: host };
  }
  url.hostname = host;
  // The URL parser may refuse (or rewrite) what the pattern let through: it must still be that host.
  if (url.hostname.toLowerCase() !== host.toLowerCase()) {
    throw new AppError('bad_response', `The alternate ICWS host "${printable(entry)}" is not a host name: skipped.`);
  }
  return { base: `${url.origin}${path}`, label: url.host, server: host.replace(/^\[|\]$/g, '') };
}

/** A server listing its own name (a real server lists its short name) is not a second server. */
export function namesItself(entry: string, conn: ReportedBy): boolean {
  const name = entry.trim().replace(/\.$/, '').toLowerCase();
  const own = [conn.target.server, conn.icServer ?? ''].map((n) => n.toLowerCase()).filter(Boolean);
  const shortNames = own.filter((n) => !/^[\d.]+$/.test(n) && !n.includes(':')).map((n) => n.split('.')[0]!);
  return own.includes(name) || shortNames.includes(name);
}

/** The server in use (or tried last), the alternates learnt from the servers, and the order to try them in. */
export class ServerList {
  readonly #baseUrl: string;
  readonly #primary: IcwsTarget;
  readonly #onWarning: (warning: AppError) => void;
  #current: IcwsTarget;
  #alternates: IcwsTarget[] = [];

  /** `onWarning` hears of an alternate that was skipped (not a bare host name). */
  constructor(baseUrl: string, onWarning: (warning: AppError) => void) {
    this.#baseUrl = baseUrl;
    this.#primary = configuredTarget(baseUrl);
    this.#current = this.#primary;
    this.#onWarning = onWarning;
  }

  get current(): IcwsTarget {
    return this.#current;
  }

  get alternates(): IcwsTarget[] {
    return [...this.#alternates];
  }

  /** A login to `target` succeeded: it is tried first next time. */
  use(target: IcwsTarget): void {
    this.#current = target;
  }

  /** The server in use first, then the alternates, then the configured one; each once. */
  candidates(): IcwsTarget[] {
    const seen = new Set<string>();
    return [this.#current, ...this.#alternates, this.#primary].filter((t) => !seen.has(t.base) && seen.add(t.base));
  }

  /** A server's alternateHostList replaces what was learnt before; its own name and bad entries are left out. */
  learn(reportedBy: ReportedBy, entries: string[]): void {
    const alternates: IcwsTarget[] = [];
    for (const entry of entries) {
      if (namesItself(entry, reportedBy)) continue;
      try {
        alternates.push(alternateTarget(this.#baseUrl, entry));
      } catch (e) {
        if (isAppError(e)) this.#onWarning(e);
      }
    }
    this.#alternates = alternates;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A server-sent value in a message: no control or format characters, bounded. */
function printable(value: string): string {
  return JSON.stringify(value.slice(0, 80)).slice(1, -1);
}
