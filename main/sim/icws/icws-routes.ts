// The ICWS surface: connection, features, messaging (short poll and server-sent events)
// agent assistance and the user's own queue, answered the way a PureConnect Session Manager
// answers them.

import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { CONNECT_REQUEST_TYPE, ERRORS, MAX_TEXT_LENGTH, RequestError, USER_QUEUE_TYPE, parseCookies, readJsonBody } from './wire';
import type { ConnectRefusal, IcwsMessage, Reply } from './wire';
import type { HostKey, IcwsSimState, MessageSink, Session } from './state';
import { handleSupervisorRoute } from './supervisor-routes';

export interface IcwsContext {
  state: IcwsSimState;
  host: HostKey;
  /** how a host's peers are named in alternateHostList: its host name, or behind the reverse proxy its server name */
  hostName(host: HostKey): string;
  /** set when reached through the reverse proxy (`/api/<server>`): the path prefix before `/icws` */
  proxyPrefix: string | null;
  /** replaces every alternateHostList when set (a knob for tests: own names, full URLs, junk) */
  alternateHostList: string[] | null;
  /** every login with the right password is refused with this (a knob: no licence, expired password, station required) */
  connectRefusal: { reason: ConnectRefusal; status: 400 | 500 } | null;
  /** sent as `daysUntilPasswordExpiration` in connect answers when set */
  passwordExpiryDays: number | null;
  /** a buffering proxy holds every event stream back after its headers (a knob) */
  bufferingProxy: boolean;
  features: { featureId: string; version: number }[];
  messagingVersion: number;
  interactionsVersion: number;
  pingIntervalMs: number;
}

const VERSION = {
  majorVersion: '23',
  minorVersion: '1',
  su: '0',
  productId: 'CIC',
  codebaseId: '23.1',
  build: '23.1.0.0',
  productReleaseDisplayString: 'CIC 2023 R1',
  productPatchDisplayString: 'CIC 2023 R1',
};
const IC_SERVER = 'SIMIC01';
const SSE_RETRY_MS = 2000;

const connectBodySchema = z.object({
  __type: z.literal(CONNECT_REQUEST_TYPE),
  applicationName: z.string().min(1),
  userID: z.string().min(1),
  password: z.string(),
});

const textBodySchema = z.object({
  text: z
    .string()
    .trim()
    .min(1)
    .refine((s) => [...s].length <= MAX_TEXT_LENGTH),
});

// queueSubscriptionParameters: Genesys' own clients send queueType as "1", the SDK as 1.
const queueSubscriptionSchema = z.object({
  queueIds: z.array(z.object({ queueType: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]), queueName: z.string().min(1) })).min(1),
  attributeNames: z.array(z.string().min(1)).min(1),
});

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: 'The request path is not valid.' });
  }
}

const other = (host: HostKey): HostKey => (host === 'primary' ? 'alternate' : 'primary');
const is = (segment: string | undefined, literal: string) => segment?.toLowerCase() === literal;

export async function handleIcws(ctx: IcwsContext, req: IncomingMessage, reply: Reply, url: URL): Promise<void> {
  // Real servers match paths without regard to case (their own 401 points at /ICWS/connection).
  const segments = url.pathname.split('/').slice(2).map(decodeSegment);
  const method = req.method ?? 'GET';
  if (is(segments[0], 'connection')) {
    if (segments.length === 1 && method === 'POST') return connect(ctx, req, reply, url);
    if (segments.length === 2 && is(segments[1], 'features') && method === 'GET') return reply.json(200, { featureInfoList: ctx.features });
    if (segments.length === 2 && is(segments[1], 'version') && method === 'GET') return reply.json(200, VERSION);
    return reply.error(404, ERRORS.notFound);
  }
  const [sessionId, ...rest] = segments;
  if (!sessionId) return reply.error(404, ERRORS.notFound);
  const session = authenticate(ctx, req, reply, sessionId, method === 'GET' && is(rest[0], 'messaging') && is(rest[1], 'messages') && rest.length === 2);
  if (!session) return;
  ctx.state.touch(session);
  return sessionRoute(ctx, req, reply, session, method, rest);
}

async function connect(ctx: IcwsContext, req: IncomingMessage, reply: Reply, url: URL): Promise<void> {
  if (ctx.state.activeHost !== ctx.host) {
    return reply.error(503, { ...ERRORS.notAcceptingConnections, alternateHostList: ctx.alternateHostList ?? [ctx.hostName(ctx.state.activeHost)] });
  }
  if (!req.headers['accept-language']?.trim()) return reply.error(400, ERRORS.missingAcceptLanguage);
  const parsed = connectBodySchema.safeParse(await readJsonBody(req));
  if (!parsed.success) return reply.error(400, ERRORS.invalidRepresentation);
  const user = ctx.state.authenticate(parsed.data.userID, parsed.data.password);
  if (!user) return reply.error(400, ERRORS.authenticationFailure);
  // The password was right; the server refuses for a reason of its own.
  if (ctx.connectRefusal) return reply.error(ctx.connectRefusal.status, ERRORS[ctx.connectRefusal.reason]);

  const session = ctx.state.createSession(user, ctx.host, reply.language);
  const cookiePath = `${ctx.proxyPrefix ?? ''}/icws/${session.id}`;
  const include = new Set((url.searchParams.get('include') ?? '').split(',').map((s) => s.trim().toLowerCase()));
  reply.json(
    201,
    {
      csrfToken: session.csrfToken,
      sessionId: session.id,
      alternateHostList: ctx.alternateHostList ?? [ctx.hostName(other(ctx.host))],
      userID: user.userId,
      userDisplayName: user.displayName,
      icServer: IC_SERVER,
      ...(ctx.passwordExpiryDays !== null ? { daysUntilPasswordExpiration: ctx.passwordExpiryDays } : {}),
      ...(include.has('version') ? { version: VERSION } : {}),
      ...(include.has('features') ? { features: ctx.features } : {}),
    },
    {
      'ININ-ICWS-CSRF-Token': session.csrfToken,
      'ININ-ICWS-Session-ID': session.id,
      Location: `${ctx.proxyPrefix ?? ''}/icws/${session.id}/connection`,
      'Set-Cookie': `icws_${session.id}=${session.cookieValue}; Path=${cookiePath}; HttpOnly`,
    },
  );
}

/** The live session the request proves it holds (cookie, and CSRF token unless exempt), or a 401 already sent. */
function authenticate(ctx: IcwsContext, req: IncomingMessage, reply: Reply, sessionId: string, csrfExempt: boolean): Session | undefined {
  if (!/^\d+$/.test(sessionId)) return void reply.unauthorized(ERRORS.malformedSessionId);
  const session = ctx.state.liveSession(sessionId, ctx.host);
  // One the server made and has since ended (idle, logged out, switched over) is an invalid session; any other is not found.
  if (!session) return void reply.unauthorized(ctx.state.issued(sessionId) ? ERRORS.invalidSession : ERRORS.sessionNotFound);
  if (session.cookieInvalidStatus !== null) {
    ctx.state.endSession(session.id, 'destroy');
    return void reply.error(session.cookieInvalidStatus, ERRORS.invalidCookie);
  }
  // Ended by the server: only the message fetch (csrf-exempt) still collects the goodbye.
  if (session.closing && !csrfExempt) return void reply.unauthorized(ERRORS.invalidSession);
  const cookie = parseCookies(req.headers.cookie).get(`icws_${session.id}`);
  if (cookie === undefined) return void reply.unauthorized(ERRORS.missingSessionCookie);
  if (cookie !== session.cookieValue) return void reply.unauthorized(ERRORS.invalidCookie);
  if (!csrfExempt && req.headers['inin-icws-csrf-token'] !== session.csrfToken) return void reply.unauthorized(ERRORS.missingCsrfToken);
  return session;
}

async function sessionRoute(ctx: IcwsContext, req: IncomingMessage, reply: Reply, session: Session, method: string, rest: string[]): Promise<void> {
  const { state } = ctx;
  const [a, b, c, d, e] = rest;
  if (rest.length === 1 && is(a, 'connection') && method === 'DELETE') {
    state.endSession(session.id, 'end');
    return reply.empty(204, { 'Set-Cookie': `icws_${session.id}=; Path=/icws/${session.id}; Max-Age=0; HttpOnly` });
  }
  if (rest.length === 2 && is(a, 'messaging') && is(b, 'messages') && method === 'GET') return messages(ctx, req, reply, session);
  // The SDK's keep-alive (§2.6): answered, and like any request it counts as activity; nothing else.
  if (rest.length === 2 && is(a, 'messaging') && is(b, 'heartbeat') && method === 'POST') {
    await readJsonBody(req);
    return reply.empty(204);
  }

  // The supervisor desk's resources (§2.5): supervisor-routes.ts.
  if (await handleSupervisorRoute(state, req, reply, session, method, rest)) return;

  if (rest.length === 4 && is(a, 'messaging') && is(b, 'subscriptions') && is(c, 'queues') && d && (method === 'PUT' || method === 'DELETE')) {
    return queueSubscription(ctx, req, reply, session, method, d);
  }

  const listSubscription = is(a, 'messaging') && is(b, 'subscriptions') && is(c, 'interactions') && is(d, 'agent-assistance');
  const assistancePath = (rest.length === 3 && is(a, 'interactions') && is(c, 'agent-assistance')) || (rest.length === 3 && is(a, 'interactions') && is(b, 'agent-assistance'));
  // Agent assistance arrived with interactions 9; an older server has no such resource.
  if ((listSubscription || assistancePath) && ctx.interactionsVersion < 9) return reply.error(404, ERRORS.notFound);

  if (listSubscription && rest.length === 4 && (method === 'PUT' || method === 'DELETE')) {
    await readJsonBody(req);
    if (method === 'PUT') state.subscribeList(session);
    else session.listSubscribed = false;
    return reply.empty(204);
  }
  if (listSubscription && rest.length === 5 && e && (method === 'PUT' || method === 'DELETE')) {
    await readJsonBody(req);
    if (method === 'DELETE') session.detailSubscriptions.delete(e);
    else if (!state.subscribeDetails(session, e)) return reply.error(400, ERRORS.assistanceNotFound);
    return reply.empty(204);
  }
  if (rest.length === 3 && is(a, 'interactions') && is(c, 'agent-assistance') && b && method === 'POST') {
    const text = await readText(req);
    const result = state.createRequest(session.user, b, text);
    if ('error' in result) {
      const refusal = { already_active: ERRORS.assistanceAlreadyActive, not_acd: ERRORS.assistanceNotAcd, no_right: ERRORS.assistanceNoRight, unknown_interaction: ERRORS.interactionNotFound };
      return reply.error(400, refusal[result.error]);
    }
    return reply.json(201, { assistanceId: result.assistanceId });
  }
  if (rest.length === 3 && is(a, 'interactions') && is(b, 'agent-assistance') && c) {
    if (method === 'POST') {
      const text = await readText(req);
      return state.addAgentMessage(session.user, c, text) ? reply.empty(204) : reply.error(400, ERRORS.assistanceNotFound);
    }
    if (method === 'DELETE') return state.complete(session.user, c) ? reply.empty(204) : reply.error(400, ERRORS.assistanceNotFound);
  }
  return reply.error(404, ERRORS.notFound);
}

/** Only the user's own queue: watching others' queues needs rights the simulated agent has not. */
async function queueSubscription(ctx: IcwsContext, req: IncomingMessage, reply: Reply, session: Session, method: string, subscriptionId: string): Promise<void> {
  const body = await readJsonBody(req);
  if (method === 'DELETE') {
    ctx.state.unsubscribeQueue(session, subscriptionId);
    return reply.empty(204);
  }
  const parsed = queueSubscriptionSchema.safeParse(body);
  if (!parsed.success) throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: 'queueIds and attributeNames (at least one each) are required.' });
  // One user queue: the user's own, or (§2.5) an agent's whose queue this supervisor may monitor; without that right, 403.
  const [queue] = parsed.data.queueIds;
  if (parsed.data.queueIds.some((q) => q.queueType !== USER_QUEUE_TYPE || q.queueName.toLowerCase() !== queue!.queueName.toLowerCase())) return reply.error(400, ERRORS.queueNotAllowed);
  const own = queue!.queueName.toLowerCase() === session.user.userId.toLowerCase();
  if (!own && !ctx.state.mayMonitorQueue(session.user, queue!.queueName)) return reply.error(403, ERRORS.queueNoRight);
  ctx.state.subscribeQueue(session, subscriptionId, parsed.data.attributeNames, queue!.queueName);
  return reply.empty(204);
}

async function readText(req: IncomingMessage): Promise<string> {
  const parsed = textBodySchema.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: `The text is required and may have at most ${MAX_TEXT_LENGTH} characters.` });
  }
  return parsed.data.text;
}

function messages(ctx: IcwsContext, req: IncomingMessage, reply: Reply, session: Session): void {
  const wantsStream = (req.headers.accept ?? '').toLowerCase().includes('text/event-stream');
  // Messaging 1 predates server-sent events: the same GET is always a short poll there.
  if (!wantsStream || ctx.messagingVersion < 2) {
    const queued = ctx.state.takeQueue(session);
    // The server ended this session: this was its last delivery.
    if (session.closing) ctx.state.endSession(session.id, 'end');
    return reply.json(200, queued);
  }

  const res = reply.stream(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  // Behind a buffering proxy (a knob) the server writes as always, but the proxy holds it all
  // back: the client sees the headers and then nothing, not even the `retry:` line or a ping.
  // What the server sent leaves its queue and is lost when the client gives up on the stream;
  // only the server ending the stream makes the proxy flush it.
  let held: string | null = ctx.bufferingProxy ? '' : null;
  const send = (text: string) => {
    if (held === null) res.write(text);
    else held += text;
  };
  send(`retry: ${SSE_RETRY_MS}\n\n`);
  const ping = setInterval(() => send(':ping\n\n'), ctx.pingIntervalMs);
  let stalled = false;
  let swallowing = false;
  const sink: MessageSink = {
    write(message: IcwsMessage) {
      if (stalled || res.destroyed || res.writableEnded) return false;
      // A lossy stall: taken off the queue, written into a connection that carries nothing.
      if (!swallowing) send(`data: ${JSON.stringify(message)}\n\n`);
      return true;
    },
    end: () => {
      if (held) res.write(held);
      held = null;
      res.end();
    },
    destroy: () => res.destroy(),
    stall: (lossy) => {
      if (lossy) swallowing = true;
      else stalled = true;
      clearInterval(ping);
    },
  };
  res.on('close', () => {
    clearInterval(ping);
    ctx.state.detachStream(session, sink);
  });
  ctx.state.attachStream(session, sink);
  // The server ended this session: the goodbye went out with the queue; close.
  if (session.closing) ctx.state.endSession(session.id, 'end');
}
