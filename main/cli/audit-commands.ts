// The audit trail's way to the bank's collector from a terminal: `companion audit forward`
// sends what waits and exits (for a scheduled task); with --status it only says how far
// behind the forwarding is; `companion audit client-cert` keeps the certificate this desktop
// presents to the collector in the keychain. And the flush a command that wrote audit entries makes before it
// exits.

import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { escapeForTerminal as esc } from '../../shared/text';
import { checkClientCert } from '../services/audit-forward';
import type { ServiceContext } from '../services/context';
import { Keychain } from '../store/keychain';
import { cliLanguage } from './language';
import { requiredString } from './parse';
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
      const { pending, lastSentSeq, lastError } = await opened.audit.forwardStatus();
      const status = { pending, lastSentSeq, lastError };
      const text = [
        ctx.t('cli.forwardStatus', { pending: status.pending, lastSentSeq: status.lastSentSeq }),
        ...(status.lastError === null ? [] : [ctx.t('cli.forwardLastError', { error: esc(status.lastError) })]),
      ].join('\n');
      return { json: status, text };
    }
    const result = await opened.forwarder.flush(FORWARD_DEADLINE_MS);
    const { pending, lastSentSeq, lastError } = await opened.audit.forwardStatus();
    const status = { pending, lastSentSeq, lastError };
    const json = { sent: result.sent, ...status };
    if (result.skipped === 'not_configured') return { json, text: ctx.t('cli.forwardOff'), exitCode: EXIT.refused };
    if (result.skipped === 'busy') return { json, text: ctx.t('cli.forwardBusy', { pending: status.pending }), exitCode: EXIT.refused };
    if (result.error !== null) {
      return { json: { ...json, error: result.error }, text: ctx.t('cli.forwardFailed', { sent: result.sent, pending: status.pending, error: esc(result.error.message) }), exitCode: exitCodeFor(result.error.code) };
    }
    return { json, text: ctx.t('cli.forwarded', { sent: result.sent }) };
  },
};

const auditClientCert: Command = {
  name: 'audit client-cert',
  usage: 'companion audit client-cert --cert <PEM file> --key <PEM file> | --clear',
  summary: 'Store in the keychain the certificate and key this desktop presents to the audit collector (when it asks for one), or remove them.',
  flags: { cert: { type: 'string' }, key: { type: 'string' }, clear: { type: 'boolean' } },
  async run(ctx) {
    const lang = cliLanguage(ctx.env);
    const keychain = new Keychain();
    if (ctx.flags.clear === true) {
      const removed = await keychain.clearCollectorClientCert();
      return { json: { removed }, text: ctx.t(removed ? 'cli.clientCertCleared' : 'cli.clientCertNone') };
    }
    const certFile = requiredString(ctx.flags.cert, '--cert', { lang, usage: auditClientCert.usage });
    const keyFile = requiredString(ctx.flags.key, '--key', { lang, usage: auditClientCert.usage });
    const read = async (file: string, flag: string) => {
      try {
        return await readFile(file, 'utf8');
      } catch (e) {
        throw new AppError('invalid_input', `${flag} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}).`, { field: flag });
      }
    };
    const checked = checkClientCert(await read(certFile, '--cert'), await read(keyFile, '--key'));
    await keychain.setCollectorClientCert(checked.cert, checked.key);
    return { json: { subject: checked.subject, validTo: checked.validTo }, text: ctx.t('cli.clientCertStored', { subject: esc(checked.subject), validTo: esc(checked.validTo) }) };
  },
};

export const auditCommands: Command[] = [auditForward, auditClientCert];

/**
 * Before a command that wrote audit entries exits: send them, for a few seconds at most.
 * Whatever does not go now waits in the outbox for the app or the next `audit forward`.
 */
export async function flushBeforeExit(services: ServiceContext): Promise<void> {
  if (services.audit.appendedHere === 0) return;
  await services.forwarder.flush(EXIT_FLUSH_MS).catch(() => undefined);
}
