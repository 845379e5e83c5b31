// The supervisor's recovery from a terminal: find stuck sessions, end them (one or many),
// and read, verify (also against the collector's export) and reconcile the audit trail. Every recovery command first settles
// force-ends a crash left unknown (reconcile), as the app does when it starts.

import { readFile } from 'node:fs/promises';
import type { Language } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { translate } from '../../shared/i18n';
import { DONE_OUTCOMES, type ForceEndRow, type SearchWindow } from '../../shared/recovery';
import { escapeForTerminal as esc } from '../../shared/text';
import { idSchema, parseInput, reasonSchema } from '../../shared/validation';
import { BULK_MAX_CONCURRENCY, type BulkRow } from '../services/recovery';
import { findStuck, forceEndOne, forceEndSeveral, reconcileAll, reconcileUnsettled } from '../services/recovery-feature';
import type { ServiceContext } from '../services/context';
import { DEFAULT_OLDER_THAN_MINUTES, MAX_OLDER_THAN_MINUTES, type StuckQuery } from '../services/stuck-sessions';
import type { AuditEntry, AuditVerification, AuditWarning } from '../store/audit';
import { forwardOrigin } from '../services/audit-forward';
import type { CliStreams, Command, CommandContext } from './command';
import { EXIT } from './exit-codes';
import { cliLanguage, type Translate } from './language';
import { exactlyOneArg, optionalString, parseDateArg, positiveInteger, requiredString, type FlagContext } from './parse';
import { ask } from './terminal';

const MINUTE = 60_000;
/** The longest window a search walks: the simulator's and a typical server's history is 90 days. */
const MAX_WINDOW_MINUTES = 90 * 24 * 60;

const FILTER_FLAGS = {
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  agent: { type: 'string' },
  customer: { type: 'string' },
  'older-than': { type: 'string' },
} as const;

const FILTER_USAGE = '[--since 72h | --from T --to T] [--agent A] [--customer C] [--older-than 15m]';

// ---- find ---------------------------------------------------------------------

const stuck: Command = {
  name: 'stuck',
  usage: `companion stuck ${FILTER_USAGE}`,
  summary: "Sessions stuck in help with an agent whose app crashed: started long ago, never ended, still in help with that agent.",
  flags: FILTER_FLAGS,
  async run(ctx) {
    const lang = cliLanguage(ctx.env);
    const query = stuckQuery(ctx.flags, { lang, usage: stuck.usage });
    const opened = await ctx.services();
    await opened.clients.requireDiyalog();
    await reconcileFirst(opened, ctx);
    const result = await find(opened, query, ctx);
    const lines = result.sessions.map((s) =>
      ctx.t('cli.stuckRow', {
        startedAt: s.startedAt,
        minutes: s.minutes,
        customerId: esc(s.customerId),
        customerName: esc(s.customerName),
        staffId: esc(s.staffId),
        staffName: esc(s.staffName),
      }),
    );
    lines.push(
      ctx.t('cli.stuckSummary', {
        sessions: result.sessions.length,
        candidates: result.candidates,
        ended: result.dropped.ended,
        otherStaff: result.dropped.otherStaff,
        unknown: result.dropped.unknown,
        requests: result.requests,
      }),
      windowText(ctx.t, lang, result.window),
    );
    return { json: result, text: lines.join('\n') };
  },
};

// ---- end ----------------------------------------------------------------------

const recover: Command = {
  name: 'recover',
  usage: `companion recover ${FILTER_USAGE} --reason R [--yes] [--concurrency N]`,
  summary: 'Find the stuck sessions and force-end them all, after one confirmation. Each one audited and checked again.',
  flags: { ...FILTER_FLAGS, reason: { type: 'string' }, yes: { type: 'boolean' }, concurrency: { type: 'string' } },
  async run(ctx) {
    const lang = cliLanguage(ctx.env);
    const usage = { lang, usage: recover.usage };
    const query = stuckQuery(ctx.flags, usage);
    const reason = parseInput(reasonSchema, requiredString(ctx.flags.reason, '--reason', usage), 'reason', lang);
    const concurrency = positiveInteger(ctx.flags.concurrency, '--concurrency', 4, BULK_MAX_CONCURRENCY, usage);
    requireConfirmable(ctx.flags.yes === true, ctx.io);
    const opened = await ctx.services();
    await opened.clients.requireDiyalog();
    await reconcileFirst(opened, ctx);
    const found = await find(opened, query, ctx);
    if (found.sessions.length === 0) return { json: { results: [] }, text: `${ctx.t('cli.recoverNone')}\n${windowText(ctx.t, lang, found.window)}` };
    if (ctx.flags.yes !== true) {
      const list = found.sessions
        .map((s) => `  ${ctx.t('cli.stuckRow', { startedAt: s.startedAt, minutes: s.minutes, customerId: esc(s.customerId), customerName: esc(s.customerName), staffId: esc(s.staffId), staffName: esc(s.staffName) })}`)
        .join('\n');
      await confirm(ctx, ctx.t('cli.confirmRecover', { count: found.sessions.length, list, reason: esc(reason) }));
    }
    const { results } = await forceEndSeveral(
      opened,
      { reason, sessions: found.sessions.map((s) => ({ customerId: s.customerId, staffId: s.staffId })) },
      { concurrency, signal: ctx.signal, onRow: (_row, done, total) => ctx.progress(ctx.t('cli.recoverProgress', { done, total })) },
    );
    const lines = results.map((r) => `${rowText(ctx.t, r)}${recheckText(ctx.t, r)}`);
    const done = results.filter((r) => DONE_OUTCOMES.includes(r.outcome)).length;
    lines.push(ctx.t('cli.recoverSummary', { done, total: results.length, left: results.length - done }));
    return {
      json: { results: results.map((r) => ({ customerId: r.customerId, staffId: r.staffId, outcome: r.outcome, ...(r.code !== undefined && { code: r.code }) })) },
      text: lines.join('\n'),
      exitCode: done === results.length ? EXIT.ok : EXIT.refused,
    };
  },
};

const forceEnd: Command = {
  name: 'force-end',
  usage: 'companion force-end <customerId> --staff <staffId> --reason <text> [--yes]',
  summary: "Force-end a stuck live-help session (the agent's app crashed). Audited; the outcome says what is true.",
  flags: { staff: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean' } },
  async run(ctx) {
    const { args, flags, t } = ctx;
    const lang = cliLanguage(ctx.env);
    const customerId = parseInput(idSchema, exactlyOneArg(args, 'customerId', { lang }), 'customerId', lang);
    const staffId = parseInput(idSchema, requiredString(flags.staff, '--staff', { lang }), 'staffId', lang);
    const reason = parseInput(reasonSchema, requiredString(flags.reason, '--reason', { lang }), 'reason', lang);
    requireConfirmable(flags.yes === true, ctx.io);
    const opened = await ctx.services();
    await opened.clients.requireDiyalog();
    if (flags.yes !== true) {
      // Escaped: a reason's newline or escape sequence must not redraw the question being confirmed.
      await confirm(ctx, t('cli.confirmForceEnd', { customerId: esc(customerId), staffId: esc(staffId), reason: esc(reason) }));
    }
    await reconcileFirst(opened, ctx);
    const row = await forceEndOne(opened, { customerId, staffId, reason }, { signal: ctx.signal });
    const ok = row.outcome === 'ended' || row.outcome === 'already_ended';
    return {
      json: { customerId: row.customerId, staffId: row.staffId, outcome: row.outcome, message: row.message, ...(row.code !== undefined && { code: row.code }) },
      text: rowText(t, row),
      exitCode: ok ? EXIT.ok : EXIT.refused,
    };
  },
};

// ---- audit --------------------------------------------------------------------

const audit: Command = {
  name: 'audit',
  usage: 'companion audit',
  summary: 'The force-end audit trail, newest first, with each settled outcome.',
  flags: {},
  async run(ctx) {
    const entries = await (await ctx.services()).audit.entries();
    const lines = entries.map((e) => auditRow(ctx.t, e));
    return { json: { entries }, text: lines.length ? lines.join('\n') : ctx.t('cli.noAudit') };
  },
};

const auditVerify: Command = {
  name: 'audit verify',
  usage: 'companion audit verify [--against <collector export>] [--host <name>]',
  summary:
    "Check the audit trail: the hash chain through every entry, the log against its keyed head; with --against, against the collector's export (one message per line), entries missing on either side.",
  flags: { against: { type: 'string' }, host: { type: 'string' } },
  async run(ctx) {
    const lang = cliLanguage(ctx.env);
    const against = optionalString(ctx.flags.against);
    const host = optionalString(ctx.flags.host);
    if (host !== undefined && against === undefined) throw flagError({ lang, usage: auditVerify.usage }, translate(lang, 'input.flagNeeds', { flag: '--host', needs: '--against' }), '--host');
    if (against !== undefined) return verifyAgainst(ctx, against, host ?? forwardOrigin().host);
    const result = await (await ctx.services()).audit.verify();
    const warnings = (result.warnings ?? []).map((w) => warningText(ctx.t, w));
    if (result.ok) return { json: result, text: [ctx.t('cli.auditIntact', { entries: result.entries }), ...warnings].join('\n') };
    const { problem: _problem, ...json } = result;
    return { json, text: [brokenText(ctx.t, result), ...warnings].join('\n'), exitCode: EXIT.refused };
  },
};

/** The local log against a collector's export: `{ok, missingLocally, missingAtCollector}`, exit 1 when not ok. */
async function verifyAgainst(ctx: CommandContext, file: string, host: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('not_found', `The collector's export ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}).`, { field: '--against' });
  }
  const opened = await ctx.services();
  const result = await opened.audit.compareWithCollector(text, host);
  const pending = (await opened.audit.forwardStatus()).pending;
  const lines = result.ok
    ? [ctx.t('cli.againstOk', { collected: result.collected })]
    : [
        ctx.t('cli.againstBroken', { missingLocally: result.missingLocally.length, missingAtCollector: result.missingAtCollector.length }),
        ...(result.missingLocally.length > 0 ? [ctx.t('cli.againstMissingLocally', { list: ranges(result.missingLocally) })] : []),
        ...(result.missingAtCollector.length > 0 ? [ctx.t('cli.againstMissingAtCollector', { list: ranges(result.missingAtCollector), pending })] : []),
        ...(result.unreadableLines.length > 0 ? [ctx.t('cli.againstUnreadable', { list: ranges(result.unreadableLines) })] : []),
      ];
  return {
    json: { ok: result.ok, missingLocally: result.missingLocally, missingAtCollector: result.missingAtCollector, collected: result.collected, pending, unreadableLines: result.unreadableLines },
    text: lines.join('\n'),
    exitCode: result.ok ? EXIT.ok : EXIT.refused,
  };
}

/** `1-3, 7` for [1, 2, 3, 7]. */
function ranges(numbers: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] as number) + 1) j++;
    out.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

function warningText(t: Translate, w: AuditWarning): string {
  switch (w.kind) {
    case 'time_backwards':
      return t('cli.auditWarning.time_backwards', { entry: w.entry, at: esc(w.at), previousAt: esc(w.previousAt) });
    case 'keyed_from':
      return t('cli.auditWarning.keyed_from', { entries: w.entries });
    case 'key_unchecked':
      return t('cli.auditWarning.key_unchecked');
    case 'unkeyed':
      return t('cli.auditWarning.unkeyed');
  }
}

const auditReconcile: Command = {
  name: 'audit reconcile',
  usage: 'companion audit reconcile',
  summary: 'Settle force-ends whose outcome is unknown (a crash, a lost answer) by checking the help state now.',
  flags: {},
  async run(ctx) {
    const opened = await ctx.services();
    const result = await reconcileAll(opened, ctx.signal);
    const lines = result.settled.map((s) =>
      ctx.t('cli.reconciled', { outcome: ctx.t(`cli.outcome.${s.outcome}`), customerId: esc(s.customerId), staffId: esc(s.staffId) }),
    );
    lines.push(ctx.t('cli.reconcileSummary', { checked: result.checked, settled: result.settled.length, left: result.stillUnknown }));
    return { json: result, text: lines.join('\n'), exitCode: result.stillUnknown === 0 ? EXIT.ok : EXIT.refused };
  },
};

export const recoveryCommands: Command[] = [stuck, recover, forceEnd, audit, auditVerify, auditReconcile];

// ---- helpers ------------------------------------------------------------------

/**
 * The finder's filters from the flags; every bad value is invalid_input before anything is read.
 * Neither --since nor --from/--to: no dates, and the finder searches its default window.
 */
export function stuckQuery(flags: CommandContext['flags'], ctx: FlagContext, now: number = Date.now()): StuckQuery {
  const lang = ctx.lang ?? 'en';
  const since = optionalString(flags.since);
  const from = optionalString(flags.from);
  const to = optionalString(flags.to);
  let range: { startDate: number; endDate: number } | undefined;
  if (from !== undefined || to !== undefined) {
    if (since !== undefined) throw flagError(ctx, translate(lang, 'input.flagEither', { a: '--since', b: '--from/--to' }), '--since');
    range = { startDate: parseDateArg(from, '--from', ctx), endDate: parseDateArg(to, '--to', ctx) };
  } else if (since !== undefined) {
    const minutes = durationMinutes(since, '--since', 1, MAX_WINDOW_MINUTES, ctx);
    range = { startDate: now - minutes * MINUTE, endDate: now };
  }
  const agent = optionalString(flags.agent);
  const customer = optionalString(flags.customer);
  const olderThan = optionalString(flags['older-than']);
  return {
    ...range,
    ...(agent !== undefined && { agentId: parseInput(idSchema, agent, 'agentId', lang) }),
    ...(customer !== undefined && { customerId: parseInput(idSchema, customer, 'customerId', lang) }),
    olderThanMinutes: olderThan === undefined ? DEFAULT_OLDER_THAN_MINUTES : durationMinutes(olderThan, '--older-than', 0, MAX_OLDER_THAN_MINUTES, ctx),
  };
}

/** `90m`, `24h`, `7d` (a bare number is minutes), as whole minutes within [min, max]. */
export function durationMinutes(value: string, flag: string, min: number, max: number, ctx: FlagContext): number {
  const match = /^(\d{1,7})\s*(m|min|h|d)?$/i.exec(value.trim());
  const unit = match?.[2]?.toLowerCase() ?? 'm';
  const minutes = match ? Number(match[1]) * (unit === 'd' ? 24 * 60 : unit === 'h' ? 60 : 1) : NaN;
  if (!Number.isSafeInteger(minutes) || minutes < min || minutes > max) {
    throw flagError(ctx, translate(ctx.lang ?? 'en', 'input.flagDuration', { flag, value: esc(value) }), flag);
  }
  return minutes;
}

function flagError(ctx: FlagContext, message: string, field: string): AppError {
  const usage = ctx.usage === undefined ? '' : `\n${translate(ctx.lang ?? 'en', 'input.usage', { usage: ctx.usage })}`;
  return new AppError('invalid_input', `${message}${usage}`, { field });
}

/** Without a terminal to ask on, a destructive command needs --yes: refused (exit 2) before anything is read or sent. */
function requireConfirmable(yes: boolean, io: CliStreams): void {
  if (!yes && !io.stdin.isTTY) {
    throw new AppError('confirmation_required', 'Force-ending needs confirmation: run it on a terminal, or pass --yes.');
  }
}

async function confirm(ctx: CommandContext, question: string): Promise<void> {
  const answer = await ask(question, ctx.io, ctx.signal);
  if (!/^(yes|evet)$/i.test(answer.trim())) throw new AppError('cancelled', 'Not confirmed; nothing was sent.');
}

async function find(opened: ServiceContext, query: StuckQuery, ctx: CommandContext) {
  return findStuck(opened, query, {
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.progress(ctx.t('cli.stuckProgress', { percent: Math.floor(p.walked / 10), candidates: p.candidates, checked: p.checked, requests: p.requests })),
  });
}

/**
 * Settles what an earlier crash left unknown before doing anything new. Best effort: a
 * server that cannot be reached now leaves them for the next time, and the command goes on.
 */
async function reconcileFirst(opened: ServiceContext, ctx: CommandContext): Promise<void> {
  try {
    const result = await reconcileUnsettled(opened, ctx.signal);
    if (result && result.settled.length > 0) ctx.io.stderr.write(`${ctx.t('cli.reconciledNote', { count: result.settled.length })}\n`);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
  }
}

/** The window searched, in local time and the user's language, and how to look further back. */
function windowText(t: Translate, lang: Language, window: SearchWindow): string {
  const format = new Intl.DateTimeFormat(lang === 'tr' ? 'tr-TR' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  return t('cli.stuckWindow', { from: format.format(new Date(window.from)), to: format.format(new Date(window.to)) });
}

function rowText(t: Translate, row: Pick<ForceEndRow, 'customerId' | 'staffId' | 'outcome' | 'message' | 'code'>): string {
  const code = row.code === undefined ? '' : ` [${esc(row.code)}]`;
  return t('cli.forceEndRow', { outcome: t(`cli.outcome.${row.outcome}`), customerId: esc(row.customerId), staffId: esc(row.staffId), message: esc(row.message) }) + code;
}

function recheckText(t: Translate, row: BulkRow): string {
  if (row.recheck === null) return ` (${t('cli.recheckUnknown')})`;
  if (row.recheck.isInHelp) return ` (${t('cli.recheckInHelp', { staffId: esc(row.recheck.staffId ?? '?') })})`;
  return ` (${t('cli.recheckClear')})`;
}

function auditRow(t: Translate, e: AuditEntry): string {
  const answered = e.answer?.code ?? e.answer?.outcome;
  const how =
    e.settledBy !== 'check' ? '' : ` (${answered === undefined ? t('cli.settledByCheckNoAnswer') : t('cli.settledByCheck', { answer: esc(answered) })})`;
  const code = e.settledBy !== 'check' && e.code ? ` [${esc(e.code)}]` : '';
  // Stored values, escaped: a reason with a newline cannot forge an audit line of its own.
  return t('cli.auditRow', {
    at: esc(e.at),
    actor: esc(e.actor),
    customerId: esc(e.customerId),
    staffId: esc(e.staffId),
    outcome: `${t(`cli.outcome.${e.outcome}`)}${how}${code}`,
    reason: esc(e.reason),
  });
}

function brokenText(t: Translate, result: Extract<AuditVerification, { ok: false }>): string {
  const what = t(`cli.auditProblem.${result.problem}`, { brokenAt: result.brokenAt });
  return t('cli.auditBroken', { brokenAt: result.brokenAt, entries: result.entries, what });
}

