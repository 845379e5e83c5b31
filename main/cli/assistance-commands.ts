import type { AssistanceRequest } from '../../shared/assistance';
import { AppError } from '../../shared/errors';
import { parseAssistanceText, parseId } from '../icws/wire';
import { addAssistanceMessage, completeAssistance, createAssistance, listAssistance, watchAssistance } from '../services/assistance-once';
import type { ServiceContext } from '../services/context';
import type { Command, CommandOutput } from './command';
import { escapeForTerminal as esc } from '../../shared/text';
import type { Translate } from './language';
import { exactlyOneArg, languageOf, requiredString } from './parse';
import { askSecret, readAllStdin } from './terminal';

/** The ICWS user from the effective settings (file, variables, flags): the password is stored under it. */
function icwsUser(services: ServiceContext): string {
  const { baseUrl, userId } = services.config.get().icws;
  const hint = 'set it with "companion settings set", in Settings, or for one run with';
  if (!baseUrl) throw new AppError('missing_credentials', `No ICWS server configured: ${hint} --icws-url or COMPANION_ICWS_URL.`);
  if (!userId) throw new AppError('missing_credentials', `No ICWS user configured: ${hint} --icws-user or COMPANION_ICWS_USER.`);
  return userId;
}

function describe(requests: AssistanceRequest[], t: Translate): string {
  if (requests.length === 0) return t('cli.noAssistance');
  return requests
    .map((r) => {
      // Server values, escaped: a message's newline stays on its line, so no one can forge a
      // message from the supervisor or an escape sequence reach the terminal.
      const who = r.participants.map((p) => `${esc(p.displayName)} (${p.action})`).join(', ');
      const lines = r.messages.map((m) => `    ${esc(m.timeAdded)}  ${esc(m.participantId)}: ${esc(m.text)}`);
      return [`${esc(r.assistanceId)}  interaction ${esc(r.interactionId ?? '-')}  ${r.state}  ${who}`, ...lines].join('\n');
    })
    .join('\n');
}

const list: Command = {
  name: 'assistance list',
  usage: 'companion assistance list',
  summary: 'Your open agent-assistance requests, with their messages and participants.',
  flags: {},
  async run(ctx): Promise<CommandOutput> {
    // `stale`: the server said the subscription was Suspended or Faulted; the list may be out of date.
    const { requests, stale } = await listAssistance(await ctx.services(), ctx.signal);
    return { json: { requests, stale }, text: `${describe(requests, ctx.t)}${stale ? `\n${ctx.t('cli.assistanceStale')}` : ''}` };
  },
};

const create: Command = {
  name: 'assistance create',
  usage: 'companion assistance create <interactionId> --text T',
  summary: 'Ask a supervisor for help on an interaction.',
  flags: { text: { type: 'string' } },
  async run(ctx) {
    // Bad input is refused before any credential is looked up or anything is sent.
    const lang = languageOf(ctx);
    const interactionId = parseId(exactlyOneArg(ctx.args, 'interactionId', { lang }), 'interactionId', lang);
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text', { lang }), lang);
    const assistanceId = await createAssistance(await ctx.services(), interactionId, text, ctx.signal);
    return { json: { assistanceId }, text: ctx.t('cli.assistanceCreated', { assistanceId: esc(assistanceId) }) };
  },
};

const update: Command = {
  name: 'assistance update',
  usage: 'companion assistance update <assistanceId> --text T',
  summary: 'Add a message to an assistance request.',
  flags: { text: { type: 'string' } },
  async run(ctx) {
    const lang = languageOf(ctx);
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistanceId', { lang }), 'assistanceId', lang);
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text', { lang }), lang);
    await addAssistanceMessage(await ctx.services(), assistanceId, text, ctx.signal);
    return { json: { assistanceId, ok: true }, text: ctx.t('cli.assistanceUpdated', { assistanceId }) };
  },
};

const complete: Command = {
  name: 'assistance complete',
  usage: 'companion assistance complete <assistanceId>',
  summary: 'Complete (close) an assistance request.',
  flags: {},
  async run(ctx) {
    const lang = languageOf(ctx);
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistanceId', { lang }), 'assistanceId', lang);
    await completeAssistance(await ctx.services(), assistanceId, ctx.signal);
    return { json: { assistanceId, ok: true }, text: ctx.t('cli.assistanceCompleted', { assistanceId }) };
  },
};

const watch: Command = {
  name: 'assistance watch',
  usage: 'companion assistance watch',
  summary: 'Print the requests on every change (one JSON line each with --json) until interrupted.',
  flags: {},
  async run(ctx) {
    // The server ending the session (an administrator, or a login elsewhere) and asking not to
    // log in again by ourselves ends the watch with session_ended (exit 4).
    await watchAssistance(
      await ctx.services(),
      ({ requests, stale }) => {
        const text = `${describe(requests, ctx.t)}${stale ? `\n${ctx.t('cli.assistanceStale')}` : ''}\n--`;
        ctx.io.stdout.write((ctx.options.json ? JSON.stringify({ requests, stale }) : text) + '\n');
      },
      ctx.signal,
    );
  },
};

const loginIcws: Command = {
  name: 'login icws',
  usage: 'companion login icws [--icws-url U] [--icws-user N]',
  summary: 'Store the ICWS password in the OS keychain (prompted without echo; stdin when not a terminal).',
  flags: {},
  async run({ services, io, signal, t }) {
    const opened = await services();
    const userId = icwsUser(opened);
    const password = io.stdin.isTTY ? await askSecret(`ICWS password for ${userId}: `, io, signal) : await readAllStdin(io.stdin);
    if (password === '') throw new AppError('invalid_input', 'The password is empty; nothing was stored.');
    const account = opened.secrets.accountOf('icws') ?? userId;
    await opened.secrets.store('icws', password);
    return { json: { stored: true, account }, text: t('cli.secretStored', { what: t('cli.icwsPassword'), account }) };
  },
};

export const assistanceCommands: Command[] = [list, create, update, complete, watch, loginIcws];
