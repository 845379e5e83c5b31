// Node's fetch keeps no cookies, so the ICWS session cookie is carried by hand.

const SESSION_COOKIE_PREFIX = 'icws_';

/**
 * The Set-Cookie lines of a response. Node exposes them one by one; a fetch that only
 * offers the joined header (Electron's net.fetch may) is split on the commas that start
 * a new `name=` pair, so the comma inside an `Expires` date does not split.
 */
export function setCookieLines(headers: Headers): string[] {
  const lines = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  if (lines.length > 0) return lines;
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,(?=\s*[^;,=\s]+=)/).map((s) => s.trim()) : [];
}

/** The name=value pairs of the `icws_*` cookies a response sets; an expired one maps to null (drop it). */
export function sessionCookies(headers: Headers): Map<string, string | null> {
  const found = new Map<string, string | null>();
  for (const line of setCookieLines(headers)) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!name.toLowerCase().startsWith(SESSION_COOKIE_PREFIX)) continue;
    const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
    found.set(name, expired ? null : pair.slice(eq + 1).trim());
  }
  return found;
}

/** A small jar: merge what a response sets, render the Cookie header. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  update(headers: Headers): void {
    for (const [name, value] of sessionCookies(headers)) {
      if (value === null) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  clear(): void {
    this.#cookies.clear();
  }

  get size(): number {
    return this.#cookies.size;
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
