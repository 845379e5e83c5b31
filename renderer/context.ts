// The stores in the component context: main.ts mounts App with them, every view reads them.
import { getContext } from 'svelte';
import type { Stores } from './stores';

const KEY = Symbol('stores');

/** The `context` option of `mount()`. */
export function storesContext(stores: Stores): Map<unknown, unknown> {
  return new Map([[KEY, stores]]);
}

export function stores(): Stores {
  const found = getContext<Stores | undefined>(KEY);
  if (!found) throw new Error('No stores in the component context: main.ts mounts App with them.');
  return found;
}
