// Where the focus goes when a dialog closes (WAI-ARIA dialog pattern): back to the control
// that opened it, or, when that control is gone, disabled or hidden (a force-end ends the
// session, so the row's Force-end button goes), to a fallback the dialog's caller names. Never
// to <body>, where a keyboard or screen-reader user starts again from the top of the page.

/** How long after closing a dialog its opener is watched: the action it confirmed may remove or disable it. */
const WATCH_MS = 10_000;

export type FocusTarget = () => HTMLElement | null | undefined;

function canTakeFocus(element: HTMLElement): boolean {
  if (!element.isConnected || element.closest('[inert]')) return false;
  if ((element as HTMLButtonElement).disabled) return false;
  // Not rendered (display: none, or a hidden ancestor): focus() would do nothing.
  return element.getClientRects().length > 0;
}

function focusOn(target: HTMLElement): boolean {
  // A heading or a list named as a fallback takes the focus without joining the tab order.
  if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus();
  return document.activeElement === target;
}

/** What had the focus when a dialog opened, and the heading of the screen it was on (the last resort). */
export function rememberOpener(): { opener: HTMLElement | null; screenHeading: HTMLElement | null } {
  const active = document.activeElement;
  const opener = active instanceof HTMLElement && active !== document.body ? active : null;
  const screen = opener?.closest('[role="tabpanel"], section, main') ?? document.querySelector('main');
  return { opener, screenHeading: screen?.querySelector<HTMLElement>('h1') ?? document.querySelector<HTMLElement>('h1') };
}

/**
 * Gives the focus back to `opener` if it can take it, else to `fallback()`, else to the screen's
 * heading. Then watches the opener for a while: if it disappears or is disabled while it still
 * has the focus (the row it was in went away once the action ran), the focus moves on to the
 * fallback then rather than dropping to <body>.
 */
export function restoreFocus(opener: HTMLElement | null, fallback: FocusTarget | undefined, screenHeading: HTMLElement | null): void {
  const toFallback = (again = true) => {
    const named = fallback?.();
    if (named?.isConnected && focusOn(named)) return;
    // The fallback may be what the same update is still drawing (a card moving to Completed): once more after it.
    if (fallback && again) {
      setTimeout(() => toFallback(false), 0);
      return;
    }
    for (const candidate of [screenHeading, document.querySelector<HTMLElement>('main h1')]) {
      if (candidate?.isConnected && focusOn(candidate)) return;
    }
  };
  if (!opener || !canTakeFocus(opener) || !focusOn(opener)) {
    toFallback();
    return;
  }
  watchOpener(opener, toFallback);
}

function watchOpener(opener: HTMLElement, toFallback: () => void): void {
  const check = () => {
    const active = document.activeElement;
    // The user moved on: where the focus is now is theirs.
    if (active !== opener && active !== document.body && active !== null) stop();
    else if (!canTakeFocus(opener)) {
      stop();
      toFallback();
    }
  };
  const observer = new MutationObserver(check);
  const onFocusIn = (event: FocusEvent) => {
    if (event.target !== opener) stop();
  };
  const timer = setTimeout(() => stop(), WATCH_MS);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
    document.removeEventListener('focusin', onFocusIn, true);
    document.removeEventListener('pointerdown', stop, true);
  }
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'inert'] });
  document.addEventListener('focusin', onFocusIn, true);
  document.addEventListener('pointerdown', stop, true);
}

/**
 * After a screen sent the user to another section (Agents → History): the focus goes to that
 * section's heading, so the keyboard and a screen reader start there rather than on a button
 * now hidden. The section may be drawn for the first time (its code is loaded on the first
 * visit): a few frames are waited for, then it gives up and leaves the focus where it was.
 */
export function focusHeadingOf(tab: string, frames = 60): void {
  const heading = document.querySelector<HTMLElement>(`#panel-${CSS.escape(tab)}:not([hidden]) h1`);
  if (heading) focusOn(heading);
  else if (frames > 0) requestAnimationFrame(() => focusHeadingOf(tab, frames - 1));
}
