// The browser host: the built renderer and the one contract over a WebSocket, on 127.0.0.1
// only. Used for the preview (no Electron binary) and the end-to-end tests.

import { randomBytes } from 'node:crypto';
import { stat, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { EventName, EventPayload, Language, Result } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { checkEvent, dispatch, type EventSink, type Handlers } from '../services/dispatch';
import { createGuards, pathOf, refuseUpgrade } from './guards';
import { pageHeaders, staticFiles } from './static-files';

export interface BrowserHostOptions {
  handlers: Handlers;
  /** The user's language, for refusals worded by dispatch; default English. */
  language?: () => Language;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Largest accepted frame; a bigger one closes the socket with 1009. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Open sockets at once; the next handshake gets 503 and no 101. Default 8. */
  maxConnections?: number;
  /** Calls running at once on one socket; the next is answered `busy` at once. Default 32. */
  maxCallsInFlight?: number;
}

export interface BrowserHost {
  /** http://127.0.0.1:PORT/?token=... : one line that opens the app. */
  url: string;
  origin: string;
  token: string;
  /** Pushes an event to every connected socket, once it matches the contract. */
  emit: EventSink;
  close(): Promise<void>;
}

const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
// A person has a tab or two open; these bounds only stop a script on the machine from
// holding thousands of sockets or queueing thousands of calls (each may reach a server).
const DEFAULT_MAX_CONNECTIONS = 8;
const DEFAULT_MAX_CALLS_IN_FLIGHT = 32;
const MAX_ID_LENGTH = 64;
/** How long close() lets sockets finish their closing handshake before cutting them. */
const CLOSE_GRACE_MS = 1000;

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  // A short token would be guessable by any page on the machine; refuse rather than weaken.
  if (token.length < 16) throw new AppError('invalid_input', 'The browser host token must be at least 16 characters.');
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxCallsInFlight = options.maxCallsInFlight ?? DEFAULT_MAX_CALLS_IN_FLIGHT;
  const root = await rendererRoot(options.rendererDir);

  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, perMessageDeflate: false });
  const port = await listen(server, options.port ?? 0);
  const origin = `http://127.0.0.1:${port}`;
  const guards = createGuards(port, token);
  const files = staticFiles(root, pageHeaders(port));
  let open = 0;

  server.on('request', (req, res) => {
    if (!guards.hostAllowed(req)) {
      res.writeHead(421, { 'Content-Length': 0, Connection: 'close' }).end();
      return;
    }
    files.serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 });
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!guards.hostAllowed(req)) return refuseUpgrade(socket, 421);
    if (pathOf(req.url ?? '') !== '/ws') return refuseUpgrade(socket, 404);
    if (!guards.originAllowed(req) || !guards.tokenAllowed(req)) return refuseUpgrade(socket, 403);
    // Counted from the accepted handshake to the socket's close, so a burst of handshakes
    // cannot all slip in before the first one finishes.
    if (open >= maxConnections) return refuseUpgrade(socket, 503);
    open += 1;
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      open -= 1;
    };
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', release);
      serveSocket(ws, options.handlers, maxCallsInFlight, options.language ?? (() => 'en'));
    });
  });

  const emit: EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    const checked = checkEvent(event, payload);
    if (checked === undefined) return;
    const frame = JSON.stringify({ event, payload: checked });
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
  };

  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    emit,
    close: () => closeAll(server, wss),
  };
}

async function rendererRoot(dir: string): Promise<string> {
  try {
    const root = await realpath(dir);
    if ((await stat(join(root, 'index.html'))).isFile()) return root;
  } catch {
    // fall through to the one error below
  }
  throw new AppError('not_found', `The built renderer was not found in ${dir} (no index.html): run the build first.`);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(new AppError('unavailable', `The browser host could not listen on 127.0.0.1:${port} (${e.code ?? e.message}).`));
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function serveSocket(ws: WebSocket, handlers: Handlers, maxCallsInFlight: number, language: () => Language): void {
  let inFlight = 0;
  // Protocol violations (oversized frame, bad UTF-8) arrive here and then as a close code; nothing to add.
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'text frames only');
      return;
    }
    const frame = parseFrame(textOf(data));
    if (!frame.ok) {
      reply(ws, null, { ok: false, error: { code: 'invalid_input', message: frame.message } });
      return;
    }
    if (inFlight >= maxCallsInFlight) {
      reply(ws, frame.id, { ok: false, error: { code: 'busy', message: `Too many calls at once on this connection (at most ${maxCallsInFlight}): wait for an answer first.` } });
      return;
    }
    inFlight += 1;
    // Not awaited: calls on one socket run concurrently and their answers carry their ids.
    // dispatch answers every failure as a Result value, so this chain does not reject.
    void dispatch(handlers, frame.call, frame.input, language())
      .then((result) => reply(ws, frame.id, result))
      .finally(() => (inFlight -= 1));
  });
}

function reply(ws: WebSocket, id: number | string | null, result: Result<unknown>): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id, result }));
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

type ParsedFrame = { ok: true; id: number | string; call: unknown; input: unknown } | { ok: false; message: string };

/** Reads a call frame `{id, call, input}`; the call name and input are dispatch's to judge. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The frame is not JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The frame must be a JSON object {id, call, input}.' };
  }
  const frame = value as Record<string, unknown>;
  const id = frame.id;
  const validId = (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_LENGTH);
  if (!validId) {
    return { ok: false, message: `The frame needs an id: a number or a string of at most ${MAX_ID_LENGTH} characters.` };
  }
  return { ok: true, id, call: frame.call, input: frame.input };
}

async function closeAll(server: ReturnType<typeof createServer>, wss: WebSocketServer): Promise<void> {
  const sockets = [...wss.clients].map(
    (client) =>
      new Promise<void>((resolve) => {
        if (client.readyState === WebSocket.CLOSED) return resolve();
        client.once('close', () => resolve());
        client.close(1001, 'the companion is closing');
        setTimeout(() => client.terminate(), CLOSE_GRACE_MS).unref();
      }),
  );
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await Promise.all(sockets);
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await closed;
}
