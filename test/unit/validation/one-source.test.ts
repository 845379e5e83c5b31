// One source for each rule: for the same input, the contract (what the app's window sends),
// the CLI (its commands' own parsing, run for real up to the point they would open the
// services), the renderer's inline validator and the services give the same verdict. A
// rule copied into one of them and changed there (a limit in UTF-16 units, a forgotten
// bidi check) fails here.

import { describe, expect, it } from 'vitest';
import { calls } from '../../../shared/contract';
import { isAppError } from '../../../shared/errors';
import type { CommandContext } from '../../../main/cli/command';
import { assistanceCommands } from '../../../main/cli/assistance-commands';
import { diyalogCommands } from '../../../main/cli/diyalog-commands';
import { recoveryCommands } from '../../../main/cli/recovery-commands';
import { translatorFor } from '../../../main/cli/language';
import { DiyalogClient } from '../../../main/diyalog/client';
import { parseAssistanceText, parseId } from '../../../main/icws/wire';
import { walkHelpHistory } from '../../../main/services/history';
import { parseAuditIntent } from '../../../main/store/audit';
import { assistanceTextProblem, dateRangeProblem, icwsIdProblem, idProblem, reasonProblem } from '../../../renderer/validate';

const HOSTILE = ['12\u202E34', '12\u200B34', '\uFEFF1234', '1234\u2028', '12\u2029', '12\uD80034', '12\u000034', '\u001b[31m1234', '12\r\n34', '12\t34', '12\u008534'];

const IDS = ['70022', '  70022 ', '70022\n', '', '   ', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(64), '😀'.repeat(65), 'Şükrü Öztürk', 'a/b', ...HOSTILE];
const TEXTS = ['help', '', ' \n ', 'a\nb', 'a\r\nb', 't'.repeat(2000), 't'.repeat(2001), '😀'.repeat(2000), '😀'.repeat(2001), '👩\u200D💻', ...HOSTILE];
const REASONS = ['Agent app crashed', '', ' \n\t ', 'two\nlines', 'r'.repeat(500), 'r'.repeat(501), 'ş'.repeat(500), '😀'.repeat(501), ...HOSTILE];
const T = Date.UTC(2025, 2, 3);
const RANGES: [number, number][] = [[T - 1000, T], [T, T], [T, T - 1], [0, 8.64e15 - 1], [-1, T], [T, 8.64e15 + 1]];

type Verdict = 'accepted' | 'refused';

const accepted = (ok: boolean): Verdict => (ok ? 'accepted' : 'refused');

async function verdictOf(run: () => unknown, reached?: (e: unknown) => boolean): Promise<Verdict> {
  try {
    await run();
    return 'accepted';
  } catch (e) {
    if (isAppError(e) && e.code === 'invalid_input') return 'refused';
    if (reached?.(e)) return 'accepted';
    throw e;
  }
}

// The CLI: a command runs for real until it asks for the services (settings, secrets,
// clients); reaching that point means its own parsing accepted the input.
const REACHED = new Error('the command reached its services');
const COMMANDS = [...diyalogCommands, ...recoveryCommands, ...assistanceCommands];

function cli(name: string, args: string[], flags: Record<string, string | boolean> = {}): Promise<Verdict> {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new Error(`no command ${name}`);
  const ctx = {
    args,
    flags,
    options: { json: false },
    env: { COMPANION_LANG: 'en' },
    services: async () => {
      throw REACHED;
    },
    progress: () => undefined,
    signal: new AbortController().signal,
    t: translatorFor('en'),
  } as unknown as CommandContext;
  return verdictOf(() => command.run(ctx), (e) => e === REACHED);
}

// A service: the Diyalog client checks before it signs or sends; reaching fetch means accepted.
const SENT = new Error('the client sent a request');
const client = new DiyalogClient({
  baseUrl: 'https://diyalog.bank.test',
  credentials: { keyId: 'AKID-1', secret: 'secret' },
  requesterUserId: '45186',
  fetch: async () => {
    throw SENT;
  },
  readRetries: 0,
});
const wasSent = (e: unknown) => e === SENT || (isAppError(e) && e.cause === SENT) || (e instanceof Error && e.cause === SENT);

describe('ids', () => {
  it.each(IDS.map((v) => [JSON.stringify(v), v]))('%s: the same verdict everywhere', async (_, id) => {
    const contract = accepted(calls['watch.add'].input.safeParse({ customerId: id }).success);
    const verdicts = {
      contractForceEnd: accepted(calls['recovery.forceEnd'].input.safeParse({ customerId: '1', staffId: id, reason: 'r', confirmed: true }).success),
      settings: accepted(calls['settings.update'].input.safeParse({ staffId: id }).success),
      renderer: accepted(idProblem(id) === null),
      cliHelpState: await cli('help-state', [id]),
      cliForceEnd: await cli('force-end', ['70022'], { staff: id, reason: 'r', yes: true }),
      cliHistory: await cli('history', [], { from: String(T - 1000), to: String(T), customer: id }),
      service: await verdictOf(() => client.isCustomerInOnlineHelp(id), wasSent),
    };
    for (const [where, verdict] of Object.entries(verdicts)) expect(verdict, where).toBe(contract);
  });

  it.each(IDS.map((v) => [JSON.stringify(v), v]))('%s as an ICWS id (no "/" either): the same verdict everywhere', async (_, id) => {
    const contract = accepted(calls['assistance.create'].input.safeParse({ interactionId: id, text: 'help' }).success);
    const verdicts = {
      contractComplete: accepted(calls['assistance.complete'].input.safeParse({ assistanceId: id }).success),
      renderer: accepted(icwsIdProblem(id) === null),
      cliCreate: await cli('assistance create', [id], { text: 'help' }),
      cliComplete: await cli('assistance complete', [id]),
      service: await verdictOf(() => parseId(id, 'interactionId')),
    };
    for (const [where, verdict] of Object.entries(verdicts)) expect(verdict, where).toBe(contract);
  });
});

describe('assistance text', () => {
  it.each(TEXTS.map((v) => [JSON.stringify(v).slice(0, 40), v]))('%s: the same verdict everywhere', async (_, text) => {
    const contract = accepted(calls['assistance.create'].input.safeParse({ interactionId: '1001', text }).success);
    const verdicts = {
      contractAddMessage: accepted(calls['assistance.addMessage'].input.safeParse({ assistanceId: 'a-1', text }).success),
      renderer: accepted(assistanceTextProblem(text) === null),
      cliCreate: await cli('assistance create', ['1001'], { text }),
      cliUpdate: await cli('assistance update', ['a-1'], { text }),
      service: await verdictOf(() => parseAssistanceText(text)),
    };
    for (const [where, verdict] of Object.entries(verdicts)) expect(verdict, where).toBe(contract);
  });
});

describe('force-end reason', () => {
  it.each(REASONS.map((v) => [JSON.stringify(v).slice(0, 40), v]))('%s: the same verdict everywhere', async (_, reason) => {
    const contract = accepted(calls['recovery.forceEnd'].input.safeParse({ customerId: '70022', staffId: '45001', reason, confirmed: true }).success);
    const verdicts = {
      renderer: accepted(reasonProblem(reason) === null),
      cli: await cli('force-end', ['70022'], { staff: '45001', reason, yes: true }),
      auditLog: await verdictOf(() => parseAuditIntent({ actor: '45186', customerId: '70022', staffId: '45001', reason })),
    };
    for (const [where, verdict] of Object.entries(verdicts)) expect(verdict, where).toBe(contract);
  });
});

describe('date ranges', () => {
  it.each(RANGES)('%d → %d: the same verdict everywhere', async (startDate, endDate) => {
    const contract = accepted(calls['history.start'].input.safeParse({ startDate, endDate }).success);
    const verdicts = {
      contractTranscript: accepted(calls['transcript.link'].input.safeParse({ staffId: '1', customerId: '2', startDate, endDate }).success),
      renderer: accepted(dateRangeProblem(startDate, endDate) === null),
      cliHistory: await cli('history', [], { from: String(startDate), to: String(endDate) }),
      cliTranscript: await cli('transcript-link', [], { staff: '1', customer: '2', from: String(startDate), to: String(endDate) }),
      serviceHistory: await verdictOf(
        () => walkHelpHistory(() => new DiyalogClient({ baseUrl: 'https://diyalog.bank.test', credentials: { keyId: 'k', secret: 's' }, requesterUserId: '1', fetch: async () => { throw SENT; }, readRetries: 0 }), { startDate, endDate }),
        wasSent,
      ),
      serviceTranscript: await verdictOf(() => client.getMessagingDetail({ staffId: '1', customerId: '2', startDate, endDate }), wasSent),
    };
    for (const [where, verdict] of Object.entries(verdicts)) expect(verdict, where).toBe(contract);
  });
});

describe('the widest range a Date holds', () => {
  // Against a server not yet known to be inclusive the walker asks one ms past the end;
  // at Date's last millisecond it must not, or the walk fails where the contract accepted.
  it('0 → 8.64e15: the history service agrees with the contract', async () => {
    expect(calls['history.start'].input.safeParse({ startDate: 0, endDate: 8.64e15 }).success).toBe(true);
    const service = await verdictOf(
      () => walkHelpHistory(() => new DiyalogClient({ baseUrl: 'https://diyalog.bank.test', credentials: { keyId: 'k', secret: 's' }, requesterUserId: '1', fetch: async () => { throw SENT; }, readRetries: 0 }), { startDate: 0, endDate: 8.64e15 }),
      wasSent,
    );
    expect(service).toBe('accepted');
  });
});

describe('history concurrency', () => {
  it.each([['1'], ['16'], ['0'], ['17'], ['2.5'], ['abc'], [''], ['0x10']])('--concurrency %j agrees with the contract', async (text) => {
    // The number a person means: decimal digits (the contract's input is a number already).
    const n = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    const contract = accepted(calls['history.start'].input.safeParse({ startDate: T - 1, endDate: T, concurrency: n }).success);
    expect(await cli('history', [], { from: String(T - 1), to: String(T), concurrency: text })).toBe(contract);
  });
});
