// The one rule for which server URLs may carry credentials in plain http. Used by the
// settings schema, the Diyalog client and the ICWS client, so a URL the settings
// accept is a URL the clients use, and neither can drift from the other.

import { AppError } from './errors';

// WHATWG URL exists in Node and in every browser, but shared/ compiles against the ES
// library alone: declare just the part used here.
interface WhatwgUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly host: string;
  readonly origin: string;
}
declare const URL: new (input: string) => WhatwgUrl;

/** The URL, or null when it does not parse. */
export function parseUrl(url: string): WhatwgUrl | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `s` is exactly an http(s) origin as URL.origin writes it (`https://host[:port]`). */
export function isHttpOrigin(s: string): boolean {
  const u = parseUrl(s);
  return u !== null && (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
}

/**
 * True for this computer: `localhost` (and `*.localhost`, which resolvers must keep
 * local), 127.0.0.0/8 and ::1, also written as an IPv4-mapped IPv6 address. Anything
 * else (a LAN name, 10.x, a proxy) is reachable by others on the path.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  // URL.hostname keeps IPv6 brackets and normalises ::ffff:127.0.0.1 to ::ffff:7f00:1.
  const v6 = h.replace(/^\[|\]$/g, '');
  if (v6 === '::1' || v6 === '0:0:0:0:0:0:0:1') return true;
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(v6);
}

/**
 * Why `url` may not be used, or null when it may: http only to loopback unless the
 * user turned on `allowInsecureHttp` (then the UI shows the connection as insecure).
 * Not a URL at all is left to the caller's own parsing.
 */
export function insecureUrlProblem(url: string | WhatwgUrl, allowInsecureHttp: boolean): string | null {
  const parsed = typeof url === 'string' ? parseUrl(url) : url;
  if (parsed === null) return null;
  if (parsed.protocol !== 'http:' || allowInsecureHttp || isLoopbackHost(parsed.hostname)) return null;
  return (
    `http:// sends credentials unencrypted, so it is allowed only for this computer (localhost); ` +
    `use https:// for ${parsed.host}, or turn on "allow insecure http" (allowInsecureHttp) in the settings`
  );
}

/** True when `url` is plain http to another machine (allowed only with allowInsecureHttp): shown as insecure. */
export function isInsecureHttp(url: string | WhatwgUrl): boolean {
  return insecureUrlProblem(url, false) !== null;
}

/** Throws `invalid_input` (field `baseUrl`) for an http URL the rule above refuses; sends nothing. */
export function assertUrlAllowed(url: string | WhatwgUrl, allowInsecureHttp: boolean, what: string): void {
  const problem = insecureUrlProblem(url, allowInsecureHttp);
  if (problem !== null) throw new AppError('invalid_input', `The ${what} address is refused: ${problem}.`, { field: 'baseUrl', reason: 'insecure_http' });
}
