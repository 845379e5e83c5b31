import type { AssistanceRequest } from '../../shared/assistance';
import { AppError } from '../../shared/errors';
import { AssistanceClient } from '../icws/assistance';
import { MessagePump } from '../icws/messaging';
import { IcwsSession } from '../icws/session';
import { parseAssistanceText, parseId } from '../icws/wire';
import { icwsAccount } from '../services/secrets';
import { Keychain } from '../store/keychain';
import { untilAborted, type Command, type CommandContext, type CommandOutput } from './command';
import type { GlobalOptions } from './config';
import type { Translate } from './language';
import { exactlyOneArg, requiredString } from './parse';
import { askSecret, readAllStdin } from './terminal';

/** How long `list` waits for the live view to fill before it gives up. */
const SYNC_TIMEOUT_MS = 15_000;

function icwsTarget(options: GlobalOptions): { baseUrl: string; userId: string } {
  if (!options.icwsUrl) throw new AppError('missing_credentials', 'No ICWS URL configured: pass --icws-url or set COMPANION_ICWS_URL.');
  if (!options.icwsUser) throw new AppError('missing_credentials', 'No ICWS user configured: pass --icws-user or set COMPANION_ICWS_USER.');
  try {
    new URL(options.icwsUrl);
  } catch {
    throw new AppError('invalid_input', `--icws-url is not a URL: ${options.icwsUrl}`);
  }
  return { baseUrl: options.icwsUrl, userId: options.icwsUser };
}

/** Runs `work` with a logged-in assistance client, and always logs out before returning. */
async function withAssistance<T>(ctx: CommandContext, work: (client: AssistanceClient) => Promise<T>): Promise<T> {
  const { baseUrl, userId } = icwsTarget(ctx.options);
  const password = ctx.env.COMPANION_ICWS_PASSWORD || (await new Keychain().getSecret('icws', icwsAccount(userId, baseUrl)));
  if (!password) {
    throw new AppError('missing_credentials', `No ICWS password for ${userId}: run "companion login icws" or set COMPANION_ICWS_PASSWORD.`);
  }
  // A command gives up rather than retrying a dead server forever.
  const session = new IcwsSession({ baseUrl, credentials: { userId, password }, fetch: globalThis.fetch, reconnect: { baseMs: 500, capMs: 4_000, maxAttempts: 3 } });
  const pump = new MessagePump(session);
  const client = new AssistanceClient(session, pump);
  try {
    return await work(client);
  } finally {
    await pump.stop().catch(() => undefined);
    await session.logout().catch(() => undefined);
  }
}

function describe(requests: AssistanceRequest[], t: Translate): string {
  if (requests.length === 0) return t('cli.noAssistance');
  return requests
    .map((r) => {
      const who = r.participants.map((p) => `${p.displayName} (${p.action})`).join(', ');
      const lines = r.messages.map((m) => `    ${m.timeAdded}  ${m.participantId}: ${m.text}`);
      return [`${r.assistanceId}  interaction ${r.interactionId ?? '-'}  ${r.state}  ${who}`, ...lines].join('\n');
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
      const requests = await syncedList(ctx, client);
      return { json: { requests }, text: describe(requests, ctx.t) };
    }),
};

const create: Command = {
  name: 'assistance create',
  usage: 'companion assistance create <interactionId> --text T',
  summary: 'Ask a supervisor for help on an interaction.',
  flags: { text: { type: 'string' } },
  run: (ctx) => {
    // Bad input is refused before any credential is looked up or anything is sent.
    const interactionId = parseId(exactlyOneArg(ctx.args, 'interaction id'), 'interaction id');
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text'));
    return withAssistance(ctx, async (client) => {
      const assistanceId = await client.request(interactionId, text, ctx.signal);
      return { json: { assistanceId }, text: ctx.t('cli.assistanceCreated', { assistanceId }) };
    });
  },
};

const update: Command = {
  name: 'assistance update',
  usage: 'companion assistance update <assistanceId> --text T',
  summary: 'Add a message to an assistance request.',
  flags: { text: { type: 'string' } },
  run: (ctx) => {
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistance id'), 'assistance id');
    const text = parseAssistanceText(requiredString(ctx.flags.text, '--text'));
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
    const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistance id'), 'assistance id');
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
    withAssistance(ctx, async (client) => {
      const print = (requests: AssistanceRequest[]) =>
        process.stdout.write((ctx.options.json ? JSON.stringify({ requests }) : `${describe(requests, ctx.t)}\n--`) + '\n');
      client.onChange(print);
      print(await syncedList(ctx, client));
      await untilAborted(ctx.signal);
    }),
};

const loginIcws: Command = {
  name: 'login icws',
  usage: 'companion login icws --icws-url U --icws-user N',
  summary: 'Store the ICWS password in the OS keychain (prompted without echo; stdin when not a terminal).',
  flags: {},
  async run({ options, signal, t }) {
    const { baseUrl, userId } = icwsTarget(options);
    const password = process.stdin.isTTY ? await askSecret(`ICWS password for ${userId}: `, signal) : await readAllStdin();
    if (password === '') throw new AppError('invalid_input', 'The password is empty; nothing was stored.');
    const account = icwsAccount(userId, baseUrl);
    await new Keychain().setSecret('icws', account, password);
    return { json: { stored: true, account }, text: t('cli.secretStored', { what: t('cli.icwsPassword'), account }) };
  },
};

export const assistanceCommands: Command[] = [list, create, update, complete, watch, loginIcws];
