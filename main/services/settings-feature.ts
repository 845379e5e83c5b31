import type { ConnectionState } from '../../shared/assistance';
import type { CallOutput, SettingsView, Status } from '../../shared/contract';
import { Disposables } from '../../shared/disposables';
import { AppError } from '../../shared/errors';
import { ROLES, type Settings, type SettingsPatch, type SettingsUpdate } from '../../shared/settings';
import type { SettingKey } from './configuration';
import type { Draft } from './context';
import type { Feature, FeatureDeps } from './feature';

type ConnectionTestResult = CallOutput<'connection.test'>;

/** How often a connection test may reach a server: a wrong password tested in a loop must not lock the account. */
export const CONNECTION_TEST_INTERVAL_MS = 5_000;

/** One connection test at a time per server, at most one per interval, whoever asks. */
export class ConnectionTestGate {
  readonly #last = new Map<string, { running: boolean; startedAt: number }>();
  readonly #now: () => number;

  readonly #intervalMs: number;

  constructor(intervalMs = CONNECTION_TEST_INTERVAL_MS, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  async run<T>(target: string, test: () => Promise<T>): Promise<T> {
    const last = this.#last.get(target);
    const now = this.#now();
    if (last?.running) throw new AppError('busy', `A ${target} connection test is already running.`);
    if (last && now - last.startedAt < this.#intervalMs) {
      const seconds = Math.ceil((this.#intervalMs - (now - last.startedAt)) / 1000);
      throw new AppError('busy', `The ${target} connection was tested a moment ago: try again in ${seconds} s.`);
    }
    const entry = { running: true, startedAt: now };
    this.#last.set(target, entry);
    try {
      return await test();
    } finally {
      entry.running = false;
    }
  }
}

/** The servers a user set up while in demo mode, with their secrets (never stored in the demo's place). */
export interface LeaveDemoRequest {
  settings: SettingsUpdate;
  secrets: { diyalog?: string | undefined; icws?: string | undefined };
}

export type SettingsCalls = 'settings.get' | 'settings.update' | 'secret.set' | 'secret.clear' | 'connection.test' | 'status.get' | 'language.set' | 'demo.useServers';

export interface SettingsDeps extends FeatureDeps {
  /** Running against the built-in simulators. */
  demo: boolean;
  version: string;
  /** The ICWS connection as the assistance feature sees it. */
  icwsConnection: () => ConnectionState | null;
  /** Whether the assistance list may be out of date, and its changes. */
  assistanceStale: { get: () => boolean; onChange: (listener: (stale: boolean) => void) => () => void };
  /** A new ICWS password takes a new login. */
  icwsSecretChanged: () => Promise<void>;
  /** Default CONNECTION_TEST_INTERVAL_MS. */
  connectionTestIntervalMs: number | undefined;
  /** Set in demo mode: stores the user's servers and starts again on them. */
  leaveDemo: ((request: LeaveDemoRequest) => Promise<void>) | undefined;
}

export interface SettingsFeature extends Feature<SettingsCalls> {
  status(): Promise<Status>;
}

/**
 * The form sends every field; a field a variable overrides for this run comes back with
 * the override's value. Writing that would make a one-run override permanent, so an
 * overridden field is written only when the user changed it.
 */
function withoutUnchangedOverrides(patch: SettingsPatch, effective: Settings, overridden: readonly SettingKey[]): SettingsPatch {
  const out = structuredClone(patch) as Record<string, unknown>;
  for (const key of overridden) {
    const path = key.split('.');
    const leaf = path.pop() as string;
    const parent = path.reduce<Record<string, unknown> | undefined>((node, part) => node?.[part] as Record<string, unknown> | undefined, out);
    const current = path.reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], effective) as Record<string, unknown>;
    if (parent && leaf in parent && JSON.stringify(parent[leaf]) === JSON.stringify(current[leaf])) delete parent[leaf];
  }
  return out as SettingsPatch;
}

/** Settings, secrets, connection tests and the status the window shows. */
export function createSettingsFeature({ ctx, emit, demo, version, icwsConnection, assistanceStale, icwsSecretChanged, connectionTestIntervalMs, leaveDemo }: SettingsDeps): SettingsFeature {
  const { config } = ctx;
  const connectionTests = new ConnectionTestGate(connectionTestIntervalMs);

  async function status(): Promise<Status> {
    const s = config.get();
    return {
      demo,
      version,
      language: ctx.language(),
      diyalog: {
        configured: Boolean(s.diyalog.baseUrl && s.diyalog.keyId && s.staffId),
        hasSecret: await ctx.secrets.has('diyalog'),
        health: ctx.clients.diyalogHealth.view,
      },
      icws: icwsConnection(),
      assistanceStale: assistanceStale.get(),
      // How far behind the audit forwarding is: the status bar says so while entries wait.
      auditForward: s.audit.forward.url === null ? null : await ctx.forwarder.status().catch(() => null),
    };
  }

  async function settingsView(): Promise<SettingsView> {
    return {
      settings: config.get(),
      secrets: { diyalog: await ctx.secrets.has('diyalog'), icws: await ctx.secrets.has('icws') },
      recoveredFrom: ctx.recovered?.corruptFile ?? null,
      overridden: config.overridden(),
      locked: [...config.locked()],
      allowedRoles: [...(config.policy?.roles ?? ROLES)],
    };
  }

  const teardown = new Disposables();
  teardown.add(config.onChange(async () => emit('status.changed', await status())));
  teardown.add(ctx.forwarder.onStatus(() => void status().then((s) => emit('status.changed', s), () => undefined)));
  const pushStatus = () => {
    status().then(
      (s) => emit('status.changed', s),
      () => undefined, // a status that cannot be read now is read again on the next change
    );
  };
  teardown.addAll(assistanceStale.onChange(pushStatus), ctx.clients.diyalogHealth.onChange(pushStatus));

  async function testConnection(target: 'diyalog' | 'icws', draft: Draft | undefined): Promise<ConnectionTestResult> {
    const started = performance.now();
    if (target === 'diyalog') {
      // A one-millisecond history query: signed, authenticated, and changes nothing.
      const client = (await ctx.clients.diyalogFactory(draft, 'connectionTest'))();
      const now = Date.now();
      await client.getOnlineHelpList({ startDate: now - 1, endDate: now });
      return {
        ok: true,
        latencyMs: Math.round(performance.now() - started),
        host: ctx.clients.configuredHost('diyalog', draft),
        clockOffsetSeconds: Math.round(client.clockOffsetMs / 1000),
        signing: { form: client.signing.form, algorithm: client.signing.algorithm },
      };
    }
    const icws = await ctx.clients.requireIcws('connectionTest', draft);
    try {
      await icws.session.connect();
      const up = icws.session.state;
      const host = up.state === 'up' ? up.host : ctx.clients.configuredHost('icws', draft);
      return { ok: true, latencyMs: Math.round(performance.now() - started), host, clockOffsetSeconds: null, signing: null };
    } finally {
      await icws.stop();
    }
  }

  async function secretChanged(kind: 'diyalog' | 'icws'): Promise<void> {
    if (kind === 'icws') await icwsSecretChanged();
    emit('status.changed', await status());
  }

  return {
    status,
    // The settings writes still queued (a learned signing, say) finish before the app stops.
    stop: () => {
      teardown.dispose();
      return config.settled();
    },
    handlers: {
      'settings.get': () => settingsView(),
      'settings.update': async (patch) => {
        await config.update(withoutUnchangedOverrides(patch, config.get(), config.overridden()));
        return settingsView();
      },
      'secret.set': async ({ kind, secret }) => {
        await ctx.secrets.store(kind, secret);
        await secretChanged(kind);
        return { ok: true };
      },
      'secret.clear': async ({ kind }) => {
        await ctx.secrets.clear(kind);
        await secretChanged(kind);
        return { ok: true };
      },
      'connection.test': ({ target, draft }) => connectionTests.run(target, () => testConnection(target, draft)),
      'status.get': () => status(),
      'demo.useServers': async (request) => {
        if (!leaveDemo) throw new AppError('invalid_input', 'The app is not in demo mode: change the servers in Settings.');
        await leaveDemo(request);
        return { ok: true };
      },
      'language.set': async ({ language }) => {
        await config.update({ language });
        return status();
      },
    },
  };
}
