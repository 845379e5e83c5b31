// The real OS keychain: run under `sh test/with-keyring.sh`, which provides a D-Bus session
// with an unlocked gnome-keyring when the shell has none.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import keytar from 'keytar';
import { afterAll, describe, expect, it } from 'vitest';
import { Keychain } from '../../../main/store/keychain';
import type { ErrorValue } from '../../../shared/errors';

const service = `agent-companion-test-${randomUUID()}`;
const keychain = new Keychain(service);

afterAll(async () => {
  for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
});

describe('Keychain (real Secret Service)', () => {
  it('stores, reads, replaces and deletes a secret under "<kind>:<account>"', async () => {
    expect(await keychain.getSecret('diyalog', 'AKID1')).toBeNull();
    await keychain.setSecret('diyalog', 'AKID1', 's3cr3t-ğüşİ');
    expect(await keychain.getSecret('diyalog', 'AKID1')).toBe('s3cr3t-ğüşİ');
    expect(await keytar.getPassword(service, 'diyalog:AKID1')).toBe('s3cr3t-ğüşİ');
    await keychain.setSecret('diyalog', 'AKID1', 'rotated');
    expect(await keychain.getSecret('diyalog', 'AKID1')).toBe('rotated');
    expect(await keychain.deleteSecret('diyalog', 'AKID1')).toBe(true);
    expect(await keychain.deleteSecret('diyalog', 'AKID1')).toBe(false);
    expect(await keychain.getSecret('diyalog', 'AKID1')).toBeNull();
  });

  it('keeps the kinds and the services apart', async () => {
    await keychain.setSecret('icws', 'agent@pc.bank.test', 'icws-password');
    expect(await keychain.getSecret('diyalog', 'agent@pc.bank.test')).toBeNull();
    expect(await new Keychain(`${service}-other`).getSecret('icws', 'agent@pc.bank.test')).toBeNull();
    expect(await keychain.getSecret('icws', 'agent@pc.bank.test')).toBe('icws-password');
  });

  it('accepts a secret of 4096 characters and rejects one longer, an empty one and an empty account', async () => {
    await keychain.setSecret('diyalog', 'AKID-long', 'x'.repeat(4096));
    expect(await keychain.getSecret('diyalog', 'AKID-long')).toHaveLength(4096);
    const tooLong = 'y'.repeat(4097);
    const error: unknown = await keychain.setSecret('diyalog', 'AKID-long', tooLong).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(String((error as Error).message)).not.toContain('yyyy');
    await expect(keychain.setSecret('diyalog', 'AKID-empty', '')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(keychain.setSecret('diyalog', '', 'secret')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(keychain.getSecret('icws', '  ')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(keychain.deleteSecret('other' as 'icws', 'x')).rejects.toMatchObject({ code: 'invalid_input' });
    // An account is one line of at most 256 printable characters (code points, as everywhere).
    await expect(keychain.getSecret('icws', `agent@${'h'.repeat(251)}`)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(keychain.setSecret('icws', 'agent@pc\nforged', 'secret')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await keychain.getSecret('icws', `agent@${'ğ'.repeat(250)}`)).toBeNull();
    expect(await keychain.getSecret('diyalog', 'AKID-long')).toBe('x'.repeat(4096));
    expect(await keychain.getSecret('diyalog', 'AKID-empty')).toBeNull();
  });

  it('reports keychain_unavailable, without the secret, when D-Bus is not reachable', async () => {
    const probe = fileURLToPath(new URL('./keychain-probe.ts', import.meta.url));
    const secret = `never-shown-${randomUUID()}`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, service, secret], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/agent-companion-test/bus', DISPLAY: '' },
      timeout: 20_000,
    });
    const results = JSON.parse(stdout) as Record<'get' | 'set' | 'delete', { ok: boolean; error?: ErrorValue }>;
    for (const call of ['get', 'set', 'delete'] as const) {
      expect(results[call].ok, call).toBe(false);
      expect(results[call].error?.code, call).toBe('keychain_unavailable');
      expect(results[call].error?.message).toMatch(/Secret Service/);
      expect(results[call].error?.message).not.toContain(secret);
    }
  });
});
