import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server';
import type { Handlers } from '../../../main/services/dispatch';
import type { WatchEntry } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';

const PAGE_MARKER = 'companion-test-page';
const OUTSIDE_SECRET = 'outside-the-renderer-dir';
const MAX_FRAME_BYTES = 4096;
/** Guards each wait so a broken host fails a test quickly instead of at vitest's timeout. */
const WAIT_MS = 5000;

/** Only the calls these tests exercise have bodies; every other one answers `internal`. */
function handlersWith(bodies: Partial<Handlers>): Handlers {
  return new Proxy(bodies, {
    get: (target, name) =>
      target[name as keyof Handlers] ??
      (async () => {
        throw new AppError('internal', `${String(name)} is not part of this test`);
      }),
  }) as Handlers;
}

const entry = (customerId: string): WatchEntry => ({ customerId, state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null });

// watch.refresh of "slow" waits until watch.add releases it: shows calls on one socket overlap.
let releaseSlow: () => void = () => {};
const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));

const handlers = handlersWith({
  'watch.add': async ({ customerId }) => {
    if (customerId === 'release') releaseSlow();
    return [entry(customerId)];
  },
  'watch.refresh': async ({ customerId }) => {
    if (customerId === 'slow') await slowGate;
    return entry(customerId);
  },
});

let dir: string;
let host: BrowserHost;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-host-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), `<!doctype html><title>${PAGE_MARKER}</title>`);
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(rendererDir, 'assets', 'app.js.map'), '{"version":3,"sources":["secret.ts"],"mappings":"AAAA"}');
  await writeFile(join(rendererDir, 'assets', 'APP.JS.MAP'), '{"version":3,"mappings":"AAAA"}');
  await symlink(join(rendererDir, 'assets', 'app.js.map'), join(rendererDir, 'assets', 'linked.js'));
  await writeFile(join(dir, 'package.json'), `{"name":"${OUTSIDE_SECRET}"}`);
  await writeFile(join(dir, 'secret.txt'), OUTSIDE_SECRET);
  await symlink(join(dir, 'secret.txt'), join(rendererDir, 'link.txt'));
  host = await startBrowserHost({ handlers, rendererDir, maxFrameBytes: MAX_FRAME_BYTES });
  port = Number(new URL(host.origin).port);
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Page {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so the Host header and the path go out exactly as written. */
function get(path: string, hostHeader = `127.0.0.1:${port}`, method = 'GET'): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: hostHeader } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a WebSocket handshake on a bare TCP socket and returns the status line it gets. */
function handshakeStatus(options: { path?: string; host?: string; origin?: string | null }): Promise<string> {
  const lines = [
    `GET ${options.path ?? `/ws?token=${encodeURIComponent(host.token)}`} HTTP/1.1`,
    `Host: ${options.host ?? `127.0.0.1:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
  ];
  const origin = options.origin === undefined ? host.origin : options.origin;
  if (origin !== null) lines.push(`Origin: ${origin}`);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(lines.join('\r\n') + '\r\n\r\n'));
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received.split('\r\n')[0] ?? '');
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n\r\n')) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no handshake answer')), WAIT_MS).unref();
  });
}

type Frame = { id?: unknown; result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } }; event?: string; payload?: unknown };

/** A `ws` client that queues what it receives so a test can take frames in order. */
class Client {
  private readonly frames: Frame[] = [];
  private waiting: ((frame: Frame) => void) | null = null;
  readonly closed: Promise<{ code: number }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(frame);
      } else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  static open(): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(host.token)}`, { origin: host.origin });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  next(): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      setTimeout(() => reject(new Error('no frame arrived')), WAIT_MS).unref();
    });
  }

  async call(id: number | string, call: string, input: unknown): Promise<Frame> {
    this.ws.send(JSON.stringify({ id, call, input }));
    return this.next();
  }

  close(): void {
    this.ws.close();
  }
}

describe('browser host: pages', () => {
  it('serves index.html at / with the strict CSP and security headers', async () => {
    const page = await get(`/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(PAGE_MARKER);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('serves assets with their content type, also under the localhost spelling, and HEAD without a body', async () => {
    const asset = await get('/assets/app.js', `localhost:${port}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.body).toBe('console.log(1);');
    const head = await get('/', `127.0.0.1:${port}`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('gives no page to a request naming another host (DNS rebinding)', async () => {
    for (const name of [`evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]) {
      const page = await get('/', name);
      expect(page.status, name).toBe(421);
      expect(page.body).not.toContain(PAGE_MARKER);
    }
  });

  it('refuses directory traversal in every encoding, and links that leave the renderer dir', async () => {
    const attempts = [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/link.txt',
      '/index.html%00.js',
    ];
    for (const path of attempts) {
      const page = await get(path);
      expect(page.status, path).toBe(404);
      expect(page.body, path).not.toContain(OUTSIDE_SECRET);
    }
  });

  it('never serves a source map, in any spelling, even one that is there', async () => {
    for (const path of ['/assets/app.js.map', '/assets/APP.JS.MAP', '/assets/app.js%2emap', '/assets/app.js.map?x=1', '/assets/linked.js']) {
      const page = await get(path);
      expect(page.status, path).toBe(404);
      expect(page.body, path).not.toContain('mappings');
    }
    // The control: the file beside it is served.
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('answers 404 for a missing file or a directory, and 405 for other methods', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/assets/')).status).toBe(404);
    const post = await get('/', `127.0.0.1:${port}`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});

describe('browser host: handshake guards', () => {
  it('upgrades a handshake with the token, our Origin and our Host (the control)', async () => {
    expect(await handshakeStatus({})).toMatch(/^HTTP\/1\.1 101 /);
    expect(await handshakeStatus({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('refuses a handshake without the token or with a wrong one', async () => {
    expect(await handshakeStatus({ path: '/ws' })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ path: '/ws?token=' })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ path: `/ws?token=${host.token.slice(0, -1)}x` })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ path: `/ws?token=${host.token}&token=${host.token}` })).toBe('HTTP/1.1 403 Forbidden');
  });

  it('refuses a handshake from another Origin or with none', async () => {
    expect(await handshakeStatus({ origin: 'http://evil.example' })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ origin: `http://127.0.0.1:${port + 1}` })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ origin: 'null' })).toBe('HTTP/1.1 403 Forbidden');
    expect(await handshakeStatus({ origin: null })).toBe('HTTP/1.1 403 Forbidden');
  });

  it('refuses a handshake naming another Host, and one on another path', async () => {
    expect(await handshakeStatus({ host: `evil.example:${port}` })).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await handshakeStatus({ path: `/other?token=${host.token}` })).toBe('HTTP/1.1 404 Not Found');
  });
});

describe('browser host: calls and events', () => {
  it('answers a valid call, an invalid input and an unknown call, each with its id', async () => {
    const client = await Client.open();
    const good = await client.call(1, 'watch.add', { customerId: ' 70022 ' });
    expect(good).toEqual({ id: 1, result: { ok: true, value: [entry('70022')] } });
    const bad = await client.call('two', 'watch.add', { customerId: 5 });
    expect(bad.id).toBe('two');
    expect(bad.result?.error?.code).toBe('invalid_input');
    const unknown = await client.call(3, 'no.such.call', {});
    expect(unknown.id).toBe(3);
    expect(unknown.result?.error?.code).toBe('invalid_input');
    client.close();
  });

  it('runs calls on one socket concurrently: a later answer can come first', async () => {
    const client = await Client.open();
    client.ws.send(JSON.stringify({ id: 'slow', call: 'watch.refresh', input: { customerId: 'slow' } }));
    const release = await client.call('release', 'watch.add', { customerId: 'release' });
    expect(release.id).toBe('release');
    const slow = await client.next();
    expect(slow).toEqual({ id: 'slow', result: { ok: true, value: entry('slow') } });
    client.close();
  });

  it('answers malformed frames with an id-less invalid_input and keeps the socket open', async () => {
    const client = await Client.open();
    const malformed = ['not json', '[1,2]', '"text"', 'null', '{"call":"watch.list","input":{}}', `{"id":"${'x'.repeat(65)}"}`, '{"id":{}}'];
    for (const text of malformed) {
      client.ws.send(text);
      const answer = await client.next();
      expect(answer.id, text).toBeNull();
      expect(answer.result?.ok, text).toBe(false);
      expect(answer.result?.error?.code, text).toBe('invalid_input');
    }
    expect((await client.call(9, 'watch.add', { customerId: 'still-open' })).result?.ok).toBe(true);
    client.close();
  });

  it('closes the socket with 1009 on an oversized frame', async () => {
    const client = await Client.open();
    client.ws.send(JSON.stringify({ id: 1, call: 'watch.add', input: { customerId: 'x'.repeat(MAX_FRAME_BYTES) } }));
    expect((await client.closed).code).toBe(1009);
  });

  it('closes the socket with 1003 on a binary frame', async () => {
    const client = await Client.open();
    client.ws.send(Buffer.from(JSON.stringify({ id: 1, call: 'watch.list', input: {} })));
    expect((await client.closed).code).toBe(1003);
  });

  it('pushes an event to every connected socket, and drops one that breaks the contract', async () => {
    const a = await Client.open();
    const b = await Client.open();
    const payload = { ...entry('70022'), checkedAt: 1_700_000_000_000 };
    host.emit('watch.changed', { customerId: 'bad' } as WatchEntry);
    host.emit('watch.changed', payload);
    // The dropped event never arrives: the first frame on each socket is the valid one.
    expect(await a.next()).toEqual({ event: 'watch.changed', payload });
    expect(await b.next()).toEqual({ event: 'watch.changed', payload });
    a.close();
    b.close();
  });
});

describe('browser host: limits', () => {
  // Its own host with the default limits, so the sockets above do not count against them.
  let limited: BrowserHost;
  let limitedPort: number;
  let releaseHeld: () => void = () => {};
  let held = new Promise<void>((resolve) => (releaseHeld = resolve));
  const limitHandlers = handlersWith({
    'watch.refresh': async ({ customerId }) => {
      if (customerId === 'hold') await held;
      return entry(customerId);
    },
  });

  beforeAll(async () => {
    limited = await startBrowserHost({ handlers: limitHandlers, rendererDir: join(dir, 'renderer') });
    limitedPort = Number(new URL(limited.origin).port);
  });

  afterAll(async () => {
    releaseHeld();
    await limited?.close();
  });

  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${limitedPort}/ws?token=${encodeURIComponent(limited.token)}`, { origin: limited.origin });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  /** The status line a raw handshake to the limited host gets; a 101 socket is dropped at once. */
  const rawHandshake = () =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(limitedPort, '127.0.0.1', () =>
        socket.write(
          [
            `GET /ws?token=${encodeURIComponent(limited.token)} HTTP/1.1`,
            `Host: 127.0.0.1:${limitedPort}`,
            `Origin: ${limited.origin}`,
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
            'Sec-WebSocket-Version: 13',
          ].join('\r\n') + '\r\n\r\n',
        ),
      );
      let received = '';
      const done = () => {
        socket.destroy();
        resolve(received.split('\r\n')[0] ?? '');
      };
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('\r\n\r\n')) done();
      });
      socket.on('end', done);
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no handshake answer')), WAIT_MS).unref();
    });

  it('holds 8 connections; the 9th handshake gets 503 and no 101; a closed one frees its place', async () => {
    const sockets = await Promise.all(Array.from({ length: 8 }, () => open()));
    expect(await rawHandshake()).toBe('HTTP/1.1 503 Service Unavailable');
    // A ws client sees the refusal as an unexpected response, never as an open socket.
    const refused = new WebSocket(`ws://127.0.0.1:${limitedPort}/ws?token=${encodeURIComponent(limited.token)}`, { origin: limited.origin });
    const outcome = await new Promise<string>((resolve) => {
      refused.once('open', () => resolve('open'));
      refused.once('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      refused.once('error', (e) => resolve(`error ${e.message}`));
    });
    expect(outcome).toMatch(/503/);
    refused.terminate();

    const first = sockets.shift()!;
    await new Promise<void>((resolve) => {
      first.once('close', () => resolve());
      first.close();
    });
    // The host counts the socket until its own side has closed too, which the client cannot
    // observe; so ask again until a handshake answers (each attempt is a real round trip).
    let status = '';
    for (let attempt = 0; attempt < 100 && !status.includes(' 101 '); attempt++) status = await rawHandshake();
    expect(status).toMatch(/^HTTP\/1\.1 101 /);
    for (const ws of sockets) ws.close();
  });

  it('runs at most 32 calls at once on one socket: the 33rd is answered busy at once, with its id', async () => {
    const ws = await open();
    const other = await open();
    const answers = new Map<unknown, Frame>();
    let onAnswer: () => void = () => {};
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      answers.set(frame.id, frame);
      onAnswer();
    });
    const answered = (count: number) =>
      new Promise<void>((resolve) => {
        onAnswer = () => answers.size >= count && resolve();
        onAnswer();
      });

    for (let i = 0; i < 32; i++) ws.send(JSON.stringify({ id: i, call: 'watch.refresh', input: { customerId: 'hold' } }));
    ws.send(JSON.stringify({ id: 'over', call: 'watch.refresh', input: { customerId: 'quick' } }));
    await answered(1);
    expect([...answers.keys()]).toEqual(['over']);
    expect(answers.get('over')?.result?.ok).toBe(false);
    expect(answers.get('over')?.result?.error?.code).toBe('busy');

    // Another socket has its own allowance.
    const otherAnswer = new Promise<Frame>((resolve) => other.once('message', (data) => resolve(JSON.parse(String(data)) as Frame)));
    other.send(JSON.stringify({ id: 1, call: 'watch.refresh', input: { customerId: 'elsewhere' } }));
    expect((await otherAnswer).result?.ok).toBe(true);

    // Once the held calls answer, the socket takes calls again.
    releaseHeld();
    await answered(33);
    for (let i = 0; i < 32; i++) expect(answers.get(i)?.result, String(i)).toEqual({ ok: true, value: entry('hold') });
    held = new Promise<void>((resolve) => (releaseHeld = resolve));
    ws.send(JSON.stringify({ id: 'after', call: 'watch.refresh', input: { customerId: 'after' } }));
    await answered(34);
    expect(answers.get('after')?.result).toEqual({ ok: true, value: entry('after') });
    ws.close();
    other.close();
  });
});
