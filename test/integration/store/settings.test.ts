import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { shouldStartDemo } from '../../../main/services/demo';
import { STALE_TEMP_MS, SettingsStore } from '../../../main/store/settings';
import { rejection } from '../../support/rejection';

// A fixed instant: names the corrupt copy and dates stray temps without sleeping.
const NOW = Date.UTC(2025, 2, 9, 13, 28, 32, 123);
const clock = () => NOW;
// Above every platform's pid limit yet a valid int32, so no process can have it.
const DEAD_PID = 2_147_483_646;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-settings-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadedStore(): Promise<SettingsStore> {
  const store = new SettingsStore(dir, { clock });
  await store.load();
  return store;
}


const tempsIn = async (d: string) => (await readdir(d)).filter((n) => n.includes('.tmp-'));

describe('SettingsStore: load and save', () => {
  it('gives the defaults when there is no file, and creates none', async () => {
    const store = new SettingsStore(dir, { clock });
    const result = await store.load();
    expect(result).toEqual({ settings: DEFAULT_SETTINGS, hadServers: false });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.file).toBe(join(dir, 'settings.json'));
    expect(await readdir(dir)).toEqual([]);
    expect(DEFAULT_SETTINGS.diyalog.signatureAlgorithm).toBe('sha256');
    expect(DEFAULT_SETTINGS.icws.applicationName).toBe('Agent Companion');
  });

  it('refuses to be used before load', async () => {
    const store = new SettingsStore(dir, { clock });
    expect(() => store.get()).toThrow(AppError);
    expect((await rejection(store.update({ staffId: 'S1' }))).code).toBe('internal');
  });

  it('round-trips every field through the file, creating a missing data dir', async () => {
    const nested = join(dir, 'a', 'b');
    const store = new SettingsStore(nested, { clock });
    await store.load();
    const saved = await store.update({
      diyalog: {
        baseUrl: 'https://diyalog.bank.example/api',
        keyId: 'KEY-1',
        signatureAlgorithm: 'sha1',
        transcriptHosts: ['Transcripts.Bank.Example'],
        historyAgentField: 'agentUserId',
        learnedSigning: { origin: 'https://diyalog.bank.example', form: 'pseudocode', algorithm: 'sha1' },
      },
      staffId: ' 12345 ',
      icws: { baseUrl: 'http://10.0.0.5:8018', userId: 'agent7', applicationName: 'Companion (test)', supervisorAssistanceActionPath: ' /interactions/supervisor-assistance/{assistanceId}/action ' },
      allowInsecureHttp: true,
      role: 'supervisor',
      theme: 'dark',
      alertSound: true,
      language: 'tr',
      watchList: ['C1', 'C2', 'C1'],
      supervisor: { agents: ['agent.one', 'agent.two', 'agent.one'] },
      window: { width: 1200, height: 800, x: -1600, y: 10, maximized: false },
      audit: { forward: { url: ' syslog+tls://SIEM.bank.local:6514 ' } },
      tls: { caFile: ' /etc/ssl/bank-ca.pem ' },
    });
    const expected = {
      diyalog: {
        baseUrl: 'https://diyalog.bank.example/api',
        keyId: 'KEY-1',
        signatureAlgorithm: 'sha1',
        transcriptHosts: ['transcripts.bank.example'],
        historyAgentField: 'agentUserId',
        learnedSigning: { origin: 'https://diyalog.bank.example', form: 'pseudocode', algorithm: 'sha1' },
      },
      staffId: '12345',
      icws: { baseUrl: 'http://10.0.0.5:8018', userId: 'agent7', applicationName: 'Companion (test)', supervisorAssistanceActionPath: '/interactions/supervisor-assistance/{assistanceId}/action' },
      allowInsecureHttp: true,
      role: 'supervisor',
      theme: 'dark',
      alertSound: true,
      language: 'tr',
      watchList: ['C1', 'C2'],
      supervisor: { agents: ['agent.one', 'agent.two'] },
      window: { width: 1200, height: 800, x: -1600, y: 10, maximized: false },
      audit: { forward: { url: 'syslog+tls://SIEM.bank.local:6514' } },
      tls: { caFile: '/etc/ssl/bank-ca.pem' },
    };
    expect(saved).toEqual(expected);
    expect(store.get()).toEqual(expected);
    expect(JSON.parse(await readFile(store.file, 'utf8'))).toEqual(expected);

    const again = new SettingsStore(nested, { clock });
    expect(await again.load()).toEqual({ settings: expected, hadServers: true });
  });

  it('merges nested objects field by field, replaces arrays, and clears with null', async () => {
    const store = await loadedStore();
    await store.update({ diyalog: { keyId: 'K1' }, staffId: 'S1', watchList: ['A', 'B'], window: { width: 900, height: 700 } });
    await store.update({ diyalog: { baseUrl: 'https://d.example' }, watchList: ['C'], window: { maximized: true } });
    expect(store.get().diyalog).toEqual({ ...DEFAULT_SETTINGS.diyalog, keyId: 'K1', baseUrl: 'https://d.example' });
    expect(store.get().watchList).toEqual(['C']);
    expect(store.get().window).toEqual({ width: 900, height: 700, maximized: true });

    // undefined means "leave as is" (Electron's structured clone keeps such keys).
    await store.update({ diyalog: { keyId: null, baseUrl: undefined }, staffId: undefined, window: null });
    const now = store.get();
    expect(now.diyalog.keyId).toBeNull();
    expect(now.diyalog.baseUrl).toBe('https://d.example');
    expect(now.staffId).toBe('S1');
    expect(now.window).toBeUndefined();
    expect(JSON.parse(await readFile(store.file, 'utf8'))).not.toHaveProperty('window');
  });

  it('accepts a file saved with a byte-order mark', async () => {
    await writeFile(join(dir, 'settings.json'), `\uFEFF${JSON.stringify({ staffId: 'S9' })}`);
    const result = await new SettingsStore(dir, { clock }).load();
    expect(result.recovered).toBeUndefined();
    expect(result.settings.staffId).toBe('S9');
  });

  it('keeps unknown top-level keys on save (a newer build wrote them) but never shows them', async () => {
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify({ staffId: 'S1', futureSection: { dark: true }, diyalog: { keyId: 'K', futureFlag: 1 } }));
    const store = await loadedStore();
    expect(store.get()).not.toHaveProperty('futureSection');
    await store.update({ language: 'en' });
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.futureSection).toEqual({ dark: true });
    expect(written.staffId).toBe('S1');
    expect(written.language).toBe('en');
    // Nested unknown keys are not kept: only whole top-level sections are someone else's.
    expect(written.diyalog).toEqual({ ...DEFAULT_SETTINGS.diyalog, keyId: 'K' });
  });

  it.skipIf(process.platform === 'win32')('writes the file with mode 0600, even over a wider existing file', async () => {
    const file = join(dir, 'settings.json');
    await writeFile(file, '{}');
    await chmod(file, 0o644);
    const store = await loadedStore();
    await store.update({ staffId: 'S1' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('SettingsStore: patch validation', () => {
  const SECRET = 's3cr3t-value-never-logged';
  const badPatches: Array<[string, unknown]> = [
    ['a non-URL base URL', { diyalog: { baseUrl: 'not a url' } }],
    ['a non-http scheme', { icws: { baseUrl: 'ftp://icws.example' } }],
    ['credentials in a URL', { diyalog: { baseUrl: `https://user:${SECRET}@diyalog.example` } }],
    ['a query in a base URL', { diyalog: { baseUrl: 'https://diyalog.example/?x=1' } }],
    ['an empty id', { diyalog: { keyId: '  ' } }],
    ['an id with a control character', { staffId: 'S1\nx-evil: 1' }],
    ['an id that is too long', { staffId: 'x'.repeat(65) }],
    ['a bad id in the watch list', { watchList: ['C1', ''] }],
    ['too long a watch list', { watchList: Array.from({ length: 201 }, (_, i) => `C${i}`) }],
    ['a bad id among the supervisor\'s agents', { supervisor: { agents: ['agent.one', 'a\tb'] } }],
    ['too many supervisor\'s agents', { supervisor: { agents: Array.from({ length: 201 }, (_, i) => `A${i}`) } }],
    ['an action path without {assistanceId}', { icws: { supervisorAssistanceActionPath: 'interactions/supervisor-assistance' } }],
    ['an action path with {assistanceId} twice', { icws: { supervisorAssistanceActionPath: '{assistanceId}/{assistanceId}' } }],
    ['an action path that climbs out', { icws: { supervisorAssistanceActionPath: '../connection/{assistanceId}' } }],
    ['an action path that is a URL', { icws: { supervisorAssistanceActionPath: 'https://elsewhere.example/{assistanceId}' } }],
    ['a relative CA file', { tls: { caFile: 'certs/bank-ca.pem' } }],
    ['a CA file with a control character', { tls: { caFile: '/etc/ssl/bank\u0000.pem' } }],
    ['an action path with a query', { icws: { supervisorAssistanceActionPath: 'x/{assistanceId}?y=1' } }],
    ['an action path with another placeholder', { icws: { supervisorAssistanceActionPath: 'x/{assistanceId}/{sessionId}' } }],
    ['a host name with a scheme', { diyalog: { transcriptHosts: ['https://t.example'] } }],
    ['an unknown algorithm', { diyalog: { signatureAlgorithm: 'md5' } }],
    ['an unknown language', { language: 'de' }],
    ['an unknown top-level key', { futureSection: 'dark' }],
    ['a secret at the top level', { secret: SECRET }],
    ['a secret inside diyalog', { diyalog: { keyId: 'K2', secret: SECRET } }],
    ['a password inside icws', { icws: { password: SECRET } }],
    ['a window of size zero', { window: { width: 0, height: 10 } }],
    ['not an object', 'staffId=S1'],
    ['null', null],
  ];

  it.each(badPatches)('refuses %s with invalid_input and leaves the file byte-identical', async (_what, patch) => {
    const store = await loadedStore();
    await store.update({ staffId: 'S1', diyalog: { keyId: 'K1' } });
    const before = await readFile(store.file);
    const settingsBefore = store.get();

    const e = await rejection(store.update(patch));
    expect(e.code).toBe('invalid_input');
    expect(e.message).not.toContain(SECRET);
    expect(await readFile(store.file)).toEqual(before);
    expect(store.get()).toEqual(settingsBefore);
    expect(await tempsIn(dir)).toEqual([]);
  });

  it('refuses a patch that only fails once merged (half a window) and writes nothing', async () => {
    const store = await loadedStore();
    const e = await rejection(store.update({ window: { x: 5 } }));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('window');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('SettingsStore: corruption', () => {
  const corruptName = 'settings.corrupt-20250309T132832123Z.json';

  it('moves a file of garbage bytes aside intact, reports it, and uses the defaults', async () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x80, 0x0a, 0xc3]);
    await writeFile(join(dir, 'settings.json'), garbage);
    const store = new SettingsStore(dir, { clock });
    const result = await store.load();

    expect(result.settings).toEqual(DEFAULT_SETTINGS);
    expect(result.recovered).toEqual({ corruptFile: join(dir, corruptName), reason: 'not valid JSON' });
    expect((await readdir(dir)).sort()).toEqual([corruptName, 'settings.state.json']);
    expect(await readFile(join(dir, corruptName))).toEqual(garbage);

    // The next save starts a fresh file and leaves the copy alone.
    await store.update({ staffId: 'S1' });
    expect((await readdir(dir)).sort()).toEqual([corruptName, 'settings.json', 'settings.state.json']);
    expect(await readFile(join(dir, corruptName))).toEqual(garbage);
  });

  it.each([
    ['a field of the wrong shape', '{"staffId":"S1","diyalog":{"baseUrl":"ftp://x.example"}}', 'diyalog.baseUrl'],
    ['an array', '[1,2,3]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['an empty file', '', 'not valid JSON'],
  ])('moves valid-looking but wrong content aside: %s', async (_what, content, reason) => {
    await writeFile(join(dir, 'settings.json'), content);
    const result = await new SettingsStore(dir, { clock }).load();
    expect(result.settings).toEqual(DEFAULT_SETTINGS);
    expect(result.recovered?.corruptFile).toBe(join(dir, corruptName));
    expect(result.recovered?.reason).toContain(reason);
    expect(await readFile(join(dir, corruptName), 'utf8')).toBe(content);
    expect((await readdir(dir)).sort()).toEqual([corruptName, 'settings.state.json']);
  });

  it('never overwrites an earlier corrupt copy', async () => {
    await writeFile(join(dir, 'settings.json'), 'first');
    await new SettingsStore(dir, { clock }).load();
    await writeFile(join(dir, 'settings.json'), 'second');
    const result = await new SettingsStore(dir, { clock }).load();

    const second = 'settings.corrupt-20250309T132832123Z-1.json';
    expect(result.recovered?.corruptFile).toBe(join(dir, second));
    expect(await readFile(join(dir, corruptName), 'utf8')).toBe('first');
    expect(await readFile(join(dir, second), 'utf8')).toBe('second');
  });
});

describe('SettingsStore: atomicity', () => {
  it('ignores and cleans temps left by a crash mid-write; the real file stays intact', async () => {
    const good = await loadedStore();
    await good.update({ staffId: 'S1', watchList: ['C1'] });
    const intact = await readFile(good.file);

    // A dead writer's truncated temp, our own pid's long-stale temp, and a live writer's fresh one.
    const truncated = `settings.json.tmp-${DEAD_PID}-a1b2c3`;
    const stale = `settings.json.tmp-${process.pid}-d4e5f6`;
    const inFlight = `settings.json.tmp-${process.pid}-0a0b0c`;
    await writeFile(join(dir, truncated), intact.subarray(0, 10));
    await writeFile(join(dir, stale), '{"staffId":"WRONG"}');
    await utimes(join(dir, stale), new Date(NOW - STALE_TEMP_MS - 1000), new Date(NOW - STALE_TEMP_MS - 1000));
    await writeFile(join(dir, inFlight), '{"staffId":"ALSO-WRONG"}');
    await utimes(join(dir, inFlight), new Date(NOW - 1000), new Date(NOW - 1000));

    const store = new SettingsStore(dir, { clock });
    const result = await store.load();
    expect(result.recovered).toBeUndefined();
    expect(result.settings.staffId).toBe('S1');
    expect(result.settings.watchList).toEqual(['C1']);
    expect(await readFile(store.file)).toEqual(intact);
    expect(await tempsIn(dir)).toEqual([inFlight]);
  });

  it('a failed write leaves the old settings in memory and no temp behind', async () => {
    const store = await loadedStore();
    await store.update({ staffId: 'S1' });
    // A directory where the file should be makes the final rename fail.
    await rm(store.file);
    await mkdir(join(store.file, 'occupied'), { recursive: true });

    const e = await rejection(store.update({ staffId: 'S2' }));
    expect(e.code).toBe('internal');
    expect(store.get().staffId).toBe('S1');
    expect(await tempsIn(dir)).toEqual([]);
  });

  it('applies concurrent updates one at a time, in call order, none lost', async () => {
    const store = await loadedStore();
    const patches: unknown[] = Array.from({ length: 24 }, (_, i) =>
      i === 11 ? { staffId: '' } : i % 2 === 0 ? { staffId: `S${i}` } : { diyalog: { keyId: `K${i}` }, watchList: [`C${i}`] },
    );
    const outcomes = await Promise.allSettled(patches.map((p) => store.update(p)));

    let staffId: string | null = null;
    let keyId: string | null = null;
    outcomes.forEach((outcome, i) => {
      if (i === 11) {
        expect(outcome.status).toBe('rejected');
        return;
      }
      if (i % 2 === 0) staffId = `S${i}`;
      else keyId = `K${i}`;
      expect(outcome.status).toBe('fulfilled');
      const settings = outcome.status === 'fulfilled' ? outcome.value : undefined;
      expect(settings?.staffId).toBe(staffId);
      expect(settings?.diyalog.keyId).toBe(keyId);
    });

    const onDisk = JSON.parse(await readFile(store.file, 'utf8'));
    expect(onDisk.staffId).toBe('S22');
    expect(onDisk.diyalog.keyId).toBe('K23');
    expect(onDisk.watchList).toEqual(['C23']);
    expect(await tempsIn(dir)).toEqual([]);
  });
});

describe('SettingsStore: two processes on one data dir', () => {
  it('loses no update: each re-reads and merges under the lock', async () => {
    const COUNT = 30;
    const ours = await loadedStore();
    const writer = fileURLToPath(new URL('./settings-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, 'C', String(COUNT)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines: string[] = [];
    const line = (wanted: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => lines.includes(wanted) && resolve();
        child.stdout.on('data', (chunk: Buffer) => {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          check();
        });
        child.once('exit', () => reject(new Error(`the writer exited before printing ${wanted}`)));
        check();
      });

    await line('ready');
    // Both start at once: the child on "go", this process right away.
    child.stdin.end('go\n');
    for (let i = 0; i < COUNT; i++) {
      await ours.update((current) => ({ watchList: [...current.watchList, `P${i}`] }));
      await ours.update({ icws: { userId: `P-U${i}` } });
    }
    await line('done');
    expect(await exited).toBe(0);

    const onDisk = (await new SettingsStore(dir).load()).settings;
    const expected = [...Array.from({ length: COUNT }, (_, i) => `P${i}`), ...Array.from({ length: COUNT }, (_, i) => `C${i}`)];
    expect([...onDisk.watchList].sort()).toEqual(expected.sort());
    // Each process's own order survives the interleaving.
    expect(onDisk.watchList.filter((id) => id.startsWith('C'))).toEqual(Array.from({ length: COUNT }, (_, i) => `C${i}`));
    // The plain patches of both processes are there too: neither wrote back a stale copy.
    expect(onDisk.diyalog.keyId).toBe(`C-K${COUNT - 1}`);
    expect(onDisk.icws.userId).toBe(`P-U${COUNT - 1}`);
    expect(await tempsIn(dir)).toEqual([]);
    expect(await readdir(dir)).not.toContain('settings.lock');
  });

  it('an update made elsewhere is kept when this process saves something else', async () => {
    const first = await loadedStore();
    const second = await loadedStore();
    await first.update({ staffId: 'S1', watchList: ['A'] });
    // `second` loaded before that and has not read since.
    await second.update({ language: 'tr' });
    const onDisk = JSON.parse(await readFile(second.file, 'utf8'));
    expect(onDisk).toMatchObject({ staffId: 'S1', watchList: ['A'], language: 'tr' });
    expect(second.get().staffId).toBe('S1');
  });

  it('gives up with busy, writing nothing, while another process holds the lock', async () => {
    const store = new SettingsStore(dir, { clock, lockRetries: 2 });
    await store.load();
    await mkdir(join(dir, 'settings.lock'));
    try {
      const e = await rejection(store.update({ staffId: 'S1' }));
      expect(e.code).toBe('busy');
      expect(e.message).toContain('another process');
      expect(await readdir(dir)).toEqual(['settings.lock']);
    } finally {
      await rm(join(dir, 'settings.lock'), { recursive: true });
    }
    expect((await store.update({ staffId: 'S1' })).staffId).toBe('S1');
  });
});

describe('demo mode only for a data dir that never had servers', () => {
  const noEnv = {};
  const corruptName = 'settings.corrupt-20250309T132832123Z.json';
  const SERVER = 'https://diyalog.bank.example';

  it('a new data dir, or one with only a language chosen, starts in demo', async () => {
    expect(shouldStartDemo(await new SettingsStore(join(dir, 'never-created')).load(), noEnv)).toBe(true);
    const store = await loadedStore();
    await store.update({ language: 'tr', staffId: 'S1' });
    expect(shouldStartDemo(await new SettingsStore(dir).load(), noEnv)).toBe(true);
  });

  it('a corrupt file starts in the reset state, never in demo, also on the next start and in another process', async () => {
    const store = await loadedStore();
    await store.update({ diyalog: { baseUrl: SERVER, keyId: 'K1' } });
    await writeFile(store.file, '{"diyalog": {"baseUrl": "https://diyalog.bank.exa');

    const first = await new SettingsStore(dir, { clock }).load();
    expect(first.settings).toEqual(DEFAULT_SETTINGS);
    expect(first.recovered).toEqual({ corruptFile: join(dir, corruptName), reason: 'not valid JSON' });
    expect(shouldStartDemo(first, noEnv)).toBe(false);

    // The next start (the browser host, the Electron app, another process) still knows.
    const next = await new SettingsStore(dir, { clock }).load();
    expect(next.recovered?.corruptFile).toBe(join(dir, corruptName));
    expect(shouldStartDemo(next, noEnv)).toBe(false);
    // Saving the window size does not end the reset state; configuring a server does.
    const running = new SettingsStore(dir, { clock });
    await running.load();
    await running.update({ window: { width: 900, height: 700 } });
    expect((await new SettingsStore(dir, { clock }).load()).recovered).toBeDefined();
    await running.update({ icws: { baseUrl: 'https://ic1.bank.example:8019' } });
    const configured = await new SettingsStore(dir, { clock }).load();
    expect(configured.recovered).toBeUndefined();
    expect(shouldStartDemo(configured, noEnv)).toBe(false);
  });

  it('a corrupt file of a data dir that never had servers is still not demo: what it held is unknown', async () => {
    await writeFile(join(dir, 'settings.json'), 'garbage');
    const loaded = await new SettingsStore(dir, { clock }).load();
    expect(loaded.hadServers).toBe(true);
    expect(shouldStartDemo(loaded, noEnv)).toBe(false);
  });

  it('servers configured once and cleared later: not demo', async () => {
    const store = await loadedStore();
    await store.update({ diyalog: { baseUrl: SERVER } });
    await store.update({ diyalog: { baseUrl: null } });
    const loaded = await new SettingsStore(dir).load();
    expect(loaded.settings.diyalog.baseUrl).toBeNull();
    expect(loaded.hadServers).toBe(true);
    expect(shouldStartDemo(loaded, noEnv)).toBe(false);
  });

  it('a server named by a variable is not demo; an unreadable state file is the cautious answer', async () => {
    expect(shouldStartDemo(await new SettingsStore(dir).load(), { COMPANION_ICWS_URL: 'https://ic1.bank.example' })).toBe(false);
    await writeFile(join(dir, 'settings.state.json'), '{nope');
    expect(shouldStartDemo(await new SettingsStore(dir).load(), noEnv)).toBe(false);
  });
});
