import { join } from 'node:path';
import type { SettingsPatch } from '../../shared/settings';
import type { SigningForm } from '../sim/diyalog/auth';
import type { DiyalogSim } from '../sim/diyalog/server';
import type { IcwsSim } from '../sim/icws/server';
import type { SettingsLoadResult } from '../store/settings';
import { diyalogAccount, icwsAccount, MemorySecretStore } from './secrets';

export interface Demo {
  diyalog: DiyalogSim;
  icws: IcwsSim;
  /** Points the settings at the simulators. */
  settings: SettingsPatch;
  /** The simulators' throwaway credentials, in memory only. */
  secrets: MemorySecretStore;
  /** Demo settings and audit live apart from the real ones. */
  dataDir: string;
  stop(): Promise<void>;
}

/** Demo mode: both simulators on 127.0.0.1 with moving demo data, and the settings to use them. */
export interface DemoOptions {
  /** Which canonical string to sign the demo server checks (a real server may check either). */
  signingForm?: SigningForm;
}

export async function startDemo(dataDir: string, options: DemoOptions = {}): Promise<Demo> {
  // Loaded only here: the simulators are a chunk of their own that a configured app never loads.
  const [{ startDiyalogSim }, { TRANSCRIPT_HOST }, { startIcwsSim }] = await Promise.all([
    import('../sim/diyalog/server'),
    import('../sim/diyalog/data'),
    import('../sim/icws/server'),
  ]);
  const diyalog = await startDiyalogSim({ demo: true, ...(options.signingForm && { signingForm: options.signingForm }) });
  // The demo user supervises two scripted agents (§2.5): their statuses move, and while the
  // supervisor desk is open they ask for help, so both halves of assistance can be tried here.
  const icws = await startIcwsSim({ mode: 'demo', agentScript: { supervisor: 'demo.agent', statusEveryMs: 20_000, raiseEveryMs: 45_000, replyAfterMs: 4_000 } });
  const secrets = new MemorySecretStore();
  await secrets.setSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url), diyalog.credentials.secret);
  await secrets.setSecret('icws', icwsAccount(icws.user.userId, icws.url), icws.user.password);
  return {
    diyalog,
    icws,
    secrets,
    dataDir: join(dataDir, 'demo'),
    settings: {
      diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId, transcriptHosts: [new URL(TRANSCRIPT_HOST).hostname] },
      staffId: diyalog.staffId,
      icws: { baseUrl: icws.url, userId: icws.user.userId },
      supervisor: { agents: DEMO_SCRIPTED_AGENTS },
    },
    async stop() {
      await Promise.all([diyalog.close(), icws.close()]);
    },
  };
}

/** The demo user's agents on the Agents board (the simulator's DEMO_ICWS_AGENTS, named here so the sim loads lazily). */
const DEMO_SCRIPTED_AGENTS = ['demo.agent2', 'demo.agent3'];

/** No server configured anywhere: the app runs in demo mode. */
export function needsDemo(settings: { diyalog: { baseUrl: string | null }; icws: { baseUrl: string | null } }, env: NodeJS.ProcessEnv): boolean {
  return !settings.diyalog.baseUrl && !settings.icws.baseUrl && !env.COMPANION_DIYALOG_URL && !env.COMPANION_ICWS_URL;
}

/**
 * Whether this start runs in demo mode: only for a data dir that never had servers. A data
 * dir whose settings were reset (an unreadable file moved aside: what it held is unknown)
 * or that once had a server configured starts unconfigured instead, and the window shows
 * the reset with the path of the saved copy; it never silently turns into demo.
 */
export function shouldStartDemo(loaded: Pick<SettingsLoadResult, 'settings' | 'hadServers' | 'recovered'>, env: NodeJS.ProcessEnv): boolean {
  return !loaded.hadServers && loaded.recovered === undefined && needsDemo(loaded.settings, env);
}
