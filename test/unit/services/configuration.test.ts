// The settings overrides of one invocation: which variable or flag sets which key, and
// how a value typed on a command line becomes a settings patch (or a clear refusal).

import { describe, expect, it } from 'vitest';
import { collectOverrides, isSettingKey, overridePatch, parseSettingValue, SETTING_KEYS } from '../../../main/services/configuration';

describe('parseSettingValue', () => {
  it('turns a dotted key and a typed value into a patch the settings schema accepts', () => {
    expect(parseSettingValue('diyalog.baseUrl', 'https://dlg.bank.local/api')).toEqual({ diyalog: { baseUrl: 'https://dlg.bank.local/api' } });
    expect(parseSettingValue('staffId', 'A12345')).toEqual({ staffId: 'A12345' });
    expect(parseSettingValue('language', 'null')).toEqual({ language: null });
    expect(parseSettingValue('icws.applicationName', 'Şube')).toEqual({ icws: { applicationName: 'Şube' } });
  });

  it('takes a list comma-separated (spaces and empty items dropped, duplicates once), and null or nothing clears it', () => {
    expect(parseSettingValue('supervisor.agents', ' agent.one, agent.two,,agent.one ')).toEqual({ supervisor: { agents: ['agent.one', 'agent.two'] } });
    expect(parseSettingValue('supervisor.agents', 'null')).toEqual({ supervisor: { agents: [] } });
    expect(parseSettingValue('supervisor.agents', '')).toEqual({ supervisor: { agents: [] } });
    expect(() => parseSettingValue('supervisor.agents', 'agent.one,bad\u0007id')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(parseSettingValue('icws.supervisorAssistanceActionPath', 'interactions/supervisor-assistance/{assistanceId}')).toEqual({
      icws: { supervisorAssistanceActionPath: 'interactions/supervisor-assistance/{assistanceId}' },
    });
    expect(parseSettingValue('icws.supervisorAssistanceActionPath', 'null')).toEqual({ icws: { supervisorAssistanceActionPath: null } });
    expect(() => parseSettingValue('icws.supervisorAssistanceActionPath', 'interactions/supervisor-assistance')).toThrow(/\{assistanceId\}/);
  });

  it('reads COMPANION_SUPERVISOR_AGENTS as the same comma-separated list', () => {
    const overrides = collectOverrides({ COMPANION_SUPERVISOR_AGENTS: 'agent.one,agent.two' });
    expect(overridePatch(overrides)).toEqual({ supervisor: { agents: ['agent.one', 'agent.two'] } });
  });

  it('refuses an unknown key, listing the known ones, and a value the schema refuses', () => {
    expect(() => parseSettingValue('diyalog', 'x')).toThrow(/Known settings: diyalog\.baseUrl/);
    expect(() => parseSettingValue('__proto__', 'x')).toThrow(/Unknown setting/);
    expect(() => parseSettingValue('watchList', '1,2')).toThrow(/Unknown setting/);
    expect(() => parseSettingValue('diyalog.signatureAlgorithm', 'md5')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => parseSettingValue('icws.applicationName', 'null')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('knows exactly the keys the administrator may set', () => {
    // The list README.md gives for `companion settings set`: one more or one fewer is a change to say there.
    expect(Object.keys(SETTING_KEYS).sort()).toEqual([
      'alertSound', 'allowInsecureHttp', 'audit.forward.url', 'diyalog.baseUrl', 'diyalog.historyAgentField', 'diyalog.keyId', 'diyalog.signatureAlgorithm',
      'icws.applicationName', 'icws.baseUrl', 'icws.supervisorAssistanceActionPath', 'icws.userId', 'language', 'role', 'staffId', 'supervisor.agents', 'theme', 'tls.caFile',
    ]);
    // And the ones a flag or a variable may override for one invocation (README.md's table).
    expect(Object.entries(SETTING_KEYS).flatMap(([key, spec]) => ('env' in spec ? [[key, spec.env, spec.flag]] : []))).toEqual([
      ['diyalog.baseUrl', 'COMPANION_DIYALOG_URL', 'diyalog-url'],
      ['diyalog.keyId', 'COMPANION_DIYALOG_KEY_ID', 'key-id'],
      ['staffId', 'COMPANION_STAFF_ID', 'staff-id'],
      ['icws.baseUrl', 'COMPANION_ICWS_URL', 'icws-url'],
      ['icws.userId', 'COMPANION_ICWS_USER', 'icws-user'],
      ['supervisor.agents', 'COMPANION_SUPERVISOR_AGENTS', 'supervisor-agents'],
      ['tls.caFile', 'COMPANION_TLS_CA_FILE', 'ca-file'],
      ['audit.forward.url', 'COMPANION_AUDIT_FORWARD_URL', 'audit-forward-url'],
    ]);
    expect(isSettingKey('toString')).toBe(false);
    expect(isSettingKey('diyalog')).toBe(false);
  });
});

describe('collectOverrides', () => {
  it('takes a flag over its variable and ignores empty ones', () => {
    const overrides = collectOverrides(
      { COMPANION_STAFF_ID: 'ENV', COMPANION_DIYALOG_URL: '', COMPANION_ICWS_USER: 'env.user' },
      { 'staff-id': 'FLAG', 'icws-url': '' },
    );
    expect(overrides).toEqual([
      { key: 'staffId', value: 'FLAG', source: 'flag', origin: '--staff-id' },
      { key: 'icws.userId', value: 'env.user', source: 'environment', origin: 'COMPANION_ICWS_USER' },
    ]);
    expect(overridePatch(overrides)).toEqual({ staffId: 'FLAG', icws: { userId: 'env.user' } });
  });

  it('merges overrides of one section and names the variable of a bad one', () => {
    const patch = overridePatch(collectOverrides({ COMPANION_ICWS_URL: 'https://ic.bank.local', COMPANION_ICWS_USER: 'u1' }));
    expect(patch).toEqual({ icws: { baseUrl: 'https://ic.bank.local', userId: 'u1' } });
    expect(() => overridePatch(collectOverrides({ COMPANION_DIYALOG_URL: 'file:///etc/passwd' }))).toThrow(/COMPANION_DIYALOG_URL/);
  });

  it('does not take the CLI language variable as the app language', () => {
    expect(collectOverrides({ COMPANION_LANG: 'tr' })).toEqual([]);
  });
});
