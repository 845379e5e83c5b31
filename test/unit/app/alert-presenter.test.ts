// What the shell does with a supervisor's message, carried out on a fake window and desk.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { bringToFront, followAlerts, type AlertDesk, type AttentionWindow } from '../../../main/app/alert-presenter';
import type { EventSink } from '../../../main/services/dispatch';

class FakeWindow extends EventEmitter {
  focused = false;
  minimized = false;
  destroyed = false;
  flashFrame = vi.fn();
  isFocused = () => this.focused;
  isMinimized = () => this.minimized;
  isDestroyed = () => this.destroyed;
  restore = vi.fn(() => {
    this.minimized = false;
  });
  focus = vi.fn(() => {
    this.focused = true;
    this.emit('focus');
  });
}

function setup() {
  const window = new FakeWindow();
  let sink: EventSink | undefined;
  const unsubscribe = vi.fn();
  const companion = {
    subscribe: (s: EventSink) => {
      sink = s;
      return unsubscribe;
    },
    language: () => 'en' as const,
  };
  const clicks: (() => void)[] = [];
  const desk = { notify: vi.fn((_n: { title: string; body: string }, onClick: () => void) => clicks.push(onClick)), setBadge: vi.fn() } satisfies AlertDesk;
  const stop = followAlerts(window as unknown as AttentionWindow, companion, desk);
  const alert = (text: string) => sink?.('assistance.alert', { assistanceId: '1', interactionId: 'i-1', from: 'Selin Kaya', text, at: '2026-12-01T10:00:00Z' });
  return { window, desk, clicks, alert, stop, unsubscribe, emit: (...args: Parameters<EventSink>) => sink?.(...args) };
}

describe('followAlerts', () => {
  it('while the window is elsewhere: notifies, flashes and counts; a click brings the window back and clears it all', () => {
    const { window, desk, clicks, alert } = setup();
    window.minimized = true;
    alert('Geliyorum');
    alert('Bir dakika');
    expect(desk.notify).toHaveBeenCalledTimes(2);
    expect(desk.notify.mock.calls[0]?.[0]).toEqual({ title: 'Selin Kaya wrote on your assistance request', body: 'Geliyorum' });
    expect(window.flashFrame).toHaveBeenLastCalledWith(true);
    expect(desk.setBadge).toHaveBeenLastCalledWith(2);

    clicks[0]?.();
    expect(window.restore).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(window.flashFrame).toHaveBeenLastCalledWith(false);
    expect(desk.setBadge).toHaveBeenLastCalledWith(0);
  });

  it('stays quiet while the user looks at the window, and ignores other events and a closed window', () => {
    const { window, desk, alert, emit } = setup();
    window.focused = true;
    alert('Geliyorum');
    expect(desk.notify).not.toHaveBeenCalled();
    expect(desk.setBadge).toHaveBeenLastCalledWith(0);
    emit('status.changed', {} as never);
    window.focused = false;
    window.destroyed = true;
    alert('Geliyorum');
    expect(desk.notify).not.toHaveBeenCalled();
  });

  it('the supervisor desk\'s alerts notify too, on the same count', () => {
    const { window, desk, alert, emit } = setup();
    alert('Geliyorum');
    emit('supervise.alert', { kind: 'request', assistanceId: '2', interactionId: 'i-2', workgroup: 'Kredi Kartları', from: 'Deniz Yılmaz', text: 'Limit onayı?', at: '2026-12-01T10:00:00Z' });
    expect(desk.notify.mock.calls[1]?.[0]).toEqual({ title: 'Deniz Yılmaz asks for help (Kredi Kartları)', body: 'Limit onayı?' });
    expect(desk.setBadge).toHaveBeenLastCalledWith(2);
    window.focused = true;
    window.emit('focus');
    expect(desk.setBadge).toHaveBeenLastCalledWith(0);
  });

  it('returns the unsubscribe', () => {
    const { stop, unsubscribe } = setup();
    stop();
    expect(unsubscribe).toHaveBeenCalled();
  });
});

describe('bringToFront', () => {
  it('restores a minimized window before focusing it, and only focuses one that is not', () => {
    const window = new FakeWindow();
    bringToFront(window);
    expect(window.restore).not.toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalledTimes(1);
    window.minimized = true;
    bringToFront(window);
    expect(window.restore).toHaveBeenCalledTimes(1);
  });
});
