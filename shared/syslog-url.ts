// The address of the bank's syslog collector that the audit trail is forwarded to
// (`audit.forward.url`): `syslog+tls://host[:port]` (RFC 5425, port 6514 unless given) or,
// for a collector on this computer or where plain transport was consented to,
// `syslog+tcp://host[:port]` (RFC 6587 octet counting, port 514 unless given). One parser
// for the settings schema and the forwarder, so an address the settings accept is the
// address the forwarder dials.

import { isLoopbackHost, parseUrl } from './urls';

export interface SyslogTarget {
  transport: 'tls' | 'tcp';
  /** Without IPv6 brackets: what a socket connects to. */
  host: string;
  port: number;
}

const DEFAULT_PORTS = { tls: 6514, tcp: 514 } as const;

/** The collector's address, or null when `url` is not a syslog+tls/syslog+tcp URL of a host and optional port only. */
export function parseSyslogUrl(url: string): SyslogTarget | null {
  const match = /^syslog\+(tls|tcp):\/\/([^/?#@\s]+)\/?$/i.exec(url.trim());
  if (!match) return null;
  const transport = (match[1] as string).toLowerCase() as 'tls' | 'tcp';
  // Parsed as https so the host and port follow WHATWG's rules for a special scheme (IPv6, case).
  const parsed = parseUrl(`https://${match[2] as string}`);
  if (parsed === null || parsed.hostname === '') return null;
  const portText = /:(\d{1,5})$/.exec(match[2] as string)?.[1];
  const port = portText === undefined ? DEFAULT_PORTS[transport] : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return null;
  return { transport, host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Why the target may not be used: plain TCP carries the audit unencrypted, so only to this computer unless consented to. */
export function insecureSyslogProblem(target: SyslogTarget, allowInsecure: boolean): string | null {
  if (target.transport === 'tls' || allowInsecure || isLoopbackHost(target.host)) return null;
  return (
    `syslog+tcp:// sends the audit trail unencrypted, so it is allowed only for this computer (localhost); ` +
    `use syslog+tls:// for ${target.host}, or turn on "allow insecure http" (allowInsecureHttp) in the settings`
  );
}
