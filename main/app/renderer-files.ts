// What app://companion/… answers: the built renderer's files and nothing else on the disk.
// Decided here in plain Node (no Electron), so every trick of a traversal is tested in Node;
// renderer-protocol.ts only hands Electron's requests to `answerRendererRequest`.
//
// A path is refused before it touches the disk when any segment, once decoded, is empty, `.`
// or `..`, or holds a slash, a backslash, a colon (a Windows drive or an NTFS stream such as
// `index.html::$DATA`) or a control character (NUL included). What is left is resolved under
// the renderer folder and must stay there twice: as written, and again after symlinks are
// resolved (a link inside the folder to a file outside it is refused). Only regular files.

import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAppUrl } from './channels';

/** The renderer's policy: our own scripts only, no network, nothing framed or framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The parts of node:path the resolver uses: `path.win32` in a test reads paths as Windows does. */
export type PathFlavour = Pick<typeof path, 'resolve' | 'relative' | 'isAbsolute' | 'sep'>;

// A segment that could step out, name another drive or stream, or end a C string early.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_SEGMENT = /[/\\:\u0000-\u001f\u007f]/;

/** Whether `candidate` is `root` itself or lies below it. */
function inside(root: string, candidate: string, flavour: PathFlavour): boolean {
  const rel = flavour.relative(root, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${flavour.sep}`) && !flavour.isAbsolute(rel);
}

/**
 * The file an app:// URL names under `root`, judged on the text alone (no disk access), or
 * null when the URL is not ours or its path is refused. `/` is `/index.html`.
 */
export function rendererPathFor(root: string, requestUrl: string, flavour: PathFlavour = path): string | null {
  if (!isAppUrl(requestUrl)) return null;
  const url = new URL(requestUrl);
  const pathname = url.pathname === '/' ? '/index.html' : url.pathname;
  if (!pathname.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of pathname.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '' || segment === '.' || segment === '..' || FORBIDDEN_IN_SEGMENT.test(segment)) return null;
    segments.push(segment);
  }
  const base = flavour.resolve(root);
  const file = flavour.resolve(base, ...segments);
  return inside(base, file, flavour) ? file : null;
}

/** The file system calls the resolver makes; a test may pass its own. */
export interface RendererFs {
  realpath(path: string): Promise<string>;
  isFile(path: string): Promise<boolean>;
}

const nodeFs: RendererFs = {
  realpath: (p) => realpath(p),
  isFile: async (p) => (await stat(p)).isFile(),
};

/**
 * The real path of the regular file an app:// URL names under `root`, or null: refused by
 * `rendererPathFor`, missing, not a regular file, or reached through a link that leaves the
 * folder. (Electron reads app.asar through these same calls, so this holds in a packaged build.)
 */
export async function resolveRendererFile(root: string, requestUrl: string, fs: RendererFs = nodeFs): Promise<string | null> {
  const candidate = rendererPathFor(root, requestUrl);
  if (candidate === null) return null;
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(path.resolve(root)), fs.realpath(candidate)]);
    if (!inside(realRoot, realFile, path)) return null;
    return (await fs.isFile(realFile)) ? realFile : null;
  } catch {
    return null;
  }
}

/** Reads a file the resolver allowed: Electron's net.fetch of its file:// URL in the app, a plain read in a test. */
export type LoadFile = (file: string) => Promise<Response>;

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
}

/** The answer to one app:// request: the file with the CSP, or 404. Only GET and HEAD. */
export async function answerRendererRequest(root: string, request: Pick<Request, 'url' | 'method'>, load: LoadFile, fs: RendererFs = nodeFs): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers: { Allow: 'GET, HEAD' } });
  const file = await resolveRendererFile(root, request.url, fs);
  if (file === null) return notFound();
  let answer: Response;
  try {
    answer = await load(file);
  } catch {
    return notFound();
  }
  const headers = new Headers(answer.headers);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(request.method === 'HEAD' ? null : answer.body, { status: answer.status, headers });
}
