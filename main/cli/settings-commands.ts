import { AppError } from '../../shared/errors';
import { parseSettingValue, SETTING_KEYS, type SettingKey } from '../services/configuration';
import type { ServiceContext } from '../services/context';
import { SECRET_VARIABLES } from '../services/secrets';
import type { Command } from './command';

type SecretSource = 'environment' | 'keychain' | 'none' | 'unavailable';

/** Where each secret would come from, without ever reading it out. */
async function secretSources(services: ServiceContext, env: NodeJS.ProcessEnv): Promise<Record<'diyalog' | 'icws', SecretSource>> {
  const of = async (kind: 'diyalog' | 'icws'): Promise<SecretSource> => {
    if (env[SECRET_VARIABLES[kind]]) return 'environment';
    if (!services.secrets.accountOf(kind)) return 'none';
    try {
      return (await services.secrets.get(kind)) !== null ? 'keychain' : 'none';
    } catch {
      return 'unavailable';
    }
  };
  return { diyalog: await of('diyalog'), icws: await of('icws') };
}

function shown(value: unknown): string {
  return value === null || value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
}

const show: Command = {
  name: 'settings',
  usage: 'companion settings [--json]',
  summary: "The effective settings, each with where it came from (policy, file, environment, flag, default). Never a secret.",
  flags: {},
  async run({ services, env, t }) {
    const opened = await services();
    const settings = opened.config.describe();
    const secrets = await secretSources(opened, env);
    const policy = opened.config.policy?.file ?? null;
    const json = { dataDir: opened.dataDir, file: opened.config.store.file, policy, settings, secrets };
    const width = Math.max(...Object.keys(settings).map((k) => k.length));
    const lines = [
      t('cli.settingsFile', { file: opened.config.store.file }),
      ...(policy ? [t('cli.policyFile', { file: policy })] : []),
      ...Object.entries(settings).map(([key, { value, source }]) => `${key.padEnd(width)}  ${shown(value)}  (${t(`cli.source.${source}`)})`),
      t('cli.settingsSecrets', { diyalog: t(`cli.secretSource.${secrets.diyalog}`), icws: t(`cli.secretSource.${secrets.icws}`) }),
    ];
    return { json, text: lines.join('\n') };
  },
};

const set: Command = {
  name: 'settings set',
  usage: `companion settings set <key> <value>   (keys: ${Object.keys(SETTING_KEYS).join(', ')}; the value null clears)`,
  summary: 'Write one setting to the settings file, checked as the app checks it. Secrets: "companion login".',
  flags: {},
  async run({ args, services, t }) {
    const [key, value, ...extra] = args;
    if (key === undefined || value === undefined || extra.length > 0) {
      throw new AppError('invalid_input', 'Expected a key and one value: companion settings set <key> <value>.');
    }
    // Checked in full before the file is opened: a bad key or value changes nothing.
    const patch = parseSettingValue(key, value);
    const opened = await services();
    // Through the effective settings, so the administrator's policy is asked first (locked_by_policy, exit 2).
    await opened.config.update(patch);
    const settingKey = key as SettingKey;
    const saved = valueInFile(opened, settingKey);
    const file = opened.config.store.file;
    const lines = [t('cli.settingWritten', { key, value: shown(saved), file })];
    // Written, but this run's variable or flag still wins: say so rather than look ignored.
    const override = opened.config.overrides.find((o) => o.key === settingKey);
    if (override) lines.push(t('cli.settingOverridden', { key, origin: override.origin }));
    return { json: { key, value: saved, file }, text: lines.join('\n') };
  },
};

function valueInFile(services: ServiceContext, key: SettingKey): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], services.config.file());
}

export const settingsCommands: Command[] = [show, set];
