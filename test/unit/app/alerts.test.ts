// The shell's answer to a supervisor's message, decided without Electron.

import { describe, expect, it } from 'vitest';
import { onAlert, onFocus, onSupervisorAlert } from '../../../main/app/alerts';

const alert = { assistanceId: '1', interactionId: 'i-1', from: 'Selin Kaya', text: 'Geliyorum,\n  bir dakika.', at: '2026-12-01T10:00:00Z' };

describe('onAlert', () => {
  it('notifies, flashes and counts while the window is not focused, in the user\'s language', () => {
    const first = onAlert(alert, false, { unread: 0 }, 'tr');
    expect(first).toEqual({
      notification: { title: 'Selin Kaya yardım talebinize yazdı', body: 'Geliyorum, bir dakika.' },
      flash: true,
      badge: 1,
      next: { unread: 1 },
    });
    const second = onAlert(alert, false, first.next, 'en');
    expect(second.badge).toBe(2);
    expect(second.notification?.title).toBe('Selin Kaya wrote on your assistance request');
  });

  it('stays quiet while the user looks at the window, and focus clears the count', () => {
    expect(onAlert(alert, true, { unread: 3 }, 'en')).toMatchObject({ notification: null, flash: false, badge: 0, next: { unread: 0 } });
    expect(onFocus()).toMatchObject({ flash: false, badge: 0, next: { unread: 0 } });
  });

  it('keeps a long message to one short paragraph', () => {
    const long = onAlert({ ...alert, text: 'x'.repeat(1000) }, false, { unread: 0 }, 'en');
    expect(long.notification?.body).toHaveLength(200);
    expect(long.notification?.body.endsWith('…')).toBe(true);
  });
});

describe('onSupervisorAlert', () => {
  const request = { kind: 'request' as const, assistanceId: '7', interactionId: 'i-7', workgroup: 'Kredi Kartları', from: 'Deniz Yılmaz', text: 'Limit onayı?', at: '2026-12-01T10:00:00Z' };

  it('names who asks and their workgroup, or who wrote, in the user\'s language, and counts on from the agent side\'s alerts', () => {
    const first = onSupervisorAlert(request, false, { unread: 1 }, 'en');
    expect(first).toEqual({ notification: { title: 'Deniz Yılmaz asks for help (Kredi Kartları)', body: 'Limit onayı?' }, flash: true, badge: 2, next: { unread: 2 } });
    expect(onSupervisorAlert({ ...request, kind: 'message' }, false, first.next, 'tr').notification?.title).toBe('Deniz Yılmaz bir destek talebine yazdı');
  });

  it('stays quiet while the user looks at the window', () => {
    expect(onSupervisorAlert(request, true, { unread: 3 }, 'en')).toMatchObject({ notification: null, badge: 0, next: { unread: 0 } });
  });
});
