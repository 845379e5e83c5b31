// Settings: the non-secret fields as one form (checked with the patch schema main uses),
// the secrets as write-only fields, and a connection test per server.

import type { CallInput, CallOutput, SecretKind, SettingsView } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import { settingsUpdateSchema, type ROLES, type SIGNATURE_ALGORITHM_CHOICES, type THEMES } from '../../shared/settings';
import { safeCall, type RendererApi } from '../bridge';
import { problemsByPath, type Problem } from '../validate';

export interface SettingsForm {
  role: Role;
  diyalogUrl: string;
  keyId: string;
  staffId: string;
  algorithm: (typeof SIGNATURE_ALGORITHM_CHOICES)[number];
  transcriptHosts: string;
  icwsUrl: string;
  icwsUser: string;
  applicationName: string;
  /** The supervisor's agents (ICWS user ids), one a line or separated by commas or spaces, as typed. */
  supervisorAgents: string;
  /** Advanced: where a supervisor's accept, ignore or answer goes; empty for the inferred path. */
  supervisorActionPath: string;
  /** A PEM file of the bank's CA, for a CA the OS store does not hold; empty: the OS store alone. */
  caFile: string;
}

export type SecretMessage = 'settings.secretSaved' | 'settings.secretCleared' | 'settings.secretEmpty';

export interface SecretDraft {
  value: string;
  busy: boolean;
  confirming: boolean;
  message: SecretMessage | null;
  error: ErrorValue | null;
}

export type TestOutcome = CallOutput<'connection.test'> | { ok: false; error: ErrorValue };

export type Role = (typeof ROLES)[number];
export type Theme = (typeof THEMES)[number];

/** The setting each form field edits (its dotted key): a refusal or a policy lock is reported under it. */
export const FIELD_KEYS = {
  role: 'role',
  diyalogUrl: 'diyalog.baseUrl',
  keyId: 'diyalog.keyId',
  staffId: 'staffId',
  algorithm: 'diyalog.signatureAlgorithm',
  transcriptHosts: 'diyalog.transcriptHosts',
  icwsUrl: 'icws.baseUrl',
  icwsUser: 'icws.userId',
  applicationName: 'icws.applicationName',
  supervisorAgents: 'supervisor.agents',
  supervisorActionPath: 'icws.supervisorAssistanceActionPath',
  caFile: 'tls.caFile',
} as const satisfies Record<keyof SettingsForm, string>;

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

export function formOf(v: SettingsView): SettingsForm {
  const s = v.settings;
  return {
    role: s.role,
    diyalogUrl: s.diyalog.baseUrl ?? '',
    keyId: s.diyalog.keyId ?? '',
    staffId: s.staffId ?? '',
    algorithm: s.diyalog.signatureAlgorithm,
    transcriptHosts: s.diyalog.transcriptHosts.join('\n'),
    icwsUrl: s.icws.baseUrl ?? '',
    icwsUser: s.icws.userId ?? '',
    applicationName: s.icws.applicationName,
    supervisorAgents: s.supervisor.agents.join('\n'),
    supervisorActionPath: s.icws.supervisorAssistanceActionPath ?? '',
    caFile: s.tls.caFile ?? '',
  };
}

export function patchOf(f: SettingsForm): CallInput<'settings.update'> {
  return {
    diyalog: {
      baseUrl: orNull(f.diyalogUrl),
      keyId: orNull(f.keyId),
      signatureAlgorithm: f.algorithm,
      transcriptHosts: f.transcriptHosts.split(/[\s,]+/).filter((h) => h !== ''),
    },
    staffId: orNull(f.staffId),
    role: f.role,
    icws: { baseUrl: orNull(f.icwsUrl), userId: orNull(f.icwsUser), applicationName: f.applicationName, supervisorAssistanceActionPath: orNull(f.supervisorActionPath) },
    supervisor: { agents: f.supervisorAgents.split(/[\s,]+/).filter((id) => id !== '') },
    tls: { caFile: orNull(f.caFile) },
  };
}

const emptySecret = (): SecretDraft => ({ value: '', busy: false, confirming: false, message: null, error: null });

export class SettingsStore {
  view = $state<SettingsView | null>(null);
  form = $state<SettingsForm | null>(null);
  /** Schema problems by dotted path (`diyalog.baseUrl`), in the catalogue's words. */
  fieldErrors = $state<Record<string, Problem>>({});
  error = $state<ErrorValue | null>(null);
  saved = $state(false);
  saving = $state(false);
  secrets = $state<Record<SecretKind, SecretDraft>>({ diyalog: emptySecret(), icws: emptySecret() });
  tests = $state<Record<SecretKind, { busy: boolean; outcome: TestOutcome | null }>>({
    diyalog: { busy: false, outcome: null },
    icws: { busy: false, outcome: null },
  });

  /** The saved role and theme (defaults until the settings are loaded). */
  readonly role: Role = $derived(this.view?.settings.role ?? 'agent');
  readonly theme: Theme = $derived(this.view?.settings.theme ?? 'system');
  /** The roles the administrator's policy leaves the user (both, without a policy). */
  readonly allowedRoles: readonly Role[] = $derived(this.view?.allowedRoles ?? ['agent', 'supervisor']);
  /** Secrets typed but not stored yet: Save stores them with the rest. */
  readonly pendingSecrets: SecretKind[] = $derived((['diyalog', 'icws'] as const).filter((k) => this.secrets[k].value !== ''));

  /**
   * Demo mode: the setup screen is taking the user's own servers (a blank form, not the
   * simulators'); its Save stores them for real and the app starts again on them.
   */
  realSetup = $state(false);

  readonly #api: RendererApi;
  readonly #reload: () => void;

  constructor(api: RendererApi, options: { reload?: () => void } = {}) {
    this.#api = api;
    // The page loads afresh on the new services (the browser host keeps its token for a reload).
    this.#reload = options.reload ?? (() => globalThis.location?.reload());
  }

  /** Whether the administrator's policy sets this dotted key: shown read-only, never asked at setup. */
  locked(path: string): boolean {
    return this.view?.locked.includes(path) ?? false;
  }

  /** Demo mode: opens setup on a blank form for the user's own servers. */
  beginRealSetup(): void {
    if (!this.view) return;
    const kept = formOf(this.view);
    // Blank, but for what the administrator's policy sets: that stays as the policy says.
    const blank = (['diyalogUrl', 'keyId', 'staffId', 'transcriptHosts', 'icwsUrl', 'icwsUser'] as const).filter((field) => !this.locked(FIELD_KEYS[field]));
    this.form = { ...kept, ...Object.fromEntries(blank.map((field) => [field, ''])) };
    this.secrets = { diyalog: emptySecret(), icws: emptySecret() };
    this.tests = { diyalog: { busy: false, outcome: null }, icws: { busy: false, outcome: null } };
    this.fieldErrors = {};
    this.error = null;
    this.realSetup = true;
  }

  /** Back to the demo's settings, nothing stored. */
  cancelRealSetup(): void {
    this.realSetup = false;
    this.secrets = { diyalog: emptySecret(), icws: emptySecret() };
    if (this.view) this.form = formOf(this.view);
  }

  /**
   * Stores the servers typed in setup (settings file and keychain, never the demo's) and has
   * main start again on them; then the page loads afresh. Nothing is stored if the form is refused.
   */
  async useServers(): Promise<void> {
    if (!this.form || this.saving) return;
    this.error = null;
    const patch = this.#checkedPatch(this.form);
    if (!patch) return;
    const secret = (kind: SecretKind) => (this.secrets[kind].value === '' ? {} : { [kind]: this.secrets[kind].value });
    this.saving = true;
    const result = await safeCall(this.#api, 'demo.useServers', { settings: patch, secrets: { ...secret('diyalog'), ...secret('icws') } });
    this.saving = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.secrets = { diyalog: emptySecret(), icws: emptySecret() };
    this.#reload();
  }

  /** The theme applies at once (like the language): it is saved on its own, not with the form. */
  async setTheme(theme: Theme): Promise<void> {
    await this.#setAtOnce({ theme });
  }

  /** The alert sound, like the theme, is saved at once. */
  async setAlertSound(alertSound: boolean): Promise<void> {
    await this.#setAtOnce({ alertSound });
  }

  /** Choices saved at once, counted: an answer to an older one must not undo a newer choice. */
  #atOnce = 0;

  async #setAtOnce(patch: { theme?: Theme; alertSound?: boolean }): Promise<void> {
    if (!this.view) return;
    const before = this.view;
    const mine = ++this.#atOnce;
    this.view = { ...before, settings: { ...before.settings, ...patch } };
    const result = await safeCall(this.#api, 'settings.update', patch);
    // A later choice was made meanwhile (Dark, then System, quickly): its own answer settles the view.
    if (mine !== this.#atOnce) return;
    if (result.ok) this.view = result.value;
    else {
      this.view = before;
      this.error = result.error;
    }
  }

  start(): () => void {
    void this.load(true);
    return () => {};
  }

  async load(resetForm: boolean): Promise<void> {
    const result = await safeCall(this.#api, 'settings.get', {});
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.view = result.value;
    if (resetForm || !this.form) this.form = formOf(result.value);
  }

  async save(): Promise<void> {
    if (!this.form || this.saving) return;
    this.saved = false;
    this.error = null;
    const patch = this.#checkedPatch(this.form);
    if (!patch) return;
    this.saving = true;
    const result = await safeCall(this.#api, 'settings.update', patch);
    if (!result.ok) {
      this.saving = false;
      this.error = result.error;
      return;
    }
    this.view = result.value;
    this.form = formOf(result.value);
    // A secret typed in the form is part of what Save saves: stored in the keychain now,
    // after the key id or user it belongs to.
    let stored = true;
    for (const kind of this.pendingSecrets) stored = (await this.storeSecret(kind)) && stored;
    this.saving = false;
    this.saved = stored;
  }

  async storeSecret(kind: SecretKind): Promise<boolean> {
    const draft = this.secrets[kind];
    draft.error = null;
    if (draft.value === '') {
      draft.message = 'settings.secretEmpty';
      return false;
    }
    draft.busy = true;
    const result = await safeCall(this.#api, 'secret.set', { kind, secret: draft.value });
    draft.busy = false;
    if (result.ok) {
      draft.value = '';
      draft.message = 'settings.secretSaved';
      await this.load(false);
      return true;
    }
    draft.message = null;
    draft.error = result.error;
    return false;
  }

  askClearSecret(kind: SecretKind, asking: boolean): void {
    this.secrets[kind].confirming = asking;
  }

  async clearSecret(kind: SecretKind): Promise<void> {
    const draft = this.secrets[kind];
    draft.error = null;
    draft.busy = true;
    const result = await safeCall(this.#api, 'secret.clear', { kind });
    draft.busy = false;
    draft.confirming = false;
    if (result.ok) {
      draft.message = 'settings.secretCleared';
      await this.load(false);
    } else {
      draft.message = null;
      draft.error = result.error;
    }
  }

  /** The form as an update, checked with main's schema; null (and the field errors shown) when refused. */
  #checkedPatch(form: SettingsForm): CallInput<'settings.update'> | null {
    const patch = patchOf(form);
    const checked = settingsUpdateSchema.safeParse(patch);
    this.fieldErrors = checked.success ? {} : problemsByPath(checked.error);
    return checked.success ? patch : null;
  }

  /** Tests what the form holds now, saved or not, with a secret typed but not stored. */
  async test(target: SecretKind): Promise<void> {
    this.tests[target] = { busy: true, outcome: null };
    const secret = this.secrets[target].value;
    const patch = this.form ? patchOf(this.form) : null;
    // A form the schema refuses is tested as saved: its field errors show on Save.
    const settings = patch && settingsUpdateSchema.safeParse(patch).success ? patch : undefined;
    const draft = { ...(settings ? { settings } : {}), ...(secret !== '' ? { secret } : {}) };
    const result = await safeCall(this.#api, 'connection.test', { target, ...(Object.keys(draft).length > 0 ? { draft } : {}) });
    this.tests[target] = { busy: false, outcome: result.ok ? result.value : { ok: false, error: result.error } };
  }
}
