// Settings: the non-secret fields as one form (checked with the patch schema main uses),
// the secrets as write-only fields, and a connection test per server.

import type { CallInput, CallOutput, SecretKind, SettingsView } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import { settingsPatchSchema, type SIGNATURE_ALGORITHM_CHOICES } from '../../shared/settings';
import { safeCall, type RendererApi } from '../bridge';
import { problemsByPath, type Problem } from '../validate';

export interface SettingsForm {
  diyalogUrl: string;
  keyId: string;
  staffId: string;
  algorithm: (typeof SIGNATURE_ALGORITHM_CHOICES)[number];
  transcriptHosts: string;
  icwsUrl: string;
  icwsUser: string;
  applicationName: string;
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

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

export function formOf(v: SettingsView): SettingsForm {
  const s = v.settings;
  return {
    diyalogUrl: s.diyalog.baseUrl ?? '',
    keyId: s.diyalog.keyId ?? '',
    staffId: s.staffId ?? '',
    algorithm: s.diyalog.signatureAlgorithm,
    transcriptHosts: s.diyalog.transcriptHosts.join('\n'),
    icwsUrl: s.icws.baseUrl ?? '',
    icwsUser: s.icws.userId ?? '',
    applicationName: s.icws.applicationName,
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
    icws: { baseUrl: orNull(f.icwsUrl), userId: orNull(f.icwsUser), applicationName: f.applicationName },
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

  readonly #api: RendererApi;

  constructor(api: RendererApi) {
    this.#api = api;
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
    const patch = patchOf(this.form);
    const checked = settingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      this.fieldErrors = problemsByPath(checked.error);
      return;
    }
    this.fieldErrors = {};
    this.saving = true;
    const result = await safeCall(this.#api, 'settings.update', patch);
    this.saving = false;
    if (result.ok) {
      this.view = result.value;
      this.form = formOf(result.value);
      this.saved = true;
    } else this.error = result.error;
  }

  async storeSecret(kind: SecretKind): Promise<void> {
    const draft = this.secrets[kind];
    draft.error = null;
    if (draft.value === '') {
      draft.message = 'settings.secretEmpty';
      return;
    }
    draft.busy = true;
    const result = await safeCall(this.#api, 'secret.set', { kind, secret: draft.value });
    draft.busy = false;
    if (result.ok) {
      draft.value = '';
      draft.message = 'settings.secretSaved';
      await this.load(false);
    } else {
      draft.message = null;
      draft.error = result.error;
    }
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

  async test(target: SecretKind): Promise<void> {
    this.tests[target] = { busy: true, outcome: null };
    const result = await safeCall(this.#api, 'connection.test', { target });
    this.tests[target] = { busy: false, outcome: result.ok ? result.value : { ok: false, error: result.error } };
  }
}
