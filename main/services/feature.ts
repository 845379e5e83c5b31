import type { CallName } from '../../shared/contract';
import type { EventSink, Handlers } from './dispatch';
import type { ServiceContext } from './context';

/**
 * One feature of the app: the contract calls it answers, and what it must do on the way
 * out. The assembling file (companion.ts) only puts features together, so a new call is
 * added in its feature's module and nowhere else.
 */
export interface Feature<N extends CallName> {
  handlers: Pick<Handlers, N>;
  stop?(): Promise<void> | void;
}

/** What every feature is built from. */
export interface FeatureDeps {
  ctx: ServiceContext;
  emit: EventSink;
}
