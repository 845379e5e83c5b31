// The one teardown helper (shared/disposables.ts): what the ICWS clients, the services and
// the renderer's stores rely on when they stop.

import { describe, expect, it } from 'vitest';
import { Disposables } from '../../shared/disposables';

describe('Disposables', () => {
  it('runs each teardown once on dispose, the newest first', () => {
    const ran: string[] = [];
    const d = new Disposables();
    d.add(() => ran.push('first'));
    d.add(() => ran.push('second'));
    d.addAll(
      () => ran.push('third'),
      () => ran.push('fourth'),
    );
    expect(ran).toEqual([]);
    expect(d.disposed).toBe(false);
    d.dispose();
    expect(ran).toEqual(['fourth', 'third', 'second', 'first']);
    expect(d.disposed).toBe(true);
  });

  it('runs nothing twice when disposed twice', () => {
    let runs = 0;
    const d = new Disposables();
    d.add(() => runs++);
    d.dispose();
    d.dispose();
    expect(runs).toBe(1);
  });

  it('runs a teardown added after dispose at once, and only then', () => {
    const ran: string[] = [];
    const d = new Disposables();
    d.dispose();
    d.add(() => ran.push('late'));
    expect(ran).toEqual(['late']);
    d.dispose();
    expect(ran).toEqual(['late']);
  });

  it('returns what it was given, so a listener can be kept and registered in one line', () => {
    const d = new Disposables();
    const off = () => {};
    const thing = { dispose: () => {} };
    expect(d.add(off)).toBe(off);
    expect(d.add(thing)).toBe(thing);
  });

  it('takes both an unsubscribe function and a thing with dispose()', () => {
    const ran: string[] = [];
    const d = new Disposables();
    d.add(() => ran.push('function'));
    d.add({ dispose: () => ran.push('object') });
    d.dispose();
    expect(ran).toEqual(['object', 'function']);

    // Both forms also run at once after dispose.
    d.add({ dispose: () => ran.push('late object') });
    d.add(() => ran.push('late function'));
    expect(ran).toEqual(['object', 'function', 'late object', 'late function']);
  });

  it('runs every teardown when some throw, then rethrows the first error', () => {
    const ran: string[] = [];
    const first = new Error('first failure');
    const second = new Error('second failure');
    const d = new Disposables();
    d.add(() => ran.push('oldest'));
    d.add(() => {
      ran.push('throws second');
      throw second;
    });
    d.add({
      dispose: () => {
        ran.push('throws first');
        throw first;
      },
    });
    d.add(() => ran.push('newest'));
    let thrown: unknown;
    try {
      d.dispose();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(first);
    expect(ran).toEqual(['newest', 'throws first', 'throws second', 'oldest']);
    expect(d.disposed).toBe(true);
    // Nothing is left to run again, and a second dispose does not throw.
    expect(() => d.dispose()).not.toThrow();
    expect(ran).toHaveLength(4);
  });

  it('throws at once from a teardown added after dispose', () => {
    const d = new Disposables();
    d.dispose();
    expect(() =>
      d.add(() => {
        throw new Error('late failure');
      }),
    ).toThrow('late failure');
  });
});
