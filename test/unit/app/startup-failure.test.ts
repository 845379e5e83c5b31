// The dialog Electron shows when the app cannot start: for a policy that fails closed it says
// so in the user's language, with the message that names the file and the key.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { startupFailure } from '../../../main/app/startup-failure';
import { parsePolicy } from '../../../main/store/policy';

describe('startupFailure', () => {
  it("a policy that cannot be used: the code's words, the file and the key, and what to do, in Turkish or English", () => {
    let error: unknown;
    try {
      parsePolicy('/etc/agent-companion/policy.json', '{"diyalog":{"baseURL":"https://x.example"}}');
    } catch (e) {
      error = e;
    }
    const tr = startupFailure(error, 'tr');
    expect(tr.title).toBe('Agent Companion başlatılamıyor');
    expect(tr.body).toContain('Sistem yöneticisinin ilke dosyası kullanılamıyor');
    expect(tr.body).toContain('/etc/agent-companion/policy.json');
    expect(tr.body).toContain('baseURL');
    expect(tr.body).toContain('Sistem yöneticinizden dosyayı düzeltmesini isteyin');
    const en = startupFailure(error, 'en');
    expect(en.body).toContain("Ask your administrator to correct the file.");
  });

  it('any other failure: its words and message, without the policy advice', () => {
    const failure = startupFailure(new AppError('settings_corrupt', 'settings.json could not be read.'), 'en');
    expect(failure.body).toContain('settings.json could not be read.');
    expect(failure.body).not.toContain('administrator');
    expect(startupFailure(new Error('boom'), 'en')).toEqual({ title: 'Agent Companion cannot start', body: 'boom' });
  });
});
