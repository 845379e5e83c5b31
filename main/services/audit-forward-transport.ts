// One batch of audit messages to the bank's syslog collector: a connection (TLS per RFC 5425,
// or plain TCP where the settings allow it), the messages with octet-counting framing, then
// our end of the stream. Syslog has no acknowledgement, so the batch counts as delivered
// only when the collector closes its side in answer: it has read everything before our end.
// A batch that fails anywhere is sent again whole (the collector drops duplicates by hash).

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { AppError, isAppError } from '../../shared/errors';
import type { SyslogTarget } from '../../shared/syslog-url';
import { tlsFailureOf } from '../http';

export interface CollectorConnection {
  target: SyslogTarget;
  /** The certificates trusted for the collector (PEM): Node's, the OS store's and tls.caFile's. */
  ca?: string[];
  /** The certificate and key this desktop presents, when the collector asks for one (PEM). */
  clientCert?: { cert: string; key: string };
}

/** Where this desktop's client certificate for the collector rests: the keychain (main/store/keychain.ts). */
export interface CollectorCertStore {
  getCollectorClientCert(): Promise<{ cert: string; key: string } | null>;
}

/**
 * The connection with this desktop's client certificate, when one is stored. A keychain that
 * cannot be read sends without one: a collector that needs it refuses the handshake, and
 * that refusal is the error reported.
 */
export async function withClientCert(connection: CollectorConnection | null, store: CollectorCertStore | undefined): Promise<CollectorConnection | null> {
  if (connection === null || connection.target.transport !== 'tls' || !store) return connection;
  const clientCert = await store.getCollectorClientCert().catch(() => null);
  return clientCert ? { ...connection, clientCert } : connection;
}

/** The collector's address for messages: never a secret. */
export function collectorName(target: SyslogTarget): string {
  return `syslog+${target.transport}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

/** Sends `frames` on one connection and resolves once the collector closed its side after reading them. */
export function sendBatch(connection: CollectorConnection, frames: readonly Buffer[], timeoutMs: number): Promise<void> {
  const { target } = connection;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let peerEnded = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(collectorError(connection, error));
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const send = () => {
      for (const f of frames) socket.write(f);
      socket.end();
    };
    const socket: Socket =
      target.transport === 'tls'
        ? tlsConnect({
            host: target.host,
            port: target.port,
            servername: /^[\d.]+$|:/.test(target.host) ? undefined : target.host,
            ...(connection.ca && { ca: connection.ca }),
            ...(connection.clientCert && { cert: connection.clientCert.cert, key: connection.clientCert.key }),
          }, send)
        : // Half open: after our end the collector closes in its own time, and that close is the answer waited for.
          netConnect({ host: target.host, port: target.port, allowHalfOpen: true }, send);
    socket.on('data', () => undefined);
    socket.on('end', () => {
      peerEnded = true;
      finish();
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(peerEnded ? undefined : new Error('the connection closed before the collector answered')));
  });
}

function collectorError(connection: CollectorConnection, error: unknown): AppError {
  if (isAppError(error)) return error;
  const name = collectorName(connection.target);
  const reason = (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
  const tls = tlsFailureOf(error);
  if (tls !== null) return new AppError(tls.code, `The audit collector ${name} presented a certificate that is refused (${tls.reason}).`, { host: connection.target.host });
  return new AppError('unavailable', `The audit collector ${name} could not be reached (${reason}); the entries wait and are sent again.`, { host: connection.target.host });
}
