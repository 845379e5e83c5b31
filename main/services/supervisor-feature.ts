// The supervisor desk (issue 18): agents' assistance requests that reach this supervisor,
// and the board of the supervisor's agents. First the contract; the live desk follows.

import { AppError } from '../../shared/errors';
import type { SupervisorDesk } from '../../shared/supervisor';
import type { Feature, FeatureDeps } from './feature';

export type SupervisorCalls =
  | 'supervise.list'
  | 'supervise.accept'
  | 'supervise.ignore'
  | 'supervise.answer'
  | 'supervise.retry'
  | 'agents.list'
  | 'agents.interactions'
  | 'agents.closeInteractions';

const OFF: SupervisorDesk = { state: 'off', requests: [], stale: false, error: null };
const notYet = () => new AppError('feature_unsupported', 'The supervisor desk is not built yet.');

export function createSupervisorFeature(_deps: FeatureDeps): Feature<SupervisorCalls> {
  return {
    handlers: {
      'supervise.list': async () => OFF,
      'supervise.retry': async () => OFF,
      'supervise.accept': async () => Promise.reject(notYet()),
      'supervise.ignore': async () => Promise.reject(notYet()),
      'supervise.answer': async () => Promise.reject(notYet()),
      'agents.list': async () => ({ agents: [], error: null }),
      'agents.interactions': async ({ userId }) => ({ userId, interactions: [], error: null }),
      'agents.closeInteractions': async () => ({ ok: true }),
    },
  };
}
