// The one place that builds configured protocol clients: a Diyalog client or an ICWS stack
// (session, message pump, assistance and queue clients) from the effective settings and the
// secrets, for a purpose. A purpose fixes how hard a client tries: the window keeps an ICWS
// session up until the user stops it; a command gives up after a few attempts; a connection
// test tries once. No other product file says `new …Client`, so a certificate store, a proxy
// or a reconnect policy is decided here once for every caller.

import { AppError, guidance } from '../../shared/errors';
import { mergeSettings, settingsPatchSchema, settingsSchema, type Settings, type SettingsPatch } from '../../shared/settings';
import { parseInput } from '../../shared/validation';
import { DiyalogClient, type DiyalogClientOptions } from '../diyalog/client';
import type { FetchLike } from '../http';
import { trustedCa, trustingFetch } from '../tls';
import { parseSyslogUrl } from '../../shared/syslog-url';
import type { CollectorConnection } from './audit-forward-transport';
import { AssistanceClient } from '../icws/assistance';
import { InteractionsClient } from '../icws/interactions';
import { SupervisorAssistanceClient } from '../icws/supervisor-assistance';
import { UserStatusesClient } from '../icws/user-statuses';
import { MessagePump } from '../icws/messaging';
import { IcwsSession, type IcwsSessionOptions } from '../icws/session';
import type { Configuration, SettingKey } from './configuration';
import { SETTING_KEYS } from './configuration';
import { DiyalogHealthTracker } from './diyalog-health';
import type { Secrets } from './secrets';

/** Who the clients are for; each has one reconnect policy. */
export type ClientPurpose = 'app' | 'cli' | 'connectionTest' | 'supervisorDesk';

interface PurposePolicy {
  /** ICWS: how a lost or refused connection is retried (IcwsSession's backoff). */
  icwsReconnect: NonNullable<IcwsSessionOptions['reconnect']>;
  /** Diyalog: how often a read is retried after a network failure or a 5xx (default: the client's). */
  diyalogReadRetries?: number;
}

export const CLIENT_POLICIES: Readonly<Record<ClientPurpose, PurposePolicy>> = {
  // A window stays open all shift: reconnect until the server is back, never faster than
  // once a second, at most a minute apart.
  app: { icwsReconnect: { baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity } },
  // A supervisor's desk is a window too, with the same patience.
  supervisorDesk: { icwsReconnect: { baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity } },
  // A command gives up rather than retrying a dead server forever: a script waits for its exit code.
  cli: { icwsReconnect: { baseMs: 500, capMs: 4_000, maxAttempts: 3 } },
  // A connection test answers for what the form holds now: one try, no retried reads.
  connectionTest: { icwsReconnect: { baseMs: 500, capMs: 2_000, maxAttempts: 1 }, diyalogReadRetries: 0 },
};

/** Settings and a secret typed in the Settings form but not saved: used for one test, never stored. */
export interface Draft {
  settings?: SettingsPatch | undefined;
  secret?: string | undefined;
}

/** One logged-out ICWS session and the clients over it; `stop()` unsubscribes and logs out. */
export interface IcwsStack {
  session: IcwsSession;
  pump: MessagePump;
  assistance: AssistanceClient;
  /** The user's own queue, for the interaction picker. */
  interactions: InteractionsClient;
  /** The supervisor side of assistance (§2.5): the agents' requests this user may answer. */
  supervisor: SupervisorAssistanceClient;
  /** The supervisor's agents' statuses. */
  userStatuses: UserStatusesClient;
  /** A live view of another user's queue (an agent's, for their supervisor); its owner starts and stops it. */
  agentQueue(userId: string): InteractionsClient;
  stop(): Promise<void>;
}

export interface ClientProviderOptions {
  config: Configuration;
  secrets: Secrets;
  /**
   * The platform's own fetch, used while no CA file is set: Electron's net.fetch (the system
   * proxy and the OS store). Without one (Node: the command, the browser host), and whenever
   * `tls.caFile` is set, clients use a fetch that trusts Node's CAs, the OS store and the file.
   */
  fetch?: FetchLike | undefined;
  /** The language sent to ICWS at login (its messages come back in it). */
  language: () => 'tr' | 'en';
  /** The purpose of this process' long-lived clients: `app` for the window, `cli` for a command. */
  purpose: ClientPurpose;
}

export class ClientProvider {
  readonly #options: ClientProviderOptions;
  /** How the Diyalog server has been answering this process' calls, the shared client's and the fresh ones' (the status bar). */
  readonly diyalogHealth = new DiyalogHealthTracker();
  readonly #passwordExpiryListeners = new Set<(days: number) => void>();
  #shared: { settings: string; secret: string; secretsVersion: number; client: DiyalogClient } | null = null;

  constructor(options: ClientProviderOptions) {
    this.#options = options;
    // Another server or key: what was learned of the old one says nothing of the new.
    options.config.onChange((before, after) => {
      const server = (x: Settings) => JSON.stringify([x.diyalog.baseUrl, x.diyalog.keyId, x.staffId]);
      if (server(before) !== server(after)) this.diyalogHealth.reset();
    });
  }

  get purpose(): ClientPurpose {
    return this.#options.purpose;
  }

  /**
   * The shared Diyalog client for quick calls (help state, transcript links, force-ends),
   * rebuilt when the settings it was built from or the stored secret change; its answers
   * feed `diyalogHealth`. Throws missing_credentials (with guidance) while unconfigured.
   */
  async diyalog(): Promise<DiyalogClient> {
    let options: DiyalogClientOptions;
    try {
      options = await this.#diyalogOptions(this.#options.purpose);
    } catch (e) {
      this.diyalogHealth.failed(e);
      throw e;
    }
    // Not the learned signing: learning it must not throw away the client and its clock offset.
    // The secret is compared as a value held apart, never folded into a key string.
    const settings = JSON.stringify([options.baseUrl, options.credentials.keyId, options.requesterUserId, options.algorithm, options.allowInsecureHttp, options.historyAgentField]);
    const { secret } = options.credentials;
    const secretsVersion = this.#options.secrets.version;
    const shared = this.#shared;
    if (shared && shared.settings === settings && shared.secret === secret && shared.secretsVersion === secretsVersion) return shared.client;
    const client = this.diyalogHealth.observe(new DiyalogClient(options));
    this.#shared = { settings, secret, secretsVersion, client };
    return client;
  }

  /** Throws what is missing (with guidance) unless Diyalog is configured with a secret: a command asks before it confirms. */
  async requireDiyalog(): Promise<void> {
    await this.diyalog();
  }

  /**
   * A maker of fresh Diyalog clients, each counting only its own requests (a history walk, a
   * stuck-session search). Settings and secret are checked now, so a caller fails before it starts.
   * They talk to the configured server as the shared client does, so their answers feed
   * `diyalogHealth` too (the status bar hears of a failing server from a history walk with no
   * watch at all). A connection test's clients do not: they try a draft, not the server in use.
   */
  async diyalogFactory(draft?: Draft, purpose: ClientPurpose = this.#options.purpose): Promise<() => DiyalogClient> {
    const observed = draft === undefined && purpose !== 'connectionTest';
    let options: DiyalogClientOptions;
    try {
      options = await this.#diyalogOptions(purpose, draft);
    } catch (e) {
      if (observed) this.diyalogHealth.failed(e);
      throw e;
    }
    return observed ? () => this.diyalogHealth.observe(new DiyalogClient(options)) : () => new DiyalogClient(options);
  }

  /** An ICWS login said the password expires within a week (PASSWORD_EXPIRY_WARNING_DAYS): a command warns on stderr. */
  onPasswordExpiry(listener: (days: number) => void): () => void {
    this.#passwordExpiryListeners.add(listener);
    return () => this.#passwordExpiryListeners.delete(listener);
  }

  /** The host a client of `service` for `draft` would talk to first (a connection test names it). */
  configuredHost(service: 'diyalog' | 'icws', draft?: Draft): string {
    const baseUrl = this.#settingsWith(draft)[service].baseUrl;
    return baseUrl ? new URL(baseUrl).host : '';
  }

  /**
   * An ICWS stack for `purpose` (built, not yet logged in), or null while ICWS is not
   * configured or has no password. With a draft: what the Settings form holds now.
   */
  async icws(purpose: ClientPurpose = this.#options.purpose, draft?: Draft): Promise<IcwsStack | null> {
    const s = this.#settingsWith(draft);
    if (!s.icws.baseUrl || !s.icws.userId) return null;
    const password = draft?.secret ?? (await this.#options.secrets.get('icws', s).catch(() => null));
    if (!password) return null;
    const session = new IcwsSession({
      baseUrl: s.icws.baseUrl,
      credentials: { userId: s.icws.userId, password },
      applicationName: s.icws.applicationName,
      language: this.#options.language() === 'tr' ? 'tr-TR' : 'en-US',
      allowInsecureHttp: s.allowInsecureHttp,
      fetch: await this.#fetchFor(s),
      reconnect: CLIENT_POLICIES[purpose].icwsReconnect,
    });
    // Said once per stack: a command logs in once; the window's status bar shows it at every login anyway.
    let expiryTold = false;
    session.onStateChange((state) => {
      if (expiryTold || state.state !== 'up' || state.passwordExpiresInDays === undefined) return;
      expiryTold = true;
      for (const listener of this.#passwordExpiryListeners) listener(state.passwordExpiresInDays);
    });
    const pump = new MessagePump(session);
    const assistance = new AssistanceClient(session, pump);
    const interactions = new InteractionsClient(session, pump, { userId: s.icws.userId });
    const supervisor = new SupervisorAssistanceClient(session, pump, { userId: s.icws.userId, actionPath: s.icws.supervisorAssistanceActionPath });
    const userStatuses = new UserStatusesClient(session, pump);
    // Each agent's queue under a subscription id of its own, so two agents' views never mix.
    const agentQueue = (userId: string) => new InteractionsClient(session, pump, { userId, subscriptionId: `agent-companion-queue-${userId}` });
    return {
      session,
      pump,
      assistance,
      interactions,
      supervisor,
      userStatuses,
      agentQueue,
      async stop() {
        await assistance.stop().catch(() => undefined);
        await interactions.stop().catch(() => undefined);
        await supervisor.stop().catch(() => undefined);
        await userStatuses.stop().catch(() => undefined);
        await pump.stop().catch(() => undefined);
        await session.logout().catch(() => undefined);
      },
    };
  }

  /** Like `icws`, but says what is missing instead of null (a command, a connection test). */
  async requireIcws(purpose: ClientPurpose = this.#options.purpose, draft?: Draft): Promise<IcwsStack> {
    const stack = await this.icws(purpose, draft);
    if (stack) return stack;
    const s = this.#settingsWith(draft);
    const missing = ([['icws.baseUrl', s.icws.baseUrl], ['icws.userId', s.icws.userId]] as const).filter(([, v]) => !v).map(([key]) => key);
    if (missing.length > 0) {
      throw new AppError('missing_credentials', `ICWS is not configured: ${howToSet(missing)}`, {
        guidance: guidance('guidance.setSettings', { keys: missing.join(', ') }),
      });
    }
    throw new AppError('missing_credentials', `No ICWS password is stored for ${s.icws.userId}: enter it in Settings, run "companion login icws", or set COMPANION_ICWS_PASSWORD.`, {
      guidance: guidance('guidance.storeIcwsPassword', { userId: s.icws.userId ?? '' }),
    });
  }

  /**
   * The bank's syslog collector the audit trail is forwarded to (`audit.forward.url`), with the
   * certificates trusted for it (the same store as every other client); null while unset.
   */
  async auditCollector(): Promise<CollectorConnection | null> {
    const s = this.#options.config.get();
    const target = s.audit.forward.url === null ? null : parseSyslogUrl(s.audit.forward.url);
    if (target === null) return null;
    return { target, ...(target.transport === 'tls' && { ca: await trustedCa(s.tls.caFile) }) };
  }

  /** The fetch that trusts what these settings say (the one place a certificate store is chosen). */
  async #fetchFor(s: Settings): Promise<FetchLike> {
    const platform = this.#options.fetch;
    return platform && s.tls.caFile === null ? platform : trustingFetch(s.tls.caFile);
  }

  /** The effective settings with a draft laid over them, checked as a saved patch would be. */
  #settingsWith(draft: Draft | undefined): Settings {
    const current = this.#options.config.get();
    if (!draft?.settings) return current;
    return parseInput(settingsSchema, mergeSettings(current, parseInput(settingsPatchSchema, draft.settings, 'settings')), 'settings');
  }

  async #diyalogOptions(purpose: ClientPurpose, draft?: Draft): Promise<DiyalogClientOptions> {
    const s = this.#settingsWith(draft);
    if (!s.diyalog.baseUrl || !s.diyalog.keyId || !s.staffId) {
      const required: [SettingKey, string | null][] = [['diyalog.baseUrl', s.diyalog.baseUrl], ['diyalog.keyId', s.diyalog.keyId], ['staffId', s.staffId]];
      const missing = required.filter(([, value]) => !value).map(([key]) => key);
      throw new AppError('missing_credentials', `Diyalog is not configured: ${howToSet(missing)}`, {
        guidance: guidance('guidance.setSettings', { keys: missing.join(', ') }),
      });
    }
    const secret = draft?.secret ?? (await this.#options.secrets.get('diyalog', s));
    if (!secret) {
      throw new AppError(
        'missing_credentials',
        `No Diyalog secret is stored for access key id ${s.diyalog.keyId}: enter it in Settings, run "companion login diyalog", or set COMPANION_DIYALOG_SECRET.`,
        { guidance: guidance('guidance.storeDiyalogSecret', { keyId: s.diyalog.keyId }) },
      );
    }
    const { config } = this.#options;
    const readRetries = CLIENT_POLICIES[purpose].diyalogReadRetries;
    return {
      baseUrl: s.diyalog.baseUrl,
      credentials: { keyId: s.diyalog.keyId, secret },
      requesterUserId: s.staffId,
      fetch: await this.#fetchFor(s),
      algorithm: s.diyalog.signatureAlgorithm,
      learnedSigning: s.diyalog.learnedSigning,
      // What a server accepted is a learned fact, not an override: written to the file
      // whichever process learned it, so the app and every command start from it.
      onSigningLearned: (learned) => config.update({ diyalog: { learnedSigning: learned } }),
      allowInsecureHttp: s.allowInsecureHttp,
      historyAgentField: s.diyalog.historyAgentField,
      ...(readRetries !== undefined && { readRetries }),
    };
  }
}

/** Names what is missing and every way to set it, for logs and the terminal (the window words the guidance). */
function howToSet(keys: readonly SettingKey[]): string {
  const ways = keys.map((key) => {
    const spec: { env?: string; flag?: string; kind: string } = SETTING_KEYS[key];
    const once = spec.flag && spec.env ? ` (for one run: --${spec.flag} or ${spec.env})` : '';
    return `${key}${once}`;
  });
  return `set ${ways.join(', ')} in Settings or with "companion settings set <key> <value>".`;
}
