// `companion supervise …` and `companion agents`: the supervisor desk on a terminal (issue 18).
// The JSON documents are the issue's shapes exactly; a non-supervisor gets not_supervisor (exit 1).

import { translateError } from '../../shared/i18n';
import { escapeForTerminal as esc } from '../../shared/text';
import type { AgentStatusRow, SupervisorRequest } from '../../shared/supervisor';
import { parseAssistanceText, parseId } from '../icws/wire';
import { actOnRequest, agentsBoard, listSupervisorRequests, watchSupervisorRequests } from '../services/supervise-once';
import type { SupervisorDeed } from '../services/supervise-once';
import type { Command, CommandContext, CommandOutput } from './command';
import type { Translate } from './language';
import { exactlyOneArg, languageOf } from './parse';
import { AppError } from '../../shared/errors';

/** The issue's row: the list's fields, not the conversation. */
function requestDocument(r: SupervisorRequest) {
  return {
    assistanceId: r.assistanceId,
    interactionId: r.interactionId,
    problemDescription: r.problemDescription,
    workgroup: r.workgroup,
    initiator: { userId: r.initiator.userId, displayName: r.initiator.displayName },
    state: r.state,
    myAction: r.myAction,
  };
}

function agentDocument(a: AgentStatusRow) {
  return { userId: a.userId, statusId: a.statusId, loggedIn: a.loggedIn, onPhone: a.onPhone, since: a.since, ...(a.error && { error: a.error }) };
}

function describeRequests(requests: SupervisorRequest[], t: Translate): string {
  if (requests.length === 0) return t('cli.noSupervisorRequests');
  return requests
    .map((r) => {
      // Server values, escaped: nothing the server sends moves the cursor or forges a line.
      const notes = [
        r.acceptedBy ? t('cli.supervisorAcceptedBy', { name: esc(r.acceptedBy.displayName) }) : null,
        r.myAction === 'ignored' ? t('cli.supervisorYouIgnored') : null,
      ].filter((n) => n !== null);
      const state = `${t(`cli.supervisorState.${r.state}`)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
      const head = t('cli.supervisorRequest', {
        assistanceId: esc(r.assistanceId),
        state,
        workgroup: esc(r.workgroup),
        initiator: esc(r.initiator.displayName),
        interactionId: esc(r.interactionId),
      });
      return `${head}\n    ${esc(r.problemDescription)}`;
    })
    .join('\n');
}

function describeAgents(agents: AgentStatusRow[], t: Translate, lang: CommandContext['lang']): string {
  if (agents.length === 0) return t('cli.noSupervisorAgents');
  const yesNo = (value: boolean | null, yes: 'cli.agentLoggedIn' | 'cli.agentOnPhone', no: 'cli.agentLoggedOut' | 'cli.agentOffPhone') =>
    t(value === null ? 'cli.agentUnknown' : value ? yes : no);
  return agents
    .map((a) =>
      a.error
        ? `${esc(a.userId)}  ${translateError(lang ?? 'en', a.error.code)}: ${esc(a.error.message)}`
        : t('cli.agentRow', {
            userId: esc(a.userId),
            status: esc(a.statusId ?? '?'),
            loggedIn: yesNo(a.loggedIn, 'cli.agentLoggedIn', 'cli.agentLoggedOut'),
            onPhone: yesNo(a.onPhone, 'cli.agentOnPhone', 'cli.agentOffPhone'),
            since: a.since ?? '?',
          }),
    )
    .join('\n');
}

const list: Command = {
  name: 'supervise list',
  usage: 'companion supervise list',
  summary: 'The assistance requests of the agents you supervise (ICWS workgroup supervisor).',
  flags: {},
  async run(ctx): Promise<CommandOutput> {
    if (ctx.args.length > 0) throw new AppError('invalid_input', 'companion supervise list takes no arguments.');
    const requests = await listSupervisorRequests(await ctx.services(), ctx.signal);
    return { json: { requests: requests.map(requestDocument) }, text: describeRequests(requests, ctx.t) };
  },
};

const watch: Command = {
  name: 'supervise watch',
  usage: 'companion supervise watch',
  summary: 'Print the requests on every change (one JSON line each with --json) until interrupted.',
  flags: {},
  async run(ctx) {
    if (ctx.args.length > 0) throw new AppError('invalid_input', 'companion supervise watch takes no arguments.');
    await watchSupervisorRequests(
      await ctx.services(),
      (requests) => {
        ctx.io.stdout.write((ctx.options.json ? JSON.stringify({ requests: requests.map(requestDocument) }) : `${describeRequests(requests, ctx.t)}\n--`) + '\n');
      },
      ctx.signal,
    );
  },
};

function act(kind: 'accept' | 'ignore'): Command {
  return {
    name: `supervise ${kind}`,
    usage: `companion supervise ${kind} <assistanceId>`,
    summary: kind === 'accept' ? 'Accept an agent\'s request (it closes for the other supervisors).' : 'Ignore an agent\'s request (only for you).',
    flags: {},
    async run(ctx) {
      // Bad input is refused before any credential is looked up or anything is sent.
      const lang = languageOf(ctx);
      const assistanceId = parseId(exactlyOneArg(ctx.args, 'assistanceId', { lang }), 'assistanceId', lang);
      const deed: SupervisorDeed = { kind };
      const result = await actOnRequest(await ctx.services(), assistanceId, deed, ctx.signal);
      return { json: result, text: ctx.t(kind === 'accept' ? 'cli.supervisorAccepted' : 'cli.supervisorIgnored', { assistanceId: esc(assistanceId) }) };
    },
  };
}

const answer: Command = {
  name: 'supervise answer',
  usage: 'companion supervise answer <assistanceId> <text>',
  summary: 'Write to the agent on a request.',
  flags: {},
  async run(ctx) {
    const lang = languageOf(ctx);
    if (ctx.args.length !== 2) throw new AppError('invalid_input', 'Give the assistance id and the text: companion supervise answer <assistanceId> <text>.');
    const assistanceId = parseId(ctx.args[0], 'assistanceId', lang);
    const text = parseAssistanceText(ctx.args[1], lang);
    const result = await actOnRequest(await ctx.services(), assistanceId, { kind: 'answer', text }, ctx.signal);
    return { json: result, text: ctx.t('cli.supervisorAnswered', { assistanceId: esc(assistanceId) }) };
  },
};

const agents: Command = {
  name: 'agents',
  usage: 'companion agents',
  summary: 'Your agents\' ICWS statuses (setting supervisor.agents).',
  flags: {},
  async run(ctx) {
    if (ctx.args.length > 0) throw new AppError('invalid_input', 'companion agents takes no arguments.');
    const board = await agentsBoard(await ctx.services(), ctx.signal);
    return { json: { agents: board.agents.map(agentDocument) }, text: describeAgents(board.agents, ctx.t, ctx.lang) };
  },
};

export const superviseCommands: Command[] = [list, watch, act('accept'), act('ignore'), answer, agents];
