import { AppError } from '../../shared/errors';
import { startDiyalogSim } from '../sim/diyalog/server';
import { startIcwsSim } from '../sim/icws/server';
import { untilAborted, type Command } from './command';

function numberFlag(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new AppError('invalid_input', `${flag} must be a number from ${min} to ${max}.`);
  return n;
}


const sim: Command = {
  name: 'sim',
  usage: 'companion sim [--diyalog-port P] [--skew-minutes M] [--latency-ms L] [--failure-rate R]',
  summary: 'Run the Diyalog and ICWS simulators on 127.0.0.1 (demo data) until stopped.',
  flags: {
    'diyalog-port': { type: 'string' },
    'skew-minutes': { type: 'string' },
    'latency-ms': { type: 'string' },
    'failure-rate': { type: 'string' },
  },
  async run({ flags, signal }) {
    const diyalog = await startDiyalogSim({
      port: numberFlag(flags['diyalog-port'], '--diyalog-port', 0, 65535, 0),
      clockOffsetMs: numberFlag(flags['skew-minutes'], '--skew-minutes', -1440, 1440, 0) * 60_000,
      latencyMs: numberFlag(flags['latency-ms'], '--latency-ms', 0, 60_000, 0),
      failureRate: numberFlag(flags['failure-rate'], '--failure-rate', 0, 1, 0),
      demo: true,
    });
    const icws = await startIcwsSim({ mode: 'demo' });
    // Demo credentials of a local simulator, printed on purpose: they open nothing real.
    const line = {
      diyalog: { url: diyalog.url, keyId: diyalog.credentials.keyId, secret: diyalog.credentials.secret, staffId: diyalog.staffId },
      icws: { url: icws.url, alternateUrl: icws.alternateUrl, userId: icws.user.userId, password: icws.user.password, interactionIds: icws.interactionIds },
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    await untilAborted(signal);
    await Promise.all([diyalog.close(), icws.close()]);
  },
};

export const simCommands: Command[] = [sim];
