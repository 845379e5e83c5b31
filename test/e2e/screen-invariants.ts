// What every screen must hold for a person to use it, checked on the live page: nothing they
// should read or press has no size or is cut off by its box, no two controls lie on each
// other, and a message that asks them to do something has a control on the same screen that
// does it. `inspectScreen` runs inside the page (Playwright serialises it), so it is written
// against the DOM alone and returns findings as readable lines.

/** A message that asks the user to act, and the control that must be on screen for it. */
export interface AskRule {
  /** What the message says (its own text, case-insensitive). */
  says: string;
  /** The accessible name (text or aria-label) of a visible, enabled control that does it. */
  control: string;
}

/**
 * The asks of both catalogues (shared/i18n): where the window tells the user to act, the
 * control that acts. A new kind of ask belongs here with its control.
 */
export const ASKS: readonly AskRule[] = [
  { says: '\\blog in again\\b', control: '^log in again$' },
  { says: 'yeniden oturum aç', control: '^yeniden oturum aç$' },
  { says: '\\bin settings\\b|\\bunder advanced settings\\b', control: '^settings\\b' },
  { says: 'ayarlar’da', control: '^ayarlar\\b' },
  { says: '\\bset (them|your servers) up\\b', control: '^set up real servers$' },
  { says: '\\btry again\\b', control: '^(try again|retry|search|find)\\b' },
  { says: 'yeniden deneyin', control: '^(yeniden dene|ara|bul)\\b' },
  { says: 'yeniden dene’ye bas', control: '^yeniden dene$' },
];

/** Runs in the page. Findings on what is shown now (hidden tab panels, closed details and visually hidden text are not shown). */
export function inspectScreen(asks: readonly AskRule[]): string[] {
  const findings: string[] = [];
  /** What a screen reader calls it: its aria-label, else its text without what is aria-hidden (a shortcut hint, say). */
  const accessibleText = (el: Element): string => {
    const label = el.getAttribute('aria-label');
    if (label !== null) return label.replace(/\s+/g, ' ').trim();
    const parts: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest('[aria-hidden="true"]')) parts.push(n.textContent ?? '');
    return parts.join(' ').replace(/\s+/g, ' ').trim();
  };
  const name = (el: Element) => {
    const text = accessibleText(el);
    const id = el.id ? `#${el.id}` : '';
    const testId = el.getAttribute('data-testid');
    return `<${el.tagName.toLowerCase()}${id}${testId ? ` data-testid=${testId}` : ''}> "${text.slice(0, 60)}"`;
  };
  const hiddenOnPurpose = (el: Element) => el.closest('.visually-hidden, [aria-hidden="true"]') !== null;
  const shown = (el: Element) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !hiddenOnPurpose(el);
  const ownText = (el: Element) =>
    [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent ?? '')
      .join('')
      .trim();

  const controls = [...document.querySelectorAll('button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="tab"]')].filter(shown);
  const texts = [...document.body.querySelectorAll('*')].filter((el) => ownText(el) !== '' && !['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName) && shown(el));

  // 1. Nothing to read or press has no size.
  for (const el of new Set([...controls, ...texts])) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) findings.push(`no size (${Math.round(r.width)}×${Math.round(r.height)}): ${name(el)}`);
  }

  // 2. Nothing is cut off by its own box or by an ancestor that hides what overflows. An
  //    ellipsis is a choice only where the whole text is a hover away (a title).
  const clips = (el: Element) => {
    const s = getComputedStyle(el);
    return ['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY);
  };
  for (const el of texts) {
    const s = getComputedStyle(el);
    const ellipsisWithTitle = s.textOverflow === 'ellipsis' && el.closest('[title]') !== null;
    if (clips(el) && !ellipsisWithTitle && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
      findings.push(`cut off by its box (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}): ${name(el)}`);
      continue;
    }
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (!clips(a)) continue;
      const box = a.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        if (!(getComputedStyle(a).textOverflow === 'ellipsis' && a.closest('[title]'))) findings.push(`cut off by ${name(a).split('"')[0]}: ${name(el)}`);
        break;
      }
    }
  }

  // 3. No two controls lie on each other (one inside the other, a label around its input, is
  //    fine; so is content passing under a bar that stays put, such as the status bar, since
  //    the page scrolls it out from under).
  const pinned = (el: Element): Element | null => {
    for (let a: Element | null = el; a; a = a.parentElement) if (['sticky', 'fixed'].includes(getComputedStyle(a).position)) return a;
    return null;
  };
  for (let i = 0; i < controls.length; i++) {
    const a = controls[i]!;
    const ra = a.getBoundingClientRect();
    for (let j = i + 1; j < controls.length; j++) {
      const b = controls[j]!;
      if (a.contains(b) || b.contains(a)) continue;
      if (pinned(a) !== pinned(b)) continue;
      const rb = b.getBoundingClientRect();
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) findings.push(`overlap ${Math.round(w)}×${Math.round(h)}: ${name(a)} and ${name(b)}`);
    }
  }

  // 4. A message that asks the user to act has a control that does it on the same screen.
  const enabled = controls.filter((c) => !(c as HTMLButtonElement).disabled);
  const controlNames = enabled.map((c) => accessibleText(c).toLowerCase());
  for (const ask of asks) {
    const says = new RegExp(ask.says, 'i');
    const control = new RegExp(ask.control, 'i');
    const asking = texts.filter((el) => says.test(el.textContent ?? '') && !controls.some((c) => c === el || c.contains(el)));
    if (asking.length > 0 && !controlNames.some((n) => control.test(n))) {
      findings.push(`asks "${ask.says}" with no control /${ask.control}/ on screen: ${name(asking[0]!)}`);
    }
  }
  return findings;
}
