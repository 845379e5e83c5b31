// The Diyalog simulator: a real HTTP server on loopback that checks DLGA signatures,
// answers the five documented endpoints from seeded state, and injects latency,
// clock skew and failures on request. Used by demo mode, `companion sim`, the
// integration tests and the benchmarks.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerCertificate } from '../certificates';
import type { AddressInfo } from 'node:net';
import type { HelpRecord, HelpType } from '../../../shared/diyalog';
import { AppError } from '../../../shared/errors';
import { type DlgaCredentials, type SignatureAlgorithm, type SigningForm, verifyDlga } from './auth';
import { DEMO_STAFF_ID, TRANSCRIPT_HOST, createRng, pick, seedDiyalogData, type SimCustomer, type SimStaff } from './data';
import { DiyalogWorld, PAGE_SIZE, type EndState, type LiveSession, type ReleasedInteraction, type WaitingInteraction } from './world';

export type { LiveSession, EndState, WaitingInteraction, ReleasedInteraction } from './world';
export type { SimCustomer, SimStaff } from './data';
export type { SignatureAlgorithm, SigningForm } from './auth';

/** getonlinehelplist's agent filter: `agentUserId` on servers older than 2021-03-31. */
export type HistoryAgentField = 'agentId' | 'agentUserId';

/** Page sizes of the vendor's two generations: 25 before 2021-03-12, 20 since. */
export const SIM_PAGE_SIZES = [20, 25] as const;

export interface DiyalogSimOptions {
  /** Serve HTTPS with this certificate (a bank's own CA: main/sim/certificates.ts); default plain http. */
  tls?: ServerCertificate;
  /** default 0 (ephemeral); the host is always 127.0.0.1 */
  port?: number;
  /** e.g. '/api' serves /api/v1/...; default '' */
  basePath?: string;
  credentials?: DlgaCredentials;
  /** server clock = now() + offset: simulates a skewed agent desktop */
  clockOffsetMs?: number;
  /** added to every response */
  latencyMs?: number;
  /** 0..1: share of requests answered 500 (plain text) or dropped (half each) */
  failureRate?: number;
  /** drives the data, the failures and the demo; same seed, same simulator */
  seed?: number;
  /** total help records at start, live sessions included; default 3000 */
  historySize?: number;
  /** base clock; default Date.now */
  now?: () => number;
  /** sessions appear and progress on a timer (the app's demo mode) */
  demo?: boolean;
  /** demo timer period; default 4000 ms */
  demoTickMs?: number;
  /** for a server still on the early-2021 SHA1 signing; default sha256 */
  signatureAlgorithm?: SignatureAlgorithm;
  /** the canonical string to sign this server checks: `example` (default, newline before the path) or `pseudocode` */
  signingForm?: SigningForm;
  /** records per getonlinehelplist answer: 20 (default) or 25 (servers before 2021-03-12) */
  pageSize?: number;
  /** the agent filter this server reads; the other name is ignored, as an unknown JSON field is; default agentId */
  historyAgentField?: HistoryAgentField;
}

export type FailureKind = '500' | 'drop' | 'bad_json';

/** An endpoint by its last path segment, e.g. 'finishonlinehelp'. */
export type SimEndpoint = 'iscustomerinonlinehelp' | 'finishonlinehelp' | 'getonlinehelplist' | 'getmessagingdetail' | 'interactionisnotdelivered';

/** A request held at the server (signed and accepted, not yet processed) until released. */
export interface HeldRequest {
  /** Resolves when the request has arrived and is being held. */
  arrived: Promise<void>;
  /** Resolves if the client closes the connection before the answer: its call was aborted. */
  abandoned: Promise<void>;
  /** Process it and answer as usual. */
  release(): void;
}

export interface SimRequestLogEntry {
  path: string;
  /** 0 when the connection was dropped without an answer */
  status: number;
  /** x-dlg-requester-userid as sent, or null */
  requester: string | null;
}

export interface DiyalogSimControl {
  setClockOffset(ms: number): void;
  setLatency(ms: number): void;
  setFailureRate(rate: number): void;
  /**
   * The next `n` requests (to `endpoint` only, when given) fail this way, before any other
   * check: for finishonlinehelp, the session is left as it was.
   */
  failNext(n: number, kind: FailureKind, endpoint?: SimEndpoint): void;
  /** Answer 403 to every well-signed request, whatever its date. */
  rejectSkewAlways(on: boolean): void;
  /** Which canonical form and algorithm the server checks from now on. */
  setSigning(signing: { form?: SigningForm; algorithm?: SignatureAlgorithm }): void;
  readonly signing: { form: SigningForm; algorithm: SignatureAlgorithm };
  setPageSize(size: number): void;
  setHistoryAgentField(field: HistoryAgentField): void;
  /**
   * The next `n` POSTs to an endpoint are answered with this redirect, before the signature
   * check: a misconfigured proxy or a hostile server trying to get a signed request elsewhere.
   */
  redirectNext(n: number, location: string, status?: 301 | 302 | 303 | 307 | 308): void;
  /** The server clock (with the offset). */
  serverNow(): number;
  startSession(customerId: string, staffId: string, helpType: HelpType): LiveSession;
  /** The customer asks for help and waits on the waiting screen (a waiting interaction). */
  requestSession(customerId: string): LiveSession;
  endSession(customerId: string, state?: EndState): HelpRecord | null;
  /**
   * Recovery: the next `n` calls to `endpoint` are processed (finishonlinehelp ends the
   * session) and then answered 500 or dropped: the case where the outcome is unknown.
   */
  failNextAfterProcessing(n: number, kind: '500' | 'drop', endpoint?: SimEndpoint): void;
  /** The next call to `endpoint` waits, accepted but unprocessed, until released: a call in flight. */
  holdNext(endpoint: SimEndpoint): HeldRequest;
  /** An agent app that crashed: a session started at `startedAt` (in the past) that only a force-end ends. */
  crashSession(customerId: string, staffId: string, startedAt: number, helpType?: HelpType): LiveSession;
  /** The session moves to another staff member; the history row keeps naming the first one. */
  transferSession(customerId: string, staffId: string): LiveSession;
  /** The session ends but its history row stays "started, not ended" (the reporting side never heard). */
  endSessionUnreported(customerId: string): boolean;
  /** The truth a stuck-session finder is measured against: sessions really stuck now. */
  crashedSessions(): LiveSession[];
  session(customerId: string): LiveSession | null;
  liveSessions(): LiveSession[];
  customers(): SimCustomer[];
  staff(): SimStaff[];
  waitingInteractions(): WaitingInteraction[];
  releasedInteractions(): ReleasedInteraction[];
  readonly requestCount: number;
  readonly requests: readonly SimRequestLogEntry[];
  resetCounters(): void;
  replaceHistory(records: readonly HelpRecord[]): void;
  /** Every record, newest first (live sessions in their current state). */
  history(): HelpRecord[];
  /** One demo step now, whether or not the demo timer runs. */
  demoStep(): void;
}

export interface DiyalogSim {
  /** http(s)://127.0.0.1:PORT plus the base path */
  url: string;
  credentials: DlgaCredentials;
  /** a demo supervisor's staff number for x-dlg-requester-userid */
  staffId: string;
  control: DiyalogSimControl;
  close(): Promise<void>;
}

/** The vendor document's example key id, with a secret that exists only here. */
export const DEMO_DIYALOG_CREDENTIALS: Readonly<DlgaCredentials> = Object.freeze({
  keyId: '1234567-8ABC-DEF0-5432-56712ABCDEF5',
  secret: 'diyalog-simulator-demo-secret',
});

const DEFAULT_SEED = 20210309;
const MAX_BODY_BYTES = 1 << 20;
const MAX_LOG_ENTRIES = 100_000;
const JSON_TYPE = 'application/json;charset=UTF-8';
const TEXT_TYPE = 'text/plain;charset=UTF-8';
const SERVER_ERRORS = [
  'java.lang.IllegalStateException: connection pool exhausted',
  'org.springframework.dao.DataAccessResourceFailureException: Could not open JDBC Connection for transaction',
  'java.net.SocketTimeoutException: Read timed out',
  'java.lang.NullPointerException',
];

const ENDPOINTS = {
  '/v1/application/iscustomerinonlinehelp': isCustomerInOnlineHelp,
  '/v1/application/finishonlinehelp': finishOnlineHelp,
  '/v1/reporting/getonlinehelplist': getOnlineHelpList,
  '/v1/reporting/getmessagingdetail': getMessagingDetail,
  '/v1/application/interactionisnotdelivered': interactionIsNotDelivered,
} satisfies Record<string, (body: Record<string, unknown>, world: DiyalogWorld, server: ServerVersion) => unknown>;

/** What differs between the vendor's server generations (digest §1.3). */
interface ServerVersion {
  pageSize: number;
  agentField: HistoryAgentField;
}

/** A request body the (Java) server cannot bind: answered 500 with the exception as text. */
class UnreadableBody extends Error {}

export async function startDiyalogSim(options: DiyalogSimOptions = {}): Promise<DiyalogSim> {
  const seed = options.seed ?? DEFAULT_SEED;
  const historySize = options.historySize ?? 3000;
  if (!Number.isInteger(historySize) || historySize < 0) throw new AppError('invalid_input', 'historySize must be a non-negative integer.');
  const basePath = normaliseBasePath(options.basePath ?? '');
  const credentials = { ...(options.credentials ?? DEMO_DIYALOG_CREDENTIALS) };
  let algorithm: SignatureAlgorithm = options.signatureAlgorithm ?? 'sha256';
  let form: SigningForm = checkForm(options.signingForm ?? 'example');
  let pageSize = checkPageSize(options.pageSize ?? PAGE_SIZE);
  let agentField: HistoryAgentField = checkAgentField(options.historyAgentField ?? 'agentId');
  const redirects: { location: string; status: number }[] = [];
  const baseNow = options.now ?? Date.now;

  let clockOffset = options.clockOffsetMs ?? 0;
  let latency = checkLatency(options.latencyMs ?? 0);
  let failureRate = checkRate(options.failureRate ?? 0);
  let skewAlways = false;
  const forcedFailures: { kind: FailureKind; endpoint?: string }[] = [];
  const afterFailures: { kind: '500' | 'drop'; endpoint: string }[] = [];
  const holds: { endpoint: string; arrived: () => void; abandoned: () => void; released: Promise<void> }[] = [];
  let requestCount = 0;
  let log: SimRequestLogEntry[] = [];

  const serverNow = () => baseNow() + clockOffset;
  // Separate streams so that, say, a failure draw never shifts the seeded data.
  const failureRng = createRng(seed ^ 0x5bd1e995);
  const world = new DiyalogWorld(seedDiyalogData(seed, historySize, serverNow()), serverNow, createRng(seed ^ 0x27d4eb2f));
  const routes = new Map(Object.entries(ENDPOINTS).map(([path, handler]) => [basePath + path, handler]));
  const timers = new Set<NodeJS.Timeout>();

  const delay = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const nextFailure = (path: string): FailureKind | null => {
    const endpoint = path.split('/').at(-1);
    const forced = forcedFailures.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (forced !== -1) return forcedFailures.splice(forced, 1)[0]?.kind ?? null;
    if (failureRate > 0 && failureRng() < failureRate) return failureRng() < 0.5 ? '500' : 'drop';
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requestCount++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const requesterHeader = req.headers['x-dlg-requester-userid'];
    const requester = typeof requesterHeader === 'string' && requesterHeader !== '' ? requesterHeader : null;
    const answer = (status: number, contentType: string, body: string, headers: Record<string, string> = {}) => {
      record({ path, status, requester });
      const bytes = Buffer.from(body, 'utf8');
      res.writeHead(status, {
        ...headers,
        Date: new Date(serverNow()).toUTCString(),
        'Content-Type': contentType,
        'Content-Length': String(bytes.length),
      });
      res.end(bytes);
    };

    const body = await readBody(req);
    await delay(latency);
    if (body === null) return answer(413, TEXT_TYPE, 'Request body too large');
    const handler = routes.get(path);
    if (!handler) return answer(404, TEXT_TYPE, 'Not Found');
    if (req.method !== 'POST') return answer(405, TEXT_TYPE, `Request method '${req.method}' not supported`, { Allow: 'POST' });

    const redirect = redirects.shift();
    if (redirect) return answer(redirect.status, TEXT_TYPE, '', { Location: redirect.location });

    const failure = nextFailure(path);
    if (failure === 'drop') {
      record({ path, status: 0, requester });
      req.socket.destroy();
      return;
    }
    if (failure === '500') return answer(500, TEXT_TYPE, pick(failureRng, SERVER_ERRORS));
    // A proxy that cut the answer short: status and type say JSON, the body is not.
    if (failure === 'bad_json') return answer(200, JSON_TYPE, '{"isSuccess":true,"message":"Conversa');

    const verdict = verifyDlga(
      { method: 'POST', path, headers: req.headers, body },
      { credentials, algorithm, form, serverNow: serverNow(), rejectSkewAlways: skewAlways },
    );
    if (!verdict.ok) return answer(verdict.status, TEXT_TYPE, verdict.message);

    const contentType = req.headers['content-type'] ?? '';
    if (contentType.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
      return answer(415, TEXT_TYPE, `Content type '${contentType}' not supported`);
    }
    const endpoint = path.split('/').at(-1) ?? '';
    const hold = holds.findIndex((h) => h.endpoint === endpoint);
    if (hold !== -1) {
      const [held] = holds.splice(hold, 1);
      // A call abandoned before it got here (during the latency) has already closed: 'close'
      // will not come again, and `abandoned` must not wait for it.
      if (res.closed) held?.abandoned();
      else
        res.once('close', () => {
          if (!res.writableEnded) held?.abandoned();
        });
      held?.arrived();
      await held?.released;
    }
    try {
      const result = JSON.stringify(handler(parseObject(body), world, { pageSize, agentField }));
      const after = afterFailures.findIndex((f) => f.endpoint === endpoint);
      if (after !== -1) {
        const [fault] = afterFailures.splice(after, 1);
        if (fault?.kind === 'drop') {
          record({ path, status: 0, requester });
          req.socket.destroy();
          return;
        }
        return answer(500, TEXT_TYPE, pick(failureRng, SERVER_ERRORS));
      }
      return answer(200, JSON_TYPE, result);
    } catch (e) {
      if (e instanceof UnreadableBody) return answer(500, TEXT_TYPE, e.message);
      return answer(500, TEXT_TYPE, `java.lang.RuntimeException: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const record = (entry: SimRequestLogEntry) => {
    log.push(entry);
    if (log.length > MAX_LOG_ENTRIES) log = log.slice(-MAX_LOG_ENTRIES / 2);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => req.socket.destroy());
  };
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const demoTimer = options.demo ? setInterval(() => world.demoStep(), options.demoTickMs ?? 4000) : null;
  demoTimer?.unref();

  const control: DiyalogSimControl = {
    setClockOffset: (ms) => void (clockOffset = ms),
    setLatency: (ms) => void (latency = checkLatency(ms)),
    setFailureRate: (rate) => void (failureRate = checkRate(rate)),
    failNext: (n, kind, endpoint) => {
      for (let i = 0; i < n; i++) forcedFailures.push({ kind, ...(endpoint !== undefined && { endpoint }) });
    },
    rejectSkewAlways: (on) => void (skewAlways = on),
    setSigning: (signing) => {
      if (signing.form !== undefined) form = checkForm(signing.form);
      if (signing.algorithm !== undefined) algorithm = checkAlgorithm(signing.algorithm);
    },
    get signing() {
      return { form, algorithm };
    },
    setPageSize: (size) => void (pageSize = checkPageSize(size)),
    setHistoryAgentField: (field) => void (agentField = checkAgentField(field)),
    redirectNext: (n, location, status = 307) => {
      for (let i = 0; i < n; i++) redirects.push({ location, status });
    },
    serverNow,
    startSession: (customerId, staffId, helpType) => world.startSession(customerId, staffId, helpType),
    requestSession: (customerId) => world.requestSession(customerId),
    endSession: (customerId, state) => world.endSession(customerId, state),
    failNextAfterProcessing: (n, kind, endpoint = 'finishonlinehelp') => {
      for (let i = 0; i < n; i++) afterFailures.push({ kind, endpoint });
    },
    holdNext: (endpoint) => {
      let arrived = () => {};
      let abandoned = () => {};
      let release = () => {};
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      const abandonment = new Promise<void>((resolve) => (abandoned = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ endpoint, arrived, abandoned, released });
      return { arrived: arrival, abandoned: abandonment, release };
    },
    crashSession: (customerId, staffId, startedAt, helpType) => world.crashSession(customerId, staffId, startedAt, helpType),
    transferSession: (customerId, staffId) => world.transferSession(customerId, staffId),
    endSessionUnreported: (customerId) => world.endSessionUnreported(customerId),
    crashedSessions: () => world.crashedSessions(),
    session: (customerId) => world.session(customerId),
    liveSessions: () => world.liveSessions(),
    customers: () => world.customers(),
    staff: () => world.staff(),
    waitingInteractions: () => world.waitingInteractions(),
    releasedInteractions: () => world.releasedInteractions(),
    get requestCount() {
      return requestCount;
    },
    get requests() {
      return [...log];
    },
    resetCounters: () => {
      requestCount = 0;
      log = [];
    },
    replaceHistory: (records) => world.replaceHistory(records),
    history: () => world.history(),
    demoStep: () => world.demoStep(),
  };

  let closing: Promise<void> | null = null;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${basePath}`,
    credentials,
    staffId: DEMO_STAFF_ID,
    control,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (demoTimer) clearInterval(demoTimer);
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

// ---- endpoints --------------------------------------------------------------

function isCustomerInOnlineHelp(body: Record<string, unknown>, world: DiyalogWorld) {
  const customerId = requiredString(body, 'customerId');
  if (!world.hasCustomer(customerId)) return { isInHelp: false, errorCode: 400 };
  const s = world.inHelp(customerId);
  return s ? { isInHelp: true, helpType: s.helpType, staffId: s.staffId } : { isInHelp: false };
}

function finishOnlineHelp(body: Record<string, unknown>, world: DiyalogWorld) {
  const customerId = requiredString(body, 'customerId');
  const staffId = requiredString(body, 'staffId');
  return world.finish(customerId, staffId)
    ? { isSuccess: true, message: 'Conversation will be stop with peers.' }
    : { isSuccess: false, message: 'No conversation found between peers.', errorCode: 400 };
}

function getOnlineHelpList(body: Record<string, unknown>, world: DiyalogWorld, server: ServerVersion) {
  const startDate = requiredLong(body, 'startDate');
  const endDate = requiredLong(body, 'endDate');
  const customerId = optionalString(body, 'customerId');
  // Only the name this server version knows: the other is an unknown field, silently ignored (no filter at all).
  const agentId = optionalString(body, server.agentField);
  return world.list({ startDate, endDate, customerId, agentId }, server.pageSize).map(sortedKeys);
}

function getMessagingDetail(body: Record<string, unknown>, world: DiyalogWorld) {
  const staffId = requiredString(body, 'staffId');
  requiredString(body, 'customerId');
  const startDate = requiredLong(body, 'startDate');
  const endDate = requiredLong(body, 'endDate');
  if (startDate > endDate) return { isSuccess: false, conversationDetailLink: '', error: 'startDate must not be after endDate.' };
  // The vendor's own failure example, field order included (digest §1.3).
  if (!world.staff().some((s) => s.staffId === staffId)) return { conversationDetailLink: '', error: 'Staff not found in the system', isSuccess: false };
  // As documented, the link is made whether or not the two ever wrote to each other.
  return { isSuccess: true, conversationDetailLink: `${TRANSCRIPT_HOST}/messagingdetail.html?token=${world.transcriptToken()}` };
}

function interactionIsNotDelivered(body: Record<string, unknown>, world: DiyalogWorld) {
  const interactionId = optionalString(body, 'interactionId');
  const sessionId = optionalString(body, 'sessionId');
  const message = optionalString(body, 'message') ?? null;
  if (!interactionId && !sessionId) {
    return { isSuccess: false, message: 'No interactionId or sessionId is found in your request. Should be provide one of them.', errorCode: 400 };
  }
  switch (world.release({ interactionId, sessionId }, message)) {
    case 'released':
      return { isSuccess: true, message: 'Customer waiting will be stopped.' };
    case 'not_waiting':
      return { isSuccess: false, message: 'No customer is waiting in a given interaction id.', errorCode: 402 };
    case 'waiting_other':
      return { isSuccess: false, message: 'Customer is waiting for different interaction.', errorCode: 403 };
  }
}

// ---- request plumbing -------------------------------------------------------

/** The raw bytes as received (they are what was signed), or null past the size cap. */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : null));
    req.on('error', reject);
  });
}

function parseObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new UnreadableBody('org.springframework.http.converter.HttpMessageNotReadableException: Required request body is missing');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new UnreadableBody('com.fasterxml.jackson.core.JsonParseException: Unexpected character in request body: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnreadableBody('com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize request from non-object value');
  }
  return value as Record<string, unknown>;
}

// Stricter than Jackson (which would coerce 70022 to "70022"): a client that sends the
// documented types passes here and there; one that relies on coercion fails here first.
function requiredString(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (v === undefined || v === null) throw new UnreadableBody(`java.lang.IllegalArgumentException: ${name} must not be null`);
  if (typeof v !== 'string') throw new UnreadableBody(`com.fasterxml.jackson.databind.exc.MismatchedInputException: ${name}: expected a String`);
  return v;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new UnreadableBody(`com.fasterxml.jackson.databind.exc.MismatchedInputException: ${name}: expected a String`);
  return v === '' ? undefined : v;
}

function requiredLong(body: Record<string, unknown>, name: string): number {
  const v = body[name];
  if (v === undefined || v === null) throw new UnreadableBody(`java.lang.IllegalArgumentException: ${name} must not be null`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new UnreadableBody(`com.fasterxml.jackson.databind.exc.MismatchedInputException: ${name}: expected a long (epoch milliseconds)`);
  }
  return v;
}

/** The vendor sample lists record fields alphabetically; so does the simulator. */
function sortedKeys(record: HelpRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function normaliseBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function checkForm(form: SigningForm): SigningForm {
  if (form !== 'example' && form !== 'pseudocode') throw new AppError('invalid_input', 'signingForm must be example or pseudocode.');
  return form;
}

function checkAlgorithm(algorithm: SignatureAlgorithm): SignatureAlgorithm {
  if (algorithm !== 'sha256' && algorithm !== 'sha1') throw new AppError('invalid_input', 'signatureAlgorithm must be sha256 or sha1.');
  return algorithm;
}

function checkPageSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1 || size > 1000) throw new AppError('invalid_input', 'pageSize must be a whole number from 1 to 1000.');
  return size;
}

function checkAgentField(field: HistoryAgentField): HistoryAgentField {
  if (field !== 'agentId' && field !== 'agentUserId') throw new AppError('invalid_input', 'historyAgentField must be agentId or agentUserId.');
  return field;
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new AppError('invalid_input', 'failureRate must be between 0 and 1.');
  return rate;
}

function checkLatency(ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new AppError('invalid_input', 'latencyMs must be a non-negative number.');
  return ms;
}
