// The browser host's gatekeeping. Any page on the machine can reach 127.0.0.1, so a request
// must prove it comes from our own page: the Host names us (defeats DNS rebinding), the
// Origin is ours (defeats cross-site WebSocket hijacking) and it carries the launch token.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HostGuards {
  /** The Host header names this server: `127.0.0.1:PORT` or `localhost:PORT`, nothing else. */
  hostAllowed(req: IncomingMessage): boolean;
  /** The Origin header is this server's origin, in either of the two spellings. */
  originAllowed(req: IncomingMessage): boolean;
  /** The request target carries exactly one `token` parameter equal to the launch token. */
  tokenAllowed(req: IncomingMessage): boolean;
}

export function createGuards(port: number, token: string): HostGuards {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const expected = digest(token);
  return {
    hostAllowed: (req) => {
      const host = req.headers.host;
      return typeof host === 'string' && hosts.has(host.toLowerCase());
    },
    originAllowed: (req) => {
      const origin = req.headers.origin;
      return typeof origin === 'string' && origins.has(origin.toLowerCase());
    },
    tokenAllowed: (req) => {
      const given = queryOf(req.url ?? '').getAll('token');
      const only = given.length === 1 ? given[0] : undefined;
      // Hashing first gives timingSafeEqual two equal-length buffers whatever was sent.
      return only !== undefined && timingSafeEqual(digest(only), expected);
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The path part of a request target, still percent-encoded. */
export function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

export function queryOf(target: string): URLSearchParams {
  const start = target.indexOf('?');
  if (start === -1) return new URLSearchParams();
  const hash = target.indexOf('#', start);
  return new URLSearchParams(target.slice(start + 1, hash === -1 ? undefined : hash));
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
  503: 'Service Unavailable',
};

/** Answers a refused upgrade on the raw socket and closes it: the client never sees a 101. */
export function refuseUpgrade(socket: Duplex, status: 400 | 403 | 404 | 421 | 503): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
