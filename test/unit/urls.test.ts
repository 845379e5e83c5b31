// The one rule for plain http (shared/urls.ts) and the settings fields that go with it.

import { describe, expect, it } from 'vitest';
import { diyalogAccount, icwsAccount } from '../../main/services/secrets';
import { AppError } from '../../shared/errors';
import { DEFAULT_SETTINGS, mergeSettings, settingsPatchSchema, settingsSchema } from '../../shared/settings';
import { assertUrlAllowed, insecureUrlProblem, isInsecureHttp, isLoopbackHost } from '../../shared/urls';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]'])('%s is this computer', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['diyalog.bank.local', '10.0.0.5', '192.168.1.10', '128.0.0.1', 'localhost.bank.example', '127.0.0.1.nip.io', '[::2]', '[::ffff:a00:5]', '0.0.0.0'])(
    '%s is not',
    (h) => {
      expect(isLoopbackHost(h)).toBe(false);
    },
  );
  it('agrees with URL.hostname for the forms a user types', () => {
    expect(isLoopbackHost(new URL('http://[::ffff:127.0.0.1]:8080/').hostname)).toBe(true);
    expect(isLoopbackHost(new URL('http://LocalHost:1/').hostname)).toBe(true);
  });
});

describe('insecureUrlProblem', () => {
  it('https is always fine; http only to loopback unless allowed', () => {
    expect(insecureUrlProblem('https://diyalog.bank.example/api', false)).toBeNull();
    expect(insecureUrlProblem('http://127.0.0.1:4100', false)).toBeNull();
    expect(insecureUrlProblem('http://localhost:4100/api', false)).toBeNull();
    expect(insecureUrlProblem('http://diyalog.bank.local/api', false)).toContain('allowInsecureHttp');
    expect(insecureUrlProblem('HTTP://10.0.0.5:8018', false)).toContain('10.0.0.5:8018');
    expect(insecureUrlProblem('http://diyalog.bank.local/api', true)).toBeNull();
    expect(isInsecureHttp('http://diyalog.bank.local')).toBe(true);
    expect(isInsecureHttp('http://127.0.0.1:1')).toBe(false);
    expect(isInsecureHttp('https://diyalog.bank.local')).toBe(false);
  });
  it('assertUrlAllowed throws invalid_input naming the field', () => {
    expect(() => assertUrlAllowed('http://10.0.0.5', false, 'ICWS')).toThrow(AppError);
    try {
      assertUrlAllowed('http://10.0.0.5', false, 'ICWS');
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid_input', details: { field: 'baseUrl', reason: 'insecure_http' } });
      expect((e as AppError).message).toMatch(/^The ICWS address is refused: /);
    }
    expect(() => assertUrlAllowed('http://10.0.0.5', true, 'ICWS')).not.toThrow();
  });
});

describe('settings: allowInsecureHttp, historyAgentField, learnedSigning', () => {
  it('defaults: http not allowed, agentId, nothing learned', () => {
    expect(DEFAULT_SETTINGS.allowInsecureHttp).toBe(false);
    expect(DEFAULT_SETTINGS.diyalog.historyAgentField).toBe('agentId');
    expect(DEFAULT_SETTINGS.diyalog.learnedSigning).toBeNull();
  });

  it.each(['diyalog', 'icws'] as const)('an http %s URL to another machine needs allowInsecureHttp', (service) => {
    const bad = settingsSchema.safeParse({ [service]: { baseUrl: 'http://server.bank.local:8018' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual([service, 'baseUrl']);
    expect(settingsSchema.safeParse({ [service]: { baseUrl: 'http://server.bank.local:8018' }, allowInsecureHttp: true }).success).toBe(true);
    expect(settingsSchema.safeParse({ [service]: { baseUrl: 'http://127.0.0.1:8018' } }).success).toBe(true);
    expect(settingsSchema.safeParse({ [service]: { baseUrl: 'https://server.bank.local:8018' } }).success).toBe(true);
  });

  it('a patch that turns allowInsecureHttp off under an http URL is refused once merged', () => {
    const current = settingsSchema.parse({ diyalog: { baseUrl: 'http://diyalog.bank.local' }, allowInsecureHttp: true });
    const patch = settingsPatchSchema.parse({ allowInsecureHttp: false });
    expect(settingsSchema.safeParse(mergeSettings(current, patch)).success).toBe(false);
  });

  it('historyAgentField is agentId or agentUserId', () => {
    expect(settingsPatchSchema.safeParse({ diyalog: { historyAgentField: 'agentUserId' } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ diyalog: { historyAgentField: 'agent_user_id' } }).success).toBe(false);
  });

  it('learnedSigning is an origin, a form and an algorithm, or null', () => {
    const ok = { origin: 'https://diyalog.bank.example', form: 'pseudocode', algorithm: 'sha1' };
    expect(settingsSchema.parse({ diyalog: { learnedSigning: ok } }).diyalog.learnedSigning).toEqual(ok);
    expect(settingsPatchSchema.safeParse({ diyalog: { learnedSigning: null } }).success).toBe(true);
    for (const bad of [
      { ...ok, origin: 'https://diyalog.bank.example/api' },
      { ...ok, origin: 'ftp://diyalog.bank.example' },
      { ...ok, origin: 'diyalog.bank.example' },
      { ...ok, form: 'other' },
      { ...ok, algorithm: 'md5' },
      { origin: ok.origin, form: ok.form },
    ]) {
      expect(settingsPatchSchema.safeParse({ diyalog: { learnedSigning: bad } }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('diyalogAccount', () => {
  it('keys the secret by key id and server origin', () => {
    expect(diyalogAccount('AKID-1', 'https://diyalog.bank.example/api')).toBe('AKID-1@https://diyalog.bank.example');
    expect(diyalogAccount('AKID-1', 'https://diyalog.bank.example:8443/')).toBe('AKID-1@https://diyalog.bank.example:8443');
    // Same key id, another server or scheme: another account.
    expect(diyalogAccount('AKID-1', 'https://other.bank.example')).not.toBe(diyalogAccount('AKID-1', 'https://diyalog.bank.example'));
    expect(diyalogAccount('AKID-1', 'http://diyalog.bank.example')).not.toBe(diyalogAccount('AKID-1', 'https://diyalog.bank.example'));
    expect(icwsAccount('agent7', 'https://pc1.bank.example:8019')).toBe('agent7@pc1.bank.example:8019');
  });
});
