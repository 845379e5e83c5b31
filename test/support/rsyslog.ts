// A real syslog collector for the audit forwarding tests: Debian's rsyslogd, unprivileged in
// the foreground (-n) with its own config, pid file and work folder, listening on a loopback
// port with imtcp over TLS (the ossl driver) and a certificate from a test CA made with
// openssl here. Every message it receives is written raw (`%rawmsg%`), one per line, to a
// file: what a bank's collector would export.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
const OSSL_DRIVER = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_ossl.so', '/usr/lib/rsyslog/lmnsd_ossl.so'].find((p) => existsSync(p));

/** Why the collector tests cannot run here, or null when they can. */
export function rsyslogMissing(): string | null {
  if (!RSYSLOGD) return 'rsyslogd is not installed (apt-get install rsyslog rsyslog-openssl)';
  if (!OSSL_DRIVER) return "rsyslog's TLS driver is not installed (apt-get install rsyslog-openssl)";
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  return null;
}

export interface TestCa {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  /** A client certificate the CA signed, for a collector that asks for one. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** A CA and a certificate for localhost and 127.0.0.1 it signed, in `dir`. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  await writeFile(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Companion Test Collector CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=desk-07.bank.local']);
  run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
  return {
    caFile: join(dir, 'ca.pem'),
    caPem: await readFile(join(dir, 'ca.pem'), 'utf8'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
  };
}

/**
 * Bounded waits of our own rather than wait.ts's: the bench (outside vitest) starts this
 * collector too, and vitest's waitFor exists only inside a test run.
 */
async function pollUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Collector {
  port: number;
  /** Every message received so far, as written. */
  received(): Promise<string>;
  start(): Promise<void>;
  /** SIGTERM, and waits for rsyslogd to exit (it writes what it holds first). */
  stop(): Promise<void>;
}

/**
 * A collector on `port` (TLS with `ca`'s server certificate, or plain TCP) writing to
 * `dir`/received.log; with `requireClientCert`, it accepts only senders presenting a
 * certificate from `ca`. Not started.
 */
export function rsyslogCollector(dir: string, port: number, ca: TestCa | null, options: { requireClientCert?: boolean } = {}): Collector {
  const out = join(dir, 'received.log');
  const conf = join(dir, 'rsyslog.conf');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const tls = ca
    ? `global(workDirectory="${dir}/work" maxMessageSize="64k" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="${ca.caFile}" DefaultNetstreamDriverCertFile="${ca.certFile}" DefaultNetstreamDriverKeyFile="${ca.keyFile}")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="${options.requireClientCert ? 'x509/certvalid' : 'anon'}")`
    : `global(workDirectory="${dir}/work" maxMessageSize="64k")
module(load="imtcp")`;
  return {
    port,
    received: () => readFile(out, 'utf8').catch(() => ''),
    async start() {
      await mkdir(join(dir, 'work'), { recursive: true });
      await writeFile(
        conf,
        `${tls}
template(name="raw" type="string" string="%rawmsg%\\n")
input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="collect")
ruleset(name="collect") { action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off") }
`,
      );
      const proc = spawn(RSYSLOGD as string, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child = proc;
      exited = new Promise((resolve) => proc.once('exit', () => resolve()));
      await pollUntil(`rsyslogd listening on ${port}`, async () => {
        if (proc.exitCode !== null) throw new Error(`rsyslogd exited: ${stderr}`);
        return new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        });
      });
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 10000 ms waiting for rsyslogd to exit')), 10_000);
      });
      await Promise.race([exited, late]).finally(() => clearTimeout(timer));
      child = null;
    },
  };
}
