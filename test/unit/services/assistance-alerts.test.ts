// Which assistance messages deserve an alert: new, and not the agent's own.

import { describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import { AssistanceAlerts } from '../../../main/services/assistance-alerts';

const agent = 'ayse.yilmaz';
const supervisor = { userId: 'selin.kaya', displayName: 'Selin Kaya', action: 'accepted' as const };

function request(id: string, messages: [from: string, text: string, at: string][]): AssistanceRequest {
  return {
    assistanceId: id,
    interactionId: `i-${id}`,
    state: 'accepted',
    participants: [{ userId: agent, displayName: 'Ayşe Yılmaz', action: 'initiated' }, supervisor],
    messages: messages.map(([participantId, text, timeAdded]) => ({ participantId, text, timeAdded })),
  };
}

describe('AssistanceAlerts', () => {
  it('announces nothing for the first list, then each new message from someone else once', () => {
    const alerts = new AssistanceAlerts(() => agent);
    expect(alerts.next([request('1', [[agent, 'Help?', '2026-12-01T10:00:00Z'], [supervisor.userId, 'Old reply', '2026-12-01T10:01:00Z']])])).toEqual([]);
    const next = [request('1', [[agent, 'Help?', '2026-12-01T10:00:00Z'], [supervisor.userId, 'Old reply', '2026-12-01T10:01:00Z'], [supervisor.userId, 'Geliyorum', '2026-12-01T10:02:00Z']])];
    expect(alerts.next(next)).toEqual([{ assistanceId: '1', interactionId: 'i-1', from: 'Selin Kaya', text: 'Geliyorum', at: '2026-12-01T10:02:00Z' }]);
    expect(alerts.next(next)).toEqual([]);
  });

  it("never alerts on the agent's own messages, and tells repeated texts apart", () => {
    const alerts = new AssistanceAlerts(() => agent);
    alerts.next([]);
    expect(alerts.next([request('2', [[agent, 'Hello', '2026-12-01T10:00:00Z']])])).toEqual([]);
    const once = [request('2', [[agent, 'Hello', '2026-12-01T10:00:00Z'], ['someone', 'Tamam', '2026-12-01T10:01:00Z']])];
    expect(alerts.next(once)).toHaveLength(1);
    const twice = [request('2', [[agent, 'Hello', '2026-12-01T10:00:00Z'], ['someone', 'Tamam', '2026-12-01T10:01:00Z'], ['someone', 'Tamam', '2026-12-01T10:01:00Z']])];
    expect(alerts.next(twice)).toEqual([{ assistanceId: '2', interactionId: 'i-2', from: 'someone', text: 'Tamam', at: '2026-12-01T10:01:00Z' }]);
  });

  it('starts afresh after a reset (a new account)', () => {
    const alerts = new AssistanceAlerts(() => agent);
    alerts.next([]);
    alerts.reset();
    expect(alerts.next([request('3', [[supervisor.userId, 'Hi', '2026-12-01T10:00:00Z']])])).toEqual([]);
  });
});
