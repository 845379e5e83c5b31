// The interaction picker's back end through the composition root: `interactions.list` and
// the `interactions.changed` event, over the same ICWS session as assistance, against the
// ICWS simulator. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventPayload } from '../../../shared/contract';
import { checkEvent, dispatch } from '../../../main/services/dispatch';
import { launchCompanion, type Launched } from '../../../main/services/launch';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { Keychain } from '../../../main/store/keychain';
import { waitUntil } from '../../support/wait';

const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let sim: IcwsSim;
let launched: Launched;
let dataDir: string;
const changes: EventPayload<'interactions.changed'>[] = [];

beforeAll(async () => {
  sim = await startIcwsSim({ supervisor: { acceptDelayMs: 20, reply: 'Geliyorum.' } });
  dataDir = await mkdtemp(join(tmpdir(), 'companion-interactions-'));
  const env = { COMPANION_ICWS_URL: sim.url, COMPANION_ICWS_USER: sim.user.userId, COMPANION_ICWS_PASSWORD: sim.user.password };
  launched = await launchCompanion({ dataDir, env, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
  launched.companion.subscribe((event, payload) => {
    // Through the same check both transports apply: a payload the contract refuses is dropped.
    if (event === 'interactions.changed') changes.push(checkEvent(event, payload) as EventPayload<'interactions.changed'>);
  });
});

afterAll(async () => {
  await launched?.stop();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(launched.companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

const waitFor = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> => waitUntil(what, probe);

const demoIds = () => [...sim.interactionIds, sim.scenarios.ignored, sim.scenarios.unanswered, sim.scenarios.notAcd];

describe('interactions.list and interactions.changed', () => {
  it('offers the agent\'s live interactions, and a picked one takes an assistance request', async () => {
    const list = await waitFor('the queue', async () => {
      const l = await call('interactions.list', {});
      return l.length === demoIds().length && l;
    });
    expect(list.map((i) => i.interactionId)).toEqual(demoIds());
    expect(list[0]).toMatchObject({ type: 'Call', state: 'connected', remoteName: 'Ayşe Yılmaz', workgroup: 'Bireysel Bankacılık' });
    expect(changes.at(-1)).toEqual(list);

    // Clicking instead of typing: the id from the list is what assistance.create takes.
    const picked = list.find((i) => i.workgroup !== '')!;
    const { assistanceId } = await call('assistance.create', { interactionId: picked.interactionId, text: 'Limit?' });
    await waitFor('the request', async () => (await call('assistance.list', {})).some((r) => r.assistanceId === assistanceId && r.interactionId === picked.interactionId));
  });

  it('pushes the whole list when an interaction comes, changes and goes', async () => {
    const before = changes.length;
    const id = sim.control.addInteraction(sim.user.userId, { state: 'alerting', remoteName: 'Yeni Müşteri' });
    await waitFor('added', () => changes.at(-1)?.some((i) => i.interactionId === id && i.state === 'alerting'));
    sim.control.setInteractionState(id, 'connected');
    await waitFor('changed', () => changes.at(-1)?.some((i) => i.interactionId === id && i.state === 'connected'));
    sim.control.removeInteraction(id);
    await waitFor('removed', () => changes.length > before + 2 && !changes.at(-1)?.some((i) => i.interactionId === id));
    expect((await call('interactions.list', {})).map((i) => i.interactionId)).toEqual(demoIds());
  });

  it('comes back after the session expired', async () => {
    sim.control.expireSession();
    const id = sim.control.addInteraction(sim.user.userId, { remoteName: 'Sonra Gelen' });
    await waitFor('the full list on the new session', async () => (await call('interactions.list', {})).some((i) => i.interactionId === id));
    // Leave the queue as the other tests expect it, whatever order they run in.
    sim.control.removeInteraction(id);
    await waitFor('removed', async () => !(await call('interactions.list', {})).some((i) => i.interactionId === id));
  });

  it('pushes an empty list when the session ends with the app', async () => {
    // An app of its own: stopping the shared one would leave the other tests nothing to ask.
    const own = await mkdtemp(join(tmpdir(), 'companion-interactions-stop-'));
    const env = { COMPANION_ICWS_URL: sim.url, COMPANION_ICWS_USER: sim.user.userId, COMPANION_ICWS_PASSWORD: sim.user.password };
    const app = await launchCompanion({ dataDir: own, env, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
    const seen: EventPayload<'interactions.changed'>[] = [];
    app.companion.subscribe((event, payload) => {
      if (event === 'interactions.changed') seen.push(checkEvent(event, payload) as EventPayload<'interactions.changed'>);
    });
    try {
      await waitFor('the first list', () => (seen.at(-1)?.length ?? 0) > 0);
    } finally {
      await app.stop();
      await rm(own, { recursive: true, force: true });
    }
    expect(seen.at(-1)).toEqual([]);
  });
});
