// Issue 9: the browser host's token leaves the address bar once the page has read it.
import { describe, expect, it } from 'vitest';
import { takeLaunchToken, type TokenPage } from '../../../renderer/ws-transport';

/** A page as the browser gives it: an address, a history whose entry can be replaced, this tab's storage. */
function page(href: string, storage = new Map<string, string>(), storageWorks = true) {
  const replaced: string[] = [];
  const fake: TokenPage & { href: string } = {
    href,
    location: {
      get href() {
        return fake.href;
      },
    },
    history: {
      state: { kept: true },
      replaceState(_state: unknown, _unused: string, url?: string | URL | null) {
        replaced.push(String(url));
        fake.href = new URL(String(url), fake.href).href;
      },
    },
    sessionStorage: {
      getItem: (key: string) => {
        if (!storageWorks) throw new Error('SecurityError');
        return storage.get(key) ?? null;
      },
      setItem: (key: string, value: string) => {
        if (!storageWorks) throw new Error('SecurityError');
        storage.set(key, value);
      },
    },
  };
  return { fake, replaced, storage };
}

const TOKEN = 'tok_-0123456789abcdefXYZ';

describe('takeLaunchToken', () => {
  it('connects with the token but leaves an address bar without it', () => {
    const { fake, replaced } = page(`http://127.0.0.1:4173/?token=${TOKEN}`);
    const connectWith = takeLaunchToken(fake);
    expect(new URL(connectWith).searchParams.get('token')).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
    expect(fake.href).toBe('http://127.0.0.1:4173/');
    expect(fake.href).not.toContain(TOKEN);
  });

  it('keeps every other part of the address', () => {
    const { fake, replaced } = page(`http://127.0.0.1:4173/index.html?lang=tr&token=${encodeURIComponent(TOKEN)}#/history`);
    takeLaunchToken(fake);
    expect(replaced).toEqual(['/index.html?lang=tr#/history']);
  });

  it('a reload of the cleaned address still connects, from this tab’s storage', () => {
    const storage = new Map<string, string>();
    const first = page(`http://127.0.0.1:4173/?token=${TOKEN}`, storage);
    takeLaunchToken(first.fake);
    const reloaded = page(first.fake.href, storage);
    const connectWith = takeLaunchToken(reloaded.fake);
    expect(new URL(connectWith).searchParams.get('token')).toBe(TOKEN);
    expect(reloaded.replaced).toEqual([]);
  });

  it('a page opened without a token and nothing kept connects without one (and says so later)', () => {
    const { fake, replaced } = page('http://127.0.0.1:4173/');
    expect(new URL(takeLaunchToken(fake)).searchParams.has('token')).toBe(false);
    expect(replaced).toEqual([]);
  });

  it('still cleans the address bar when storage is switched off', () => {
    const { fake, replaced } = page(`http://127.0.0.1:4173/?token=${TOKEN}`, new Map(), false);
    expect(new URL(takeLaunchToken(fake)).searchParams.get('token')).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
  });
});
