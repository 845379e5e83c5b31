// app://companion/ serves the built renderer and nothing else on the disk: every way out of
// the folder is refused, in the text of the URL and again on the disk (links).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRendererRequest, CONTENT_SECURITY_POLICY, rendererPathFor, resolveRendererFile, type LoadFile } from '../../../main/app/renderer-files';

const ROOT = '/opt/companion/out/renderer';

describe('rendererPathFor (the text alone)', () => {
  it('maps our URLs to files under the renderer folder; / is index.html', () => {
    expect(rendererPathFor(ROOT, 'app://companion/')).toBe(`${ROOT}/index.html`);
    expect(rendererPathFor(ROOT, 'app://companion/index.html')).toBe(`${ROOT}/index.html`);
    expect(rendererPathFor(ROOT, 'app://companion/assets/index-abc.js?v=1#x')).toBe(`${ROOT}/assets/index-abc.js`);
    expect(rendererPathFor(ROOT, 'app://companion/assets/a%20b.css')).toBe(`${ROOT}/assets/a b.css`);
    expect(rendererPathFor(`${ROOT}/`, 'app://companion/index.html')).toBe(`${ROOT}/index.html`);
  });

  it.each([
    ['another host', 'app://evil/index.html'],
    ['a host that only starts like ours', 'app://companion.evil/index.html'],
    ['a port', 'app://companion:99/index.html'],
    ['credentials', 'app://u:p@companion/index.html'],
    ['another scheme', 'file:///opt/companion/out/renderer/index.html'],
    ['no URL at all', '../../etc/passwd'],
    ['a dot-dot hidden behind an encoded slash', 'app://companion/..%2f..%2f..%2fetc%2fpasswd'],
    ['an encoded slash', 'app://companion/assets%2findex.js'],
    ['an encoded dot-dot segment with an encoded slash', 'app://companion/%2e%2e%2f%2e%2e%2fetc/passwd'],
    ['a backslash', 'app://companion/..\\..\\etc\\passwd'],
    ['an encoded backslash', 'app://companion/..%5c..%5cetc%5cpasswd'],
    ['a NUL', 'app://companion/index.html%00.png'],
    ['a control character', 'app://companion/index%0a.html'],
    ['a Windows drive', 'app://companion/C:/Windows/win.ini'],
    ['an encoded drive', 'app://companion/C%3a%5cWindows%5cwin.ini'],
    ['an NTFS stream', 'app://companion/index.html::$DATA'],
    ['an absolute path in one segment', 'app://companion/%2fetc%2fpasswd'],
    ['a double slash', 'app://companion//etc/passwd'],
    ['a folder', 'app://companion/assets/'],
    ['malformed escapes', 'app://companion/%E0%A4%A'],
  ])('refuses %s', (_why, url) => {
    expect(rendererPathFor(ROOT, url)).toBeNull();
  });

  it('a dot-dot, literal or encoded as %2e, never reaches the resolver: the URL parser folds it inside the folder', () => {
    expect(rendererPathFor(ROOT, 'app://companion/assets/../../../etc/passwd')).toBe(`${ROOT}/etc/passwd`);
    expect(rendererPathFor(ROOT, 'app://companion/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).toBe(`${ROOT}/etc/passwd`);
    expect(rendererPathFor(ROOT, 'app://companion/%2E%2e/etc/passwd')).toBe(`${ROOT}/etc/passwd`);
    expect(rendererPathFor(ROOT, 'app://companion/%2e/index.html')).toBe(`${ROOT}/index.html`);
  });

  it('holds on Windows paths too', () => {
    const root = 'C:\\Program Files\\Agent Companion\\resources\\app.asar\\out\\renderer';
    expect(rendererPathFor(root, 'app://companion/assets/index.js', path.win32)).toBe(`${root}\\assets\\index.js`);
    for (const url of ['app://companion/..%5C..%5Cwin.ini', 'app://companion/D:%5Cx', 'app://companion/%5C%5Cserver%5Cshare%5Cx', 'app://companion/index.html::$DATA']) {
      expect(rendererPathFor(root, url, path.win32), url).toBeNull();
    }
  });
});

describe('resolveRendererFile and answerRendererRequest (on the disk)', () => {
  let base: string;
  let root: string;
  const load: LoadFile = async (file) => new Response(readFileSync(file), { headers: { 'Content-Type': 'text/plain' } });

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'companion-renderer-'));
    root = join(base, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'index.js'), 'export {};');
    writeFileSync(join(base, 'secret.txt'), 'outside');
    // A link inside the folder to a file outside it, and one to a file inside it.
    symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'leak.js'));
    symlinkSync(join(base), join(root, 'up'));
    symlinkSync(join(root, 'index.html'), join(root, 'assets', 'home.html'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('finds the real file of a URL inside the folder', async () => {
    expect(await resolveRendererFile(root, 'app://companion/')).toBe(join(root, 'index.html'));
    expect(await resolveRendererFile(root, 'app://companion/assets/index.js')).toBe(join(root, 'assets', 'index.js'));
    // A link that stays inside is followed to its real file.
    expect(await resolveRendererFile(root, 'app://companion/assets/home.html')).toBe(join(root, 'index.html'));
  });

  it('refuses a link out of the folder, a missing file, a folder and a refused path', async () => {
    expect(await resolveRendererFile(root, 'app://companion/assets/leak.js')).toBeNull();
    expect(await resolveRendererFile(root, 'app://companion/up/secret.txt')).toBeNull();
    expect(await resolveRendererFile(root, 'app://companion/missing.js')).toBeNull();
    expect(await resolveRendererFile(root, 'app://companion/assets')).toBeNull();
    expect(await resolveRendererFile(root, 'app://companion/..%2fsecret.txt')).toBeNull();
  });

  it('answers a file with the CSP and nosniff, and anything else with 404', async () => {
    const ok = await answerRendererRequest(root, { url: 'app://companion/index.html', method: 'GET' }, load);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('<!doctype html>');
    expect(ok.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(ok.headers.get('Content-Type')).toBe('text/plain');
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/frame-ancestors 'none'/);

    for (const url of ['app://companion/assets/leak.js', 'app://evil/index.html', 'app://companion/%2e%2e/secret.txt', 'app://companion/..%5csecret.txt']) {
      const refused = await answerRendererRequest(root, { url, method: 'GET' }, load);
      expect(refused.status, url).toBe(404);
      expect(await refused.text()).toBe('Not found');
    }
  });

  it('HEAD has no body; other methods are refused; a file that cannot be read is 404', async () => {
    const head = await answerRendererRequest(root, { url: 'app://companion/index.html', method: 'HEAD' }, load);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await answerRendererRequest(root, { url: 'app://companion/index.html', method: 'POST' }, load);
    expect(post.status).toBe(405);
    const broken = await answerRendererRequest(root, { url: 'app://companion/index.html', method: 'GET' }, () => Promise.reject(new Error('EIO')));
    expect(broken.status).toBe(404);
  });
});
