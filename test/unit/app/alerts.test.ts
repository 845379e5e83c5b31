// The shell's answer to a supervisor's message, decided without Electron.

import { describe, expect, it } from 'vitest';
import { onAlert, onFocus } from '../../../main/app/alerts';

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
