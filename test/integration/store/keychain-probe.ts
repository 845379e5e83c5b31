// Run in a child process by keychain.test.ts with a D-Bus address that leads nowhere:
// prints what each Keychain call answered, as JSON, so the test sees the real failure.

import { Keychain } from '../../../main/store/keychain';
import { toErrorValue } from '../../../shared/errors';

const [service = 'agent-companion-probe', secret = 'probe-secret'] = process.argv.slice(2);
const keychain = new Keychain(service);

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    return { ok: false, error: toErrorValue(e) };
  }
}

const results = {
  get: await outcome(() => keychain.getSecret('diyalog', 'probe-key')),
  set: await outcome(() => keychain.setSecret('icws', 'agent@probe.test', secret)),
  delete: await outcome(() => keychain.deleteSecret('diyalog', 'probe-key')),
};
process.stdout.write(JSON.stringify(results));
