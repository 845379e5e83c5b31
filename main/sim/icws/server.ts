// A PureConnect ICWS switchover pair on loopback: 127.0.0.1:P is the primary, 127.0.0.2:P
// the backup, sharing one state with one of them active. Both listeners also act as the
// bank's reverse proxy (§2.4): `/api/icserver1/icws/...` reaches the primary and
// `/api/icserver2/icws/...` the backup, whose alternateHostList then names servers, not hosts.
// Used by `npm start` in demo mode, the integration tests and the benchmarks.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerCertificate } from '../certificates';
import { sleep, systemClock } from '../../http';
import type { Clock } from '../../http';
import { handleIcws } from './icws-routes';
import type { IcwsContext } from './icws-routes';
import { handleSim } from './sim-routes';
import { startAgentScript } from './agent-script';
import type { AgentScriptOptions } from './agent-script';
import { IcwsSimState } from './state';
import type { HostKey, QueuedMessageEvent, ScriptedSupervisor, SimInteractionDetails, SimStatusChange, SimUser, SimWorkgroup, SupervisorBehaviour } from './state';
import { AppError } from '../../../shared/errors';
import { ERRORS, INFERRED_SUPERVISOR_ACTION_PATH, RequestError, Reply, languageOf } from './wire';
import type { ConnectRefusal, IcwsMessage, SimInteractionState } from './wire';

export type { QueuedMessageEvent, SimInteractionDetails, SimStatusChange, SimUserStatus, SimWorkgroup, SupervisorBehaviour } from './state';
export type { SimInteractionState } from './wire';

export const DEMO_ICWS_USER: Readonly<SimUser> = { userId: 'demo.agent', password: 'demo-agent-pw', displayName: 'Deniz Yılmaz' };
export const DEMO_ICWS_SUPERVISOR: Readonly<SimUser> = { userId: 'demo.supervisor', password: 'demo-supervisor-pw', displayName: 'Selin Kaya' };
/** A second supervisor of the demo agent's workgroups: requests fan out to both (§2.5). */
export const DEMO_ICWS_SUPERVISOR_2: Readonly<SimUser> = { userId: 'demo.supervisor2', password: 'demo-supervisor2-pw', displayName: 'Can Öztürk' };
/** The agents the demo user supervises (workgroup Mobil Bankacılık): the scripted agents of demo mode. */
export const DEMO_ICWS_AGENTS: readonly Readonly<SimUser>[] = [
  { userId: 'demo.agent2', password: 'demo-agent2-pw', displayName: 'Elif Aydın' },
  { userId: 'demo.agent3', password: 'demo-agent3-pw', displayName: 'Burak Şen' },
];
/** The demo agent's workgroups, where its requests go, and the one the demo user itself supervises. */
export const DEMO_WORKGROUPS: readonly SimWorkgroup[] = [
  ...['Bireysel Bankacılık', 'Dijital Kanallar', 'Kredi Kartları'].map((name) => ({ name, supervisors: ['demo.supervisor', 'demo.supervisor2'], agents: ['demo.agent'] })),
  { name: 'Mobil Bankacılık', supervisors: ['demo.agent'], agents: ['demo.agent2', 'demo.agent3'] },
];

export interface IcwsSimOptions {
  /** Serve HTTPS with this certificate on both hosts (a bank's own CA: main/sim/certificates.ts); default plain http. */
  tls?: ServerCertificate;
  /** default 0; the primary listens on 127.0.0.1, the alternate on 127.0.0.2 with the same port */
  port?: number;
  /** default DEMO_ICWS_USER, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2 and DEMO_ICWS_AGENTS; the first is `user` and owns `interactionIds` */
  users?: SimUser[];
  /** who supervises whom (§2.5); default DEMO_WORKGROUPS */
  workgroups?: SimWorkgroup[];
  /** demo: the agents of `supervisor`'s workgroups change status and raise requests while their desk is open; default off */
  agentScript?: AgentScriptOptions | false;
  /** a session with no request for this long is gone, whether or not a messaging stream is open (default 15 min) */
  idleTimeoutMs?: number;
  /** feature 'interactions' (default 10); below 9 the agent-assistance resources answer 404 */
  interactionsVersion?: number;
  /** feature 'messaging' (default 2); 1 → no server-sent events, the GET always short-polls */
  messagingVersion?: number;
  /** scripted supervisor (DEMO_ICWS_SUPERVISOR) accepting each new request and replying; false: tests act */
  supervisor?: ScriptedSupervisor | false;
  /** start with the primary refusing connections (503) and the alternate active */
  switchover?: boolean;
  /** /sim/ control endpoints answer only in test and demo (default 'test') */
  mode?: 'test' | 'demo' | 'production';
  /** ':ping' comment interval on event streams (default 15 s) */
  pingIntervalMs?: number;
  /** delay before every ICWS response (not /sim/, not individual stream events) */
  latencyMs?: number;
  /** drives idle expiry and message times */
  clock?: Clock;
  /** the servers' names behind the reverse proxy (`/api/<name>`); default icserver1 and icserver2 */
  serverNames?: { primary: string; alternate: string };
}

/** A redirect every ICWS request (or only the login) answers with, never a real server's habit: a test of the client. */
export interface SimRedirect {
  location: string;
  /** 301, 302, 303, 307 or 308; default 307 (which keeps the method and body) */
  status?: number | undefined;
  /** only `POST /icws/connection`; default every ICWS request */
  connectOnly?: boolean | undefined;
}

export interface ServerEnd {
  /** the server's text, shown to the user; left out: the server's own, in each session's language */
  reason?: string | undefined;
  /** false: the client must not log in again by itself; left out: as real servers may */
  shouldReconnect?: boolean | undefined;
  /** one session, or every session */
  sessionId?: string | undefined;
}

export interface SimRequestRecord {
  method: string;
  /** path without query string */
  path: string;
  status: number;
  /** host name of the listener that answered: 127.0.0.1 or the alternate's */
  host: string;
}

export interface IcwsSimSessionInfo {
  sessionId: string;
  userId: string;
  host: string;
  streaming: boolean;
}

export interface IcwsSimControl {
  /** ends one session, or all; their streams close; returns how many ended */
  expireSession(sessionId?: string): number;
  /** on: the active host stops accepting (503) and the other takes over; off: back to the primary. Sessions on the host that stops are gone. */
  setSwitchover(on: boolean): void;
  /** host name of the listener now accepting connections */
  readonly activeHost: string;
  /** breaks every open event stream (sessions stay); returns how many */
  dropStreams(): number;
  supervisorAccept(assistanceId: string): void;
  /** accepts first if the supervisor has not yet */
  supervisorMessage(assistanceId: string, text: string): void;
  supervisorIgnore(assistanceId: string): void;
  /** the request disappears (list delta) without being completed */
  removeRequest(assistanceId: string): void;
  /** a new interaction on the user's queue (queue subscribers see it added) */
  addInteraction(userId: string, options?: { acd?: boolean | undefined; supervisor?: SupervisorBehaviour | undefined } & SimInteractionDetails): string;
  /** the interaction's state changes; queue subscribers see the change */
  setInteractionState(interactionId: string, state: SimInteractionState): void;
  /** the interaction leaves the user's queue; queue subscribers see it removed */
  removeInteraction(interactionId: string): void;
  /** takes the "Request Assistance from Supervisors" right away from a user, or gives it back */
  setAssistanceRight(userId: string, allowed: boolean): void;
  /** the server ends sessions with a connectionStateChangeMessage (Down, the reason, shouldReconnect); returns how many */
  endSessions(end: ServerEnd): number;
  /**
   * Open streams stall: they stay open and send nothing, not even pings; returns how many.
   * Default: what follows waits for the next stream. `lossy`: the server writes on into the
   * dead connection and those messages are lost (which reading a real server follows, no
   * public source says; the client copes with both by re-subscribing after a stall).
   */
  stallStreams(options?: { lossy?: boolean }): number;
  /** Suspended or Faulted assistance subscriptions lose their updates until re-subscribed; returns how many sessions */
  setAssistanceSubscriptionState(state: 'normal' | 'suspended' | 'faulted', options?: { announce?: boolean | undefined }): number;
  /** every live session answers the bad-cookie error (`error.request.accessDenied.cookie.invalid`) with this status; returns how many */
  invalidateCookies(status: number): number;
  /** false: the servers are gone (every ICWS connection is cut, sessions end); true: back */
  setAvailable(available: boolean): void;
  /** answer with a redirect instead; null: stop */
  setRedirect(redirect: SimRedirect | null): void;
  /** every login is refused with this (400 or 500, an errorId no client knows, a message in the asked language); null: stop */
  setConnectRefusal(refusal: { reason: ConnectRefusal; status: 400 | 500 } | null): void;
  /** connect answers carry `daysUntilPasswordExpiration` with this; null: left out, as most servers do */
  setPasswordExpiry(days: number | null): void;
  /**
   * on: a buffering proxy stands in front (§2.6): an event stream opens (status and headers
   * arrive) and then nothing, not the `retry:` line, not a ping, not a message. What the
   * server sent on it is lost when the client gives up on the stream (only the server ending
   * it flushes the proxy); short polls pass. off: streams that open from now on are not held.
   */
  setBufferingProxy(on: boolean): void;
  /** every alternateHostList (503 and connect answer) is exactly this list; null: the real peer */
  setAlternateHostList(list: string[] | null): void;
  /** queues a message exactly as given (a newer server's shapes, odd fields) for one session or all; returns how many */
  publish(message: IcwsMessage, sessionId?: string): number;
  sessions(): IcwsSimSessionInfo[];
  /** ICWS requests received (not /sim/) */
  readonly requestCount: number;
  /** the latest 10 000 ICWS exchanges, oldest first */
  readonly requests: readonly SimRequestRecord[];
  /** called as each message enters a session's queue; returns an unsubscribe function */
  onMessageQueued(listener: (e: QueuedMessageEvent) => void): () => void;
  setLatency(ms: number): void;
  /** where supervisors' actions are taken (a template with {assistanceId}); null: the inferred path (§2.5) */
  setSupervisorActionPath(path: string | null): void;
  /** makes a user a supervisor of a workgroup (default Bireysel Bankacılık), or of none (workgroup left out) */
  setSupervisor(userId: string, supervisor: boolean, workgroup?: string): void;
  /** an agent's status changes (subscribers hear it); `hidden`: nobody else may see it (403) */
  setUserStatus(userId: string, change: SimStatusChange): void;
  /** as an agent's own client would: a new ACD interaction on `workgroup` and a request on it; returns its ids */
  raiseRequest(userId: string, text: string, workgroup?: string): { interactionId: string; assistanceId: string };
}

export interface IcwsSim {
  url: string;
  alternateUrl: string;
  /** the primary through the reverse proxy: `<url>/api/icserver1` */
  proxyUrl: string;
  user: SimUser;
  /** the agent's ACD interactions; the scripted supervisor answers requests on these */
  interactionIds: string[];
  /** the agent's interactions where agents meet what real deployments do */
  scenarios: {
    /** the supervisor ignores a request on this one */
    ignored: string;
    /** nobody ever answers a request on this one */
    unanswered: string;
    /** not ACD-routed: a request is refused (400, the server's message) */
    notAcd: string;
  };
  control: IcwsSimControl;
  close(): Promise<void>;
}

const MAX_LOG = 10_000;
const PRIMARY_HOST = '127.0.0.1';

export async function startIcwsSim(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  const users = options.users ?? [{ ...DEMO_ICWS_USER }, { ...DEMO_ICWS_SUPERVISOR }, { ...DEMO_ICWS_SUPERVISOR_2 }, ...DEMO_ICWS_AGENTS.map((u) => ({ ...u }))];
  const agent = users[0];
  if (!agent) throw new Error('startIcwsSim needs at least one user');
  const idleTimeoutMs = options.idleTimeoutMs ?? 15 * 60_000;
  const mode = options.mode ?? 'test';
  const state = new IcwsSimState({
    users,
    supervisor: DEMO_ICWS_SUPERVISOR,
    script: options.supervisor ?? { acceptDelayMs: 300, reply: 'Geliyorum, bir dakika.' },
    idleTimeoutMs,
    clock: options.clock ?? systemClock,
    activeHost: options.switchover ? 'alternate' : 'primary',
    workgroups: options.workgroups ?? DEMO_WORKGROUPS.map((w) => ({ ...w })),
  });
  const interactionsVersion = options.interactionsVersion ?? 10;
  const messagingVersion = options.messagingVersion ?? 2;
  const features = [
    { featureId: 'connection', version: 3 },
    { featureId: 'interactions', version: interactionsVersion },
    { featureId: 'messaging', version: messagingVersion },
    { featureId: 'queues', version: 1 },
    { featureId: 'status', version: 2 },
  ];
  let latencyMs = options.latencyMs ?? 0;
  let requestCount = 0;
  const log: SimRequestRecord[] = [];
  const names: Record<HostKey, string> = { primary: PRIMARY_HOST, alternate: '127.0.0.2' };
  const serverNames: Record<HostKey, string> = options.serverNames ?? { primary: 'icserver1', alternate: 'icserver2' };
  let available = true;
  let redirect: SimRedirect | null = null;
  let alternateHostList: string[] | null = null;
  let connectRefusal: IcwsContext['connectRefusal'] = null;
  let passwordExpiryDays: number | null = null;
  let bufferingProxy = false;

  const control: IcwsSimControl = {
    expireSession: (sessionId) => state.expire(sessionId),
    setSwitchover: (on) => state.activate(on ? (state.activeHost === 'primary' ? 'alternate' : 'primary') : 'primary'),
    get activeHost() {
      return names[state.activeHost];
    },
    dropStreams: () => state.dropStreams(),
    supervisorAccept: (id) => state.supervisorAccept(id),
    supervisorMessage: (id, text) => state.supervisorMessage(id, text),
    supervisorIgnore: (id) => state.supervisorIgnore(id),
    removeRequest: (id) => state.removeRequest(id),
    addInteraction: (userId, interactionOptions) => state.addInteraction(userId, interactionOptions),
    setInteractionState: (id, interactionState) => state.setInteractionState(id, interactionState),
    removeInteraction: (id) => state.removeInteraction(id),
    setAssistanceRight: (userId, allowed) => state.setAssistanceRight(userId, allowed),
    endSessions: (end) => state.endByServer(end.reason, end.shouldReconnect, end.sessionId),
    stallStreams: (options) => state.stallStreams(options),
    setAssistanceSubscriptionState: (subscriptionState, o) => state.setAssistanceSubscriptionState(subscriptionState, o?.announce ?? true),
    invalidateCookies: (status) => state.invalidateCookies(status),
    setAvailable: (on) => {
      if (!on) state.expire();
      available = on;
    },
    setRedirect: (r) => {
      redirect = r;
    },
    setConnectRefusal: (refusal) => {
      connectRefusal = refusal;
    },
    setPasswordExpiry: (days) => {
      passwordExpiryDays = days;
    },
    setBufferingProxy: (on) => {
      bufferingProxy = on;
    },
    publish: (message, sessionId) => {
      const targets = state.sessions().filter((s) => sessionId === undefined || s.id === sessionId);
      for (const session of targets) state.publish(session, structuredClone(message));
      return targets.length;
    },
    setAlternateHostList: (list) => {
      alternateHostList = list === null ? null : [...list];
    },
    sessions: () => state.sessions().map((s) => ({ sessionId: s.id, userId: s.user.userId, host: names[s.host], streaming: s.stream !== null })),
    get requestCount() {
      return requestCount;
    },
    get requests() {
      return log;
    },
    onMessageQueued: (listener) => state.onMessageQueued(listener),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setSupervisorActionPath: (path) => {
      state.supervisorActionPath = path ?? INFERRED_SUPERVISOR_ACTION_PATH;
    },
    setSupervisor: (userId, supervisor, workgroup) => state.setSupervisor(userId, supervisor, workgroup),
    setUserStatus: (userId, change) => state.setUserStatus(userId, change),
    raiseRequest: (userId, text, workgroup) => {
      const user = state.user(userId);
      const interactionId = state.addInteraction(user.userId, { supervisor: 'silent', ...(workgroup !== undefined && { workgroup }) });
      const created = state.createRequest(user, interactionId, text);
      if ('error' in created) throw new AppError('operation_failed', `The simulator refused the request: ${created.error}.`);
      return { interactionId, assistanceId: created.assistanceId };
    },
  };

  const context = (host: HostKey, proxyPrefix: string | null): IcwsContext => ({
    state,
    host,
    hostName: (h) => (proxyPrefix === null ? names[h] : serverNames[h]),
    proxyPrefix,
    alternateHostList,
    connectRefusal,
    passwordExpiryDays,
    bufferingProxy,
    features,
    messagingVersion,
    interactionsVersion,
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
  });

  async function handle(host: HostKey, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = req.method ?? 'GET';
    try {
      if (mode !== 'production' && /^\/sim(\/|$)/.test(url.pathname)) {
        return await handleSim(control, req, new Reply(res, () => {}), url);
      }
      requestCount++;
      // The servers are gone: the connection is cut before any answer.
      if (!available) return void req.socket.destroy();
      const reply = new Reply(
        res,
        (status) => {
          log.push({ method, path: url.pathname, status, host: names[host] });
          if (log.length > MAX_LOG) log.shift();
        },
        languageOf(req.headers['accept-language']),
      );
      if (latencyMs > 0) await sleep(latencyMs);
      // The reverse proxy: /api/<server>/icws/... goes to that server, whichever listener took it.
      let target = host;
      let proxyPrefix: string | null = null;
      let icwsUrl = url;
      const proxied = /^(\/api\/([^/]+))(\/icws(?:\/.*)?)$/i.exec(url.pathname);
      if (proxied) {
        const name = decodeURIComponent(proxied[2]!).toLowerCase();
        const key = (Object.keys(serverNames) as HostKey[]).find((k) => serverNames[k].toLowerCase() === name);
        if (!key) return reply.error(502, { errorId: 'error.proxy.unknownServer', message: `The proxy has no route to ${name}.` });
        target = key;
        proxyPrefix = proxied[1]!;
        icwsUrl = new URL(`${proxied[3]}${url.search}`, url);
      }
      if (!/^\/icws(\/|$)/i.test(icwsUrl.pathname)) return reply.error(404, ERRORS.notFound);
      if (redirect && (!redirect.connectOnly || (method === 'POST' && /^\/icws\/connection$/i.test(icwsUrl.pathname)))) {
        return reply.empty(redirect.status ?? 307, { Location: redirect.location });
      }
      await handleIcws(context(target, proxyPrefix), req, reply, icwsUrl);
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      const [status, body] = e instanceof RequestError ? [e.status, e.body] : [500, ERRORS.internal];
      new Reply(res, (s) => log.push({ method, path: url.pathname, status: s, host: names[host] }), languageOf(req.headers['accept-language'])).error(status, body);
    }
  }

  // handle() answers its own failures with a 500; what escapes it (a request line the URL parser
  // refuses) cuts the connection rather than leaving an unhandled rejection in the test process.
  const serve = (key: HostKey): Server => {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      handle(key, req, res).catch(() => res.destroy());
    };
    return options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  };
  const servers: Record<HostKey, Server> = { primary: serve('primary'), alternate: serve('alternate') };
  const scheme = options.tls ? 'https' : 'http';
  const port = await listenPair(servers, names, options.port ?? 0);

  const sweep = setInterval(() => state.sweepIdle(), Math.max(10, Math.min(idleTimeoutMs, 60_000)));
  const stopAgentScript = options.agentScript ? startAgentScript(state, options.agentScript) : () => undefined;
  sweep.unref();
  // The demo agent's live interactions, as the picker shows them: the customers are the
  // Diyalog simulator's, so a name seen here can be looked up there.
  const interactionIds = [
    state.addInteraction(agent.userId, { remoteName: 'Ayşe Yılmaz', remoteAddress: '+905321234567' }),
    state.addInteraction(agent.userId, { remoteName: 'Mehmet Öztürk', remoteAddress: '+905427654321', state: 'held' }),
    state.addInteraction(agent.userId, { type: 'Chat', remoteName: 'Çağla Şahin', remoteAddress: 'cagla.sahin@example.com', workgroup: 'Dijital Kanallar' }),
  ];
  const scenarios = {
    ignored: state.addInteraction(agent.userId, { supervisor: 'ignores', remoteName: 'İbrahim Güneş', remoteAddress: '+905051112233', workgroup: 'Kredi Kartları' }),
    unanswered: state.addInteraction(agent.userId, { supervisor: 'silent', remoteName: 'Zehra Koç', remoteAddress: '+905369998877', state: 'alerting' }),
    notAcd: state.addInteraction(agent.userId, { acd: false, direction: 'outbound', remoteName: 'Ali Çelik', remoteAddress: '+902125550101' }),
  };

  return {
    url: `${scheme}://${names.primary}:${port}`,
    alternateUrl: `${scheme}://${names.alternate}:${port}`,
    proxyUrl: `${scheme}://${names.primary}:${port}/api/${encodeURIComponent(serverNames.primary)}`,
    user: agent,
    interactionIds,
    scenarios,
    control,
    async close() {
      clearInterval(sweep);
      stopAgentScript();
      state.close();
      await Promise.all(Object.values(servers).map(closeServer));
    },
  };
}

/**
 * Binds the primary, then the alternate on the same port (a switchover pair differs by
 * host, not port). Where 127.0.0.2 is not a loopback address (macOS without an alias) the
 * alternate falls back to [::1]; a port taken on the alternate address means another try.
 */
async function listenPair(servers: Record<HostKey, Server>, names: Record<HostKey, string>, requestedPort: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await listen(servers.primary, requestedPort, PRIMARY_HOST);
    try {
      await listen(servers.alternate, port, '127.0.0.2').catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EADDRNOTAVAIL') throw e;
        await listen(servers.alternate, port, '::1');
        names.alternate = '[::1]';
      });
      return port;
    } catch (e) {
      await closeServer(servers.primary);
      if (requestedPort !== 0 || attempt >= 5 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
