// The audit trail's way to the bank's collector from a terminal: `companion audit forward`
// sends what waits and exits (for a scheduled task); with --status it only says how far
// behind the forwarding is. And the flush a command that wrote audit entries makes before it
// exits.

import { escapeForTerminal as esc } from '../../shared/text';
import type { ServiceContext } from '../services/context';
import type { Command } from './command';
import { EXIT, exitCodeFor } from './exit-codes';

/** How long a command that wrote entries waits for the collector before it exits (they wait in the outbox otherwise). */
export const EXIT_FLUSH_MS = 3_000;
/** How long `companion audit forward` may take in all. */
const FORWARD_DEADLINE_MS = 60_000;

const auditForward: Command = {
  name: 'audit forward',
  usage: 'companion audit forward [--status]',
  summary: "Send the audit entries that wait to the bank's syslog collector (audit.forward.url), then exit; --status says how far behind it is.",
  flags: { status: { type: 'boolean' } },
  async run(ctx) {
    const opened = await ctx.services();
    if (ctx.flags.status === true) {
      const status = await opened.audit.forwardStatus();
      const text = [
        ctx.t('cli.forwardStatus', { pending: status.pending, lastSentSeq: status.lastSentSeq }),
        ...(status.lastError === null ? [] : [ctx.t('cli.forwardLastError', { error: esc(status.lastError) })]),
      ].join('\n');
      return { json: status, text };
    }
    const result = await opened.forwarder.flush(FORWARD_DEADLINE_MS);
    const status = await opened.audit.forwardStatus();
    const json = { sent: result.sent, ...status };
    if (result.skipped === 'not_configured') return { json, text: ctx.t('cli.forwardOff'), exitCode: EXIT.refused };
    if (result.skipped === 'busy') return { json, text: ctx.t('cli.forwardBusy', { pending: status.pending }), exitCode: EXIT.refused };
    if (result.error !== null) {
      return { json: { ...json, error: result.error }, text: ctx.t('cli.forwardFailed', { sent: result.sent, pending: status.pending, error: esc(result.error.message) }), exitCode: exitCodeFor(result.error.code) };
    }
    return { json, text: ctx.t('cli.forwarded', { sent: result.sent }) };
  },
};

export const auditCommands: Command[] = [auditForward];

/**
 * Before a command that wrote audit entries exits: send them, for a few seconds at most.
 * Whatever does not go now waits in the outbox for the app or the next `audit forward`.
 */
export async function flushBeforeExit(services: ServiceContext): Promise<void> {
  if (services.audit.appendedHere === 0) return;
  await services.forwarder.flush(EXIT_FLUSH_MS).catch(() => undefined);
}
