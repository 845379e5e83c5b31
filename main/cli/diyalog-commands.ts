import { stringify } from 'csv-stringify/sync';
import type { HelpRecord } from '../../shared/diyalog';
import { AppError } from '../../shared/errors';
import { dateRangeSchema, idSchema, parseInput } from '../../shared/validation';
import { DiyalogClient } from '../diyalog/client';
import { walkHelpHistory } from '../services/history';
import { forceEndAudited } from '../services/recovery';
import { AuditLog } from '../store/audit';
import { Keychain } from '../store/keychain';
import type { Command } from './command';
import { dataDirOf, diyalogClientOptions } from './config';
import { exactlyOneArg, optionalString, parseDateArg, positiveInteger, requiredString } from './parse';
import { ask, askSecret, readAllStdin } from './terminal';

const helpState: Command = {
  name: 'help-state',
  usage: 'companion help-state <customerId>',
  summary: 'Is the customer in a live-help session now, and with whom?',
  flags: {},
  async run({ args, options, env, signal, t }) {
    const customerId = parseInput(idSchema, exactlyOneArg(args, 'customer id'), 'customer id');
    const client = new DiyalogClient(await diyalogClientOptions(options, env));
    const state = await client.isCustomerInOnlineHelp(customerId, { signal });
    const text = state.isInHelp
      ? t('cli.inHelp', {
          customerId: state.customerId,
          helpType: state.helpType ? t(`cli.helpType.${state.helpType}`) : '?',
          staffId: state.staffId ?? '?',
        })
      : t('cli.notInHelp', { customerId: state.customerId });
    return { json: state, text };
  },
};

const forceEnd: Command = {
  name: 'force-end',
  usage: 'companion force-end <customerId> --staff <staffId> --reason <text> [--yes]',
  summary: "Force-end a stuck live-help session (the agent's app crashed). Audited.",
  flags: { staff: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean' } },
  async run({ args, flags, options, env, signal, t }) {
    const customerId = parseInput(idSchema, exactlyOneArg(args, 'customer id'), 'customer id');
    const staffId = parseInput(idSchema, requiredString(flags.staff, '--staff'), 'staff id');
    const reason = requiredString(flags.reason, '--reason').trim();
    if (reason.length > 500) throw new AppError('invalid_input', '--reason is at most 500 characters.');
    const clientOptions = await diyalogClientOptions(options, env);
    if (flags.yes !== true) {
      if (!process.stdin.isTTY) {
        throw new AppError('confirmation_required', 'Force-ending needs confirmation: run it on a terminal, or pass --yes.');
      }
      const answer = await ask(t('cli.confirmForceEnd', { customerId, staffId, reason }), signal);
      if (!/^(yes|evet)$/i.test(answer.trim())) throw new AppError('cancelled', 'Not confirmed; nothing was sent.');
    }
    const audit = new AuditLog(dataDirOf(options));
    const result = await forceEndAudited(
      new DiyalogClient(clientOptions),
      audit,
      { actor: clientOptions.requesterUserId, customerId, staffId, reason },
      { signal },
    );
    const text = t(result.outcome === 'ended' ? 'cli.ended' : 'cli.alreadyEnded', { customerId, staffId, message: result.message });
    return { json: result, text };
  },
};

const CSV_COLUMNS: (keyof HelpRecord)[] = [
  'onlineHelpId', 'customerNo', 'customerName', 'agentId', 'agentName', 'helpState',
  'helpRequestedAt', 'helpStartedAt', 'helpEndedAt', 'waitTime', 'helpTime', 'conversationDetailLink',
];

const history: Command = {
  name: 'history',
  usage: 'companion history --from <ISO 8601 | epoch ms> --to <...> [--customer X] [--agent Y] [--concurrency N] [--csv]',
  summary: 'Every help record in a date range, newest first, de-duplicated.',
  flags: {
    from: { type: 'string' }, to: { type: 'string' }, customer: { type: 'string' }, agent: { type: 'string' },
    concurrency: { type: 'string' }, csv: { type: 'boolean' },
  },
  async run({ flags, options, env, progress, signal, t }) {
    const startDate = parseDateArg(flags.from, '--from');
    const endDate = parseDateArg(flags.to, '--to');
    const concurrency = positiveInteger(flags.concurrency, '--concurrency', 4, 32);
    if (flags.csv === true && options.json) throw new AppError('invalid_input', 'Choose one of --csv and --json.');
    const customer = optionalString(flags.customer);
    const agent = optionalString(flags.agent);
    const customerId = customer === undefined ? undefined : parseInput(idSchema, customer, 'customer id');
    const agentId = agent === undefined ? undefined : parseInput(idSchema, agent, 'agent id');
    const result = await walkHelpHistory(
      await diyalogClientOptions(options, env),
      { startDate, endDate, ...(customerId !== undefined && { customerId }), ...(agentId !== undefined && { agentId }) },
      {
        concurrency,
        signal,
        onProgress: (p) =>
          progress(t('cli.historyProgress', { records: p.records, requests: p.requests, percent: Math.floor((100 * p.slicesDone) / Math.max(1, p.slicesTotal)) })),
      },
    );
    for (const w of result.warnings) process.stderr.write(t('cli.warning', { message: w.message }) + '\n');
    if (flags.csv === true) {
      const csv = stringify(result.items.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')), { header: true, columns: CSV_COLUMNS });
      return { json: result, text: csv.trimEnd(), textIsDocument: true };
    }
    const lines = result.items.map(
      (r) => `${new Date(r.helpRequestedAt).toISOString()}  ${r.customerNo}  ${r.customerName}  ${r.agentId ?? '-'}  ${r.helpState}`,
    );
    lines.push(t('cli.historySummary', { records: result.items.length, requests: result.requests, warnings: result.warnings.length }));
    return { json: result, text: lines.join('\n') };
  },
};

const transcriptLink: Command = {
  name: 'transcript-link',
  usage: 'companion transcript-link --staff S --customer C --from F --to T',
  summary: 'A browser link to the transcript between a staff member and a customer.',
  flags: { staff: { type: 'string' }, customer: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run({ flags, options, env, signal }) {
    const query = {
      staffId: parseInput(idSchema, requiredString(flags.staff, '--staff'), 'staff id'),
      customerId: parseInput(idSchema, requiredString(flags.customer, '--customer'), 'customer id'),
      ...parseInput(dateRangeSchema, { startDate: parseDateArg(flags.from, '--from'), endDate: parseDateArg(flags.to, '--to') }, 'date range'),
    };
    const client = new DiyalogClient(await diyalogClientOptions(options, env));
    const { url } = await client.getMessagingDetail(query, { signal });
    return { json: { url }, text: url };
  },
};

const release: Command = {
  name: 'release',
  usage: 'companion release (--interaction I | --session S) [--message M]',
  summary: 'Release a customer stuck on the waiting screen (interactionisnotdelivered).',
  flags: { interaction: { type: 'string' }, session: { type: 'string' }, message: { type: 'string' } },
  async run({ flags, options, env, signal, t }) {
    const interactionId = optionalString(flags.interaction);
    const sessionId = optionalString(flags.session);
    const message = optionalString(flags.message);
    if ((interactionId === undefined) === (sessionId === undefined)) {
      throw new AppError('invalid_input', 'Give exactly one of --interaction or --session.');
    }
    parseInput(idSchema, interactionId ?? sessionId, interactionId !== undefined ? 'interaction id' : 'session id');
    const client = new DiyalogClient(await diyalogClientOptions(options, env));
    const result = await client.interactionIsNotDelivered(
      { ...(interactionId !== undefined && { interactionId }), ...(sessionId !== undefined && { sessionId }), ...(message !== undefined && { message }) },
      { signal },
    );
    return { json: result, text: t('cli.released', { message: result.message }) };
  },
};

const audit: Command = {
  name: 'audit',
  usage: 'companion audit',
  summary: 'The force-end audit trail, newest first.',
  flags: {},
  async run({ options, t }) {
    const entries = await new AuditLog(dataDirOf(options)).entries();
    const lines = entries.map(
      (e) => `${e.at}  ${e.actor}  customer ${e.customerId}  staff ${e.staffId}  ${e.outcome}${e.code ? ` (${e.code})` : ''}  ${e.reason}`,
    );
    return { json: { entries }, text: lines.length ? lines.join('\n') : t('cli.noAudit') };
  },
};

const loginDiyalog: Command = {
  name: 'login diyalog',
  usage: 'companion login diyalog --key-id K',
  summary: 'Store the Diyalog access key secret in the OS keychain (prompted without echo; stdin when not a terminal).',
  flags: {},
  async run({ options, signal, t }) {
    const keyId = options.keyId;
    if (!keyId) throw new AppError('invalid_input', 'Pass --key-id (or set COMPANION_DIYALOG_KEY_ID): the secret is stored under it.');
    const secret = process.stdin.isTTY ? await askSecret(`Diyalog secret for key id ${keyId}: `, signal) : await readAllStdin();
    if (secret.trim() === '') throw new AppError('invalid_input', 'The secret is empty; nothing was stored.');
    await new Keychain().setSecret('diyalog', keyId, secret);
    return { json: { stored: true, keyId }, text: t('cli.secretStored', { what: t('cli.diyalogSecret'), account: keyId }) };
  },
};

export const diyalogCommands: Command[] = [helpState, forceEnd, history, transcriptLink, release, audit, loginDiyalog];
