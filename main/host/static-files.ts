// Serves the built renderer. Only files inside the renderer directory, checked after both
// path normalisation and symlink resolution, so neither `..` (in any encoding) nor a link
// can reach the rest of the disk.

import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pathOf } from './guards';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function pageHeaders(port: number): OutgoingHttpHeaders {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

export interface StaticFiles {
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** `root` must already be a real path (no symlinks in it), see startBrowserHost. */
export function staticFiles(root: string, headers: OutgoingHttpHeaders): StaticFiles {
  const send = (res: ServerResponse, status: number, extra: OutgoingHttpHeaders, body: Buffer | string, head: boolean) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, ...extra, 'Content-Length': bytes.length });
    res.end(head ? undefined : bytes);
  };
  const notFound = (res: ServerResponse, head: boolean) =>
    send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not found\n', head);

  return {
    async serve(req, res) {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        send(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed\n', false);
        return;
      }
      const head = method === 'HEAD';
      const file = await resolveFile(root, req.url ?? '');
      if (!file) return notFound(res, head);
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        return notFound(res, head);
      }
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      send(res, 200, { 'Content-Type': type }, body, head);
    },
  };
}

/** The file a request target names inside `root`, or undefined for anything else. */
async function resolveFile(root: string, target: string): Promise<string | undefined> {
  // Origin-form only: an absolute or authority-form target never names one of our files.
  if (!target.startsWith('/')) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(pathOf(target));
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  if (path === '/') path = '/index.html';
  const candidate = resolve(join(root, path));
  if (!inside(root, candidate)) return undefined;
  try {
    const real = await realpath(candidate);
    if (!inside(root, real)) return undefined;
    // Source maps carry the whole source: never served, even if a build left one behind.
    // Judged on the real name, after links and the file system's own spelling (Windows drops a trailing dot).
    if (extname(real).toLowerCase() === '.map') return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function inside(root: string, candidate: string): boolean {
  return candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}
