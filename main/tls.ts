// Which certificate authorities this process trusts, and the fetch that trusts them.
//
// Bank servers carry certificates from the bank's internal CA, installed in the operating
// system's store (specs §2.6). Electron's net.fetch trusts that store; Node's own fetch trusts
// only the CAs bundled with Node. So every connection a Node process opens (the `companion`
// command, the browser host, the audit forwarder) trusts, explicitly: Node's bundled CAs
// (with NODE_EXTRA_CA_CERTS), the OS store, and an administrator's PEM file (`tls.caFile`)
// where the OS store is not theirs to change. Verification is never turned off.

import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { AppError, guidance } from '../shared/errors';
import type { FetchLike } from './http';

// Node's default list as this process started (bundled, plus NODE_EXTRA_CA_CERTS, plus the OS
// store under --use-system-ca), read once before anything could change it.
const STARTUP_DEFAULT = tls.getCACertificates('default');

let systemStore: readonly string[] | undefined;
/**
 * The OS store: on Linux OpenSSL's locations (SSL_CERT_FILE and SSL_CERT_DIR apply), on
 * Windows the certificate store, on macOS the keychain. Read once per process, as Node does.
 */
function systemCertificates(): readonly string[] {
  return (systemStore ??= tls.getCACertificates('system'));
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, each checked; throws tls_ca_file naming the file and what is wrong. */
export async function readCaFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AppError('tls_ca_file', `tls.caFile ${path} cannot be read (${reason}).`, { file: path, reason, guidance: guidance('guidance.tlsCaFile') }, { cause: e });
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new AppError('tls_ca_file', `tls.caFile ${path} holds no PEM certificate.`, { file: path, reason: 'no_certificate', guidance: guidance('guidance.tlsCaFile') });
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new AppError('tls_ca_file', `tls.caFile ${path}: certificate ${i + 1} cannot be parsed.`, { file: path, reason: 'bad_certificate', guidance: guidance('guidance.tlsCaFile') }, { cause: e });
    }
  });
  return blocks;
}

const fileCache = new Map<string, { mtimeMs: number; size: number; certificates: string[] }>();

/**
 * Every CA this process trusts for a connection: Node's own, the OS store and, when set, the
 * administrator's file (re-read when it changes, so a renewed bundle needs no restart).
 */
export async function trustedCa(caFile: string | null): Promise<string[]> {
  const all = new Set([...STARTUP_DEFAULT, ...systemCertificates()]);
  if (caFile) {
    const info = await stat(caFile).catch(() => null);
    const cached = fileCache.get(caFile);
    let certificates = cached?.certificates;
    if (!info || !cached || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size) {
      certificates = await readCaFile(caFile);
      if (info) fileCache.set(caFile, { mtimeMs: info.mtimeMs, size: info.size, certificates });
    }
    for (const c of certificates!) all.add(c);
  }
  return [...all];
}

const fetchCache = new Map<string, { ca: readonly string[]; fetch: FetchLike; dispatcher: Agent }>();

/**
 * A fetch whose connections trust `trustedCa(caFile)`. One connection pool per CA list, kept
 * for the process (a pool is cheap; rebuilding it per call would lose keep-alive).
 */
export async function trustingFetch(caFile: string | null): Promise<FetchLike> {
  const ca = await trustedCa(caFile);
  const key = caFile ?? '';
  const cached = fetchCache.get(key);
  if (cached && cached.ca.length === ca.length && cached.ca.every((c, i) => c === ca[i])) return cached.fetch;
  const dispatcher = new Agent({ connect: { ca } });
  const fetch: FetchLike = (input, init) => undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  fetchCache.set(key, { ca, fetch, dispatcher });
  // The replaced pool closes once the calls it carries end.
  if (cached) void cached.dispatcher.close().catch(() => undefined);
  return fetch;
}
