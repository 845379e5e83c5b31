import { historyCsv } from '../../shared/history-csv';
import { AppError } from '../../shared/errors';
import { escapeForTerminal as esc } from '../../shared/text';
import { HISTORY_CONCURRENCY_DEFAULT, HISTORY_CONCURRENCY_MAX, customerMessageSchema, dateRangeSchema, idSchema, parseInput } from '../../shared/validation';
import { searchHistory } from '../services/history-feature';
import { releaseWaitingCustomer } from '../services/release';
import { transcriptLinkOf } from '../services/transcript-feature';
import { helpStateOf } from '../services/watch-feature';
import type { Command } from './command';
import { exactlyOneArg, languageOf, optionalString, parseDateArg, positiveInteger, requiredString } from './parse';
import { askSecret, readAllStdin } from './terminal';

const helpState: Command = {
  name: 'help-state',
  usage: 'companion help-state <customerId>',
  summary: 'Is the customer in a live-help session now, and with whom?',
  flags: {},
  async run({ args, env, lang: chosen, services, signal, t }) {
    const lang = languageOf({ env, lang: chosen });
    const customerId = parseInput(idSchema, exactlyOneArg(args, 'customerId', { lang }), 'customerId', lang);
    const state = await helpStateOf(await services(), customerId, signal);
    const text = state.isInHelp
      ? t('cli.inHelp', {
          customerId: esc(state.customerId),
          helpType: state.helpType ? t(`cli.helpType.${state.helpType}`) : '?',
          staffId: esc(state.staffId ?? '?'),
        })
      : t('cli.notInHelp', { customerId: esc(state.customerId) });
    return { json: state, text };
  },
};


const history: Command = {
  name: 'history',
  usage: 'companion history --from <ISO 8601 | epoch ms> --to <...> [--customer X] [--agent Y] [--concurrency N] [--csv]',
  summary: 'Every help record in a date range, newest first, de-duplicated.',
  flags: {
    from: { type: 'string' }, to: { type: 'string' }, customer: { type: 'string' }, agent: { type: 'string' },
    concurrency: { type: 'string' }, csv: { type: 'boolean' },
  },
  async run({ flags, options, env, lang: chosen, services, io, progress, signal, t }) {
    const lang = languageOf({ env, lang: chosen });
    const usage = { lang, usage: history.usage };
    const startDate = parseDateArg(flags.from, '--from', usage);
    const endDate = parseDateArg(flags.to, '--to', usage);
    // The range too, before any setting or secret is read.
    parseInput(dateRangeSchema, { startDate, endDate }, 'dateRange', lang);
    // The same bound as the app's history search (shared/validation.ts).
    // Unset unless given: the default, within the administrator's limit, is the feature's to pick.
    const concurrency = flags.concurrency === undefined ? undefined : positiveInteger(flags.concurrency, '--concurrency', HISTORY_CONCURRENCY_DEFAULT, HISTORY_CONCURRENCY_MAX, usage);
    if (flags.csv === true && options.json) throw new AppError('invalid_input', 'Choose one of --csv and --json.');
    const customer = optionalString(flags.customer);
    const agent = optionalString(flags.agent);
    const customerId = customer === undefined ? undefined : parseInput(idSchema, customer, 'customerId', lang);
    const agentId = agent === undefined ? undefined : parseInput(idSchema, agent, 'agentId', lang);
    const result = await searchHistory(
      await services(),
      { startDate, endDate, ...(customerId !== undefined && { customerId }), ...(agentId !== undefined && { agentId }) },
      {
        ...(concurrency !== undefined && { concurrency }),
        signal,
        onProgress: (p) =>
          progress(t('cli.historyProgress', { records: p.records, requests: p.requests, percent: Math.floor((100 * p.slicesDone) / Math.max(1, p.slicesTotal)) })),
      },
    );
    for (const w of result.warnings) io.stderr.write(t('cli.warning', { message: w.message }) + '\n');
    if (flags.csv === true) {
      // Formulas escaped: a customer name such as =HYPERLINK(...) gets a leading ' and is shown,
      // never run, in the spreadsheet a supervisor opens the file in (as the app's Export does).
      const csv = historyCsv(result.items);
      return { json: result, text: csv.trimEnd(), textIsDocument: true };
    }
    const lines = result.items.map(
      // Server values, escaped: a name with a newline or an escape sequence cannot forge a line or recolour the terminal.
      (r) => `${new Date(r.helpRequestedAt).toISOString()}  ${esc(r.customerNo)}  ${esc(r.customerName)}  ${esc(r.agentId ?? '-')}  ${esc(r.helpState)}`,
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
  async run({ flags, env, lang: chosen, services, signal }) {
    const lang = languageOf({ env, lang: chosen });
    const usage = { lang, usage: transcriptLink.usage };
    const query = {
      staffId: parseInput(idSchema, requiredString(flags.staff, '--staff', usage), 'staffId', lang),
      customerId: parseInput(idSchema, requiredString(flags.customer, '--customer', usage), 'customerId', lang),
      ...parseInput(dateRangeSchema, { startDate: parseDateArg(flags.from, '--from', usage), endDate: parseDateArg(flags.to, '--to', usage) }, 'dateRange', lang),
    };
    const { url } = await transcriptLinkOf(await services(), query, signal);
    return { json: { url }, text: esc(url) };
  },
};

const release: Command = {
  name: 'release',
  usage: 'companion release (--interaction I | --session S) [--message M]',
  summary: 'Release a customer stuck on the waiting screen (interactionisnotdelivered).',
  flags: { interaction: { type: 'string' }, session: { type: 'string' }, message: { type: 'string' } },
  async run({ flags, env, lang: chosen, services, signal, t }) {
    const lang = languageOf({ env, lang: chosen });
    const interactionId = optionalString(flags.interaction);
    const sessionId = optionalString(flags.session);
    const message = optionalString(flags.message);
    if ((interactionId === undefined) === (sessionId === undefined)) {
      throw new AppError('invalid_input', 'Give exactly one of --interaction or --session.');
    }
    parseInput(idSchema, interactionId ?? sessionId, interactionId !== undefined ? 'interactionId' : 'sessionId', lang);
    if (message !== undefined) parseInput(customerMessageSchema, message, 'message', lang);
    const result = await releaseWaitingCustomer(
      await services(),
      { ...(interactionId !== undefined && { interactionId }), ...(sessionId !== undefined && { sessionId }), ...(message !== undefined && { message }) },
      signal,
    );
    return { json: result, text: t('cli.released', { message: esc(result.message) }) };
  },
};

const loginDiyalog: Command = {
  name: 'login diyalog',
  usage: 'companion login diyalog [--key-id K]',
  summary: 'Store the Diyalog access key secret in the OS keychain (prompted without echo; stdin when not a terminal).',
  flags: {},
  async run({ services, io, signal, t }) {
    const opened = await services();
    const keyId = opened.config.get().diyalog.keyId;
    if (!keyId) {
      throw new AppError('invalid_input', 'Set the access key id first ("companion settings set diyalog.keyId K", --key-id or COMPANION_DIYALOG_KEY_ID): the secret is stored under it.');
    }
    const secret = io.stdin.isTTY ? await askSecret(`Diyalog secret for key id ${keyId}: `, io, signal) : await readAllStdin(io.stdin);
    if (secret.trim() === '') throw new AppError('invalid_input', 'The secret is empty; nothing was stored.');
    await opened.secrets.store('diyalog', secret);
    return { json: { stored: true, keyId }, text: t('cli.secretStored', { what: t('cli.diyalogSecret'), account: keyId }) };
  },
};

export const diyalogCommands: Command[] = [helpState, history, transcriptLink, release, loginDiyalog];
