// The gate the ICWS list clients' `whenSynced` waits on: at once when the condition holds,
// else at the first check that finds it so; a caller's own signal ends only its own wait.

import { describe, expect, it } from 'vitest';
import { SyncGate } from '../../../main/icws/listeners';

describe('SyncGate', () => {
  it('resolves at once when the condition holds, else at the first check that finds it', async () => {
    let holds = true;
    const gate = new SyncGate(() => holds);
    await gate.wait();
    holds = false;
    let released = 0;
    const waits = [gate.wait().then(() => released++), gate.wait().then(() => released++)];
    gate.check();
    await Promise.resolve();
    expect(released).toBe(0);
    holds = true;
    gate.check();
    await Promise.all(waits);
    expect(released).toBe(2);
  });

  it("a caller's signal ends its own wait with the signal's reason; the others still wait", async () => {
    let holds = false;
    const gate = new SyncGate(() => holds);
    const giveUp = new AbortController();
    const mine = gate.wait(giveUp.signal);
    const other = gate.wait();
    giveUp.abort(new Error('gave up'));
    await expect(mine).rejects.toThrow('gave up');
    await expect(gate.wait(AbortSignal.abort())).rejects.toBeDefined();
    holds = true;
    gate.check();
    await expect(other).resolves.toBeUndefined();
  });
});
