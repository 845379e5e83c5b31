import type { AssistanceRequest } from '../../shared/assistance';
import { AppError } from '../../shared/errors';
import { AssistanceClient } from '../icws/assistance';
import { MessagePump } from '../icws/messaging';
import { IcwsSession } from '../icws/session';
import { parseAssistanceText, parseId } from '../icws/wire';
import type { ServiceContext } from '../services/context';
import { untilAborted, type Command, type CommandContext, type CommandOutput } from './command';
import { escapeForTerminal as esc } from '../../shared/text';
import type { Translate } from './language';
import { exactlyOneArg, languageOf, requiredString } from './parse';
import { askSecret, readAllStdin } from './terminal';

/** How long `list` waits for the live view to fill before it gives up. */
const SYNC_TIMEOUT_MS = 15_000;

/** The ICWS server and user from the effective settings (file, variables, flags). */
function icwsTarget(services: ServiceContext): { baseUrl: string; userId: string } {
  const { baseUrl, userId } = services.config.get().icws;
  const hint = 'set it with "companion settings set", in Settings, or for one run with';
  if (!baseUrl) throw new AppError('missing_credentials', `No ICWS server configured: ${hint} --icws-url or COMPANION_ICWS_URL.`);
  if (!userId) throw new AppError('missing_credentials', `No ICWS user configured: ${hint} --icws-user or COMPANION_ICWS_USER.`);
  return { baseUrl, userId };
}

/** Runs `work` with a logged-in assistance client, and always logs out before returning. */
async function withAssistance<T>(ctx: CommandContext, work: (client: AssistanceClient, session: IcwsSession) => Promise<T>): Promise<T> {
  const services = await ctx.services();
  const { baseUrl, userId } = icwsTarget(services);
  const password = await services.secretOf('icws');
  if (!password) {
    throw new AppError('missing_credentials', `No ICWS password for ${userId}: run "companion login icws" or set COMPANION_ICWS_PASSWORD.`);
  }
  // A command gives up rather than retrying a dead server forever.
  const session = new IcwsSession({
    baseUrl,
    credentials: { userId, password },
    applicationName: services.config.get().icws.applicationName,
    language: services.language() === 'tr' ? 'tr-TR' : 'en-US',
    allowInsecureHttp: services.config.get().allowInsecureHttp,
    fetch: services.fetch,
    reconnect: { baseMs: 500, capMs: 4_000, maxAttempts: 3 },
  });
  const pump = new MessagePump(session);
  const client = new AssistanceClient(session, pump);
  try {
    return await work(client, session);
  } finally {
    await pump.stop().catch(() => undefined);
    await session.logout().catch(() => undefined);
  }
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

async function syncedList(ctx: CommandContext, client: AssistanceClient): Promise<AssistanceRequest[]> {
  await client.start(ctx.signal);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(SYNC_TIMEOUT_MS)]);
  try {
    await client.whenSynced(signal);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    throw new AppError('unavailable', 'The ICWS server did not send the assistance list in time.');
  }
  return client.list();
}

const list: Command = {
  name: 'assistance list',
  usage: 'companion assistance list',
  summary: 'Your open agent-assistance requests, with their messages and participants.',
  flags: {},
  run: (ctx) =>
    withAssistance(ctx, async (client): Promise<CommandOutput> => {
      await syncedList(ctx, client);
      // `stale`: the server said the subscription was Suspended or Faulted; the list may be out of date.
      const { requests, stale } = client.snapshot();
      return { json: { requests, stale }, text: `${describe(requests, ctx.t)}${stale ? `\n${ctx.t('cli.assistanceStale')}` : ''}` };
    }),
};

const create: Command = {
  name: 'assistance create',
  usage: 'companion assistance create <interactionId> --text T',
  summary: 'Ask a supervisor for help on an interaction.',
  flags: { text: { type: 'string' } },
  run: (ctx) => {
    // Bad input is refused before any credential is looked up or anything is sent.
    const lang = languageOf(ctx);
    const interactionId = parseId(exactlyOneArg(ctx.args, 'interactionId', { lang }), 'interactionId', lang);
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text', { lang }), lang);
    return withAssistance(ctx, async (client) => {
      const assistanceId = await client.request(interactionId, text, ctx.signal);
      return { json: { assistanceId }, text: ctx.t('cli.assistanceCreated', { assistanceId: esc(assistanceId) }) };
    });
  },
};

const update: Command = {
  name: 'assistance update',
  usage: 'companion assistance update <assistanceId> --text T',
  summary: 'Add a message to an assistance request.',
  flags: { text: { type: 'string' } },
  run: (ctx) => {
    const lang = languageOf(ctx);
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistanceId', { lang }), 'assistanceId', lang);
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text', { lang }), lang);
    return withAssistance(ctx, async (client) => {
      await client.addMessage(assistanceId, text, ctx.signal);
      return { json: { assistanceId, ok: true }, text: ctx.t('cli.assistanceUpdated', { assistanceId }) };
    });
  },
};

const complete: Command = {
  name: 'assistance complete',
  usage: 'companion assistance complete <assistanceId>',
  summary: 'Complete (close) an assistance request.',
  flags: {},
  run: (ctx) => {
    const lang = languageOf(ctx);
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistanceId', { lang }), 'assistanceId', lang);
    return withAssistance(ctx, async (client) => {
      await client.complete(assistanceId, ctx.signal);
      return { json: { assistanceId, ok: true }, text: ctx.t('cli.assistanceCompleted', { assistanceId }) };
    });
  },
};

const watch: Command = {
  name: 'assistance watch',
  usage: 'companion assistance watch',
  summary: 'Print the requests on every change (one JSON line each with --json) until interrupted.',
  flags: {},
  run: (ctx) =>
    withAssistance(ctx, async (client, session) => {
      const print = () => {
        const { requests, stale } = client.snapshot();
        const text = `${describe(requests, ctx.t)}${stale ? `\n${ctx.t('cli.assistanceStale')}` : ''}\n--`;
        ctx.io.stdout.write((ctx.options.json ? JSON.stringify({ requests, stale }) : text) + '\n');
      };
      client.onChange(print);
      client.onStaleChange(print);
      await syncedList(ctx, client);
      print();
      // The server ended the session (an administrator, or a login elsewhere) and asked not to
      // log in again by ourselves: a watch cannot go on, so it ends with session_ended (exit 4).
      let offEnded = () => {};
      const ended = new Promise<never>((_, reject) => {
        offEnded = session.onEnded(reject);
        if (session.ended) reject(session.ended);
      });
      try {
        await Promise.race([untilAborted(ctx.signal), ended]);
      } finally {
        offEnded();
        ended.catch(() => undefined);
      }
    }),
};

const loginIcws: Command = {
  name: 'login icws',
  usage: 'companion login icws [--icws-url U] [--icws-user N]',
  summary: 'Store the ICWS password in the OS keychain (prompted without echo; stdin when not a terminal).',
  flags: {},
  async run({ services, io, signal, t }) {
    const opened = await services();
    const { userId } = icwsTarget(opened);
    const password = io.stdin.isTTY ? await askSecret(`ICWS password for ${userId}: `, io, signal) : await readAllStdin(io.stdin);
    if (password === '') throw new AppError('invalid_input', 'The password is empty; nothing was stored.');
    const account = opened.accountOf('icws') ?? userId;
    await opened.storeSecret('icws', password);
    return { json: { stored: true, account }, text: t('cli.secretStored', { what: t('cli.icwsPassword'), account }) };
  },
};

export const assistanceCommands: Command[] = [list, create, update, complete, watch, loginIcws];
