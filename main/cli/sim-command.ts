import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { untilAborted, type Command } from './command';
import { languageOf, numberFlag as parseNumberFlag, portFlag, type FlagContext } from './parse';

// The shared flag parser (main/cli/parse.ts): '', '0x10' or '1e3' are refused like 'abc'.
function numberFlag(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number, ctx: FlagContext): number {
  return parseNumberFlag(value, flag, { min, max, fallback, fraction: true }, ctx);
}

function choiceFlag<T extends string>(value: string | boolean | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new AppError('invalid_input', `${flag} must be one of ${choices.join(', ')}.`);
}

const sim: Command = {
  name: 'sim',
  usage:
    'companion sim [--diyalog-port P] [--skew-minutes M] [--latency-ms L] [--failure-rate R] ' +
    '[--signing example|pseudocode] [--algorithm sha256|sha1] [--page-size 20|25] [--agent-field agentId|agentUserId] [--tls]',
  summary: 'Run the Diyalog and ICWS simulators on 127.0.0.1 (demo data) until stopped; --tls serves HTTPS from a CA of their own and prints its file.',
  flags: {
    'diyalog-port': { type: 'string' },
    'skew-minutes': { type: 'string' },
    'latency-ms': { type: 'string' },
    'failure-rate': { type: 'string' },
    // Diyalog server versions and readings of the signing document (specs README §1.3).
    signing: { type: 'string' },
    algorithm: { type: 'string' },
    'page-size': { type: 'string' },
    'agent-field': { type: 'string' },
    // HTTPS with a certificate from a CA made for this run: a bank's internal CA, to try
    // tls.caFile or the OS store against (specs §2.6). The CA file is removed on exit.
    tls: { type: 'boolean' },
  },
  async run({ flags, env, lang, io, signal }) {
    // Every number first, before the simulators load: a bad value is a usage error (exit 2).
    const flagCtx = { lang: languageOf({ env, lang }), usage: sim.usage };
    const numbers = {
      port: portFlag(flags['diyalog-port'], '--diyalog-port', 0, flagCtx),
      clockOffsetMs: numberFlag(flags['skew-minutes'], '--skew-minutes', -1440, 1440, 0, flagCtx) * 60_000,
      latencyMs: numberFlag(flags['latency-ms'], '--latency-ms', 0, 60_000, 0, flagCtx),
      failureRate: numberFlag(flags['failure-rate'], '--failure-rate', 0, 1, 0, flagCtx),
    };
    const signingForm = choiceFlag(flags.signing, '--signing', ['example', 'pseudocode'] as const, 'example');
    const signatureAlgorithm = choiceFlag(flags.algorithm, '--algorithm', ['sha256', 'sha1'] as const, 'sha256');
    const pageSize = Number(choiceFlag(flags['page-size'], '--page-size', ['20', '25'] as const, '20'));
    const historyAgentField = choiceFlag(flags['agent-field'], '--agent-field', ['agentId', 'agentUserId'] as const, 'agentId');
    // Loaded on demand: every other command starts without parsing the simulators.
    const [{ startDiyalogSim }, { startIcwsSim, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2 }] = await Promise.all([import('../sim/diyalog/server'), import('../sim/icws/server')]);
    const tls = flags.tls === true ? await simTls() : null;
    const diyalog = await startDiyalogSim({
      ...(tls && { tls: tls.certificate }),
      ...numbers,
      signingForm,
      signatureAlgorithm,
      pageSize,
      historyAgentField,
      demo: true,
    });
    // As in demo mode: the demo user's scripted agents ask its supervisor desk for help.
    const agentScript = { supervisor: 'demo.agent', statusEveryMs: 20_000, raiseEveryMs: 45_000, replyAfterMs: 4_000 };
    const icws = await startIcwsSim({ mode: 'demo', agentScript, ...(tls && { tls: tls.certificate }) });
    // Demo credentials of a local simulator, printed on purpose: they open nothing real.
    const line = {
      diyalog: {
        url: diyalog.url,
        keyId: diyalog.credentials.keyId,
        secret: diyalog.credentials.secret,
        staffId: diyalog.staffId,
        signing: diyalog.control.signing,
        pageSize,
        historyAgentField,
      },
      icws: {
        url: icws.url,
        alternateUrl: icws.alternateUrl,
        userId: icws.user.userId,
        password: icws.user.password,
        interactionIds: icws.interactionIds,
        // The demo agent's workgroup supervisors: log in as one (a second window, or companion supervise) to answer its requests.
        supervisors: [DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2].map((u) => ({ userId: u.userId, password: u.password })),
      },
      ...(tls && { caFile: tls.caFile }),
    };
    io.stdout.write(JSON.stringify(line) + '\n');
    await untilAborted(signal);
    await Promise.all([diyalog.close(), icws.close()]);
    await tls?.remove();
  },
};

/** A CA for this run, its server certificate, and the CA written to a private temporary file. */
async function simTls() {
  const { createSimAuthority } = await import('../sim/certificates');
  const authority = createSimAuthority();
  const dir = await mkdtemp(join(tmpdir(), 'companion-sim-ca-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, authority.caPem, { mode: 0o600 });
  return { certificate: authority.issue(), caFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const simCommands: Command[] = [sim];
