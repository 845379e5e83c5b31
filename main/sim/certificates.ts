// A private certificate authority for the simulators: `companion sim --tls` and the tests play
// a bank whose servers carry certificates from its own CA (specs §2.6). The CA exists only in
// memory and in the file the caller writes; nothing here touches the machine's own store.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** The names the simulators answer on: the primary, the switchover alternate, IPv6 loopback. */
export const SIM_TLS_NAMES = ['localhost', '127.0.0.1', '127.0.0.2', '::1'] as const;

export interface ServerCertificate {
  /** PEM, the server's certificate followed by nothing else (the CA is the client's to trust). */
  cert: string;
  /** PEM, PKCS#8. */
  key: string;
}

export interface IssueOptions {
  /** Host names and IP addresses the certificate is for (default SIM_TLS_NAMES). */
  names?: readonly string[];
  /** Default: an hour ago (a clock a little behind still accepts it). */
  validFrom?: Date;
  /** Default: thirty days on. A date in the past makes an expired certificate. */
  validTo?: Date;
}

export interface SimAuthority {
  /** The CA certificate, PEM: what a client is told to trust. */
  readonly caPem: string;
  issue(options?: IssueOptions): ServerCertificate;
}

const HOUR = 3_600_000;

function keyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string } {
  // Node makes the key (native, fast); forge only signs the certificate.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    privatePem,
  };
}

function serial(): string {
  // Positive (high bit clear) and unique per certificate, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

export function createSimAuthority(commonName = 'Agent Companion simulator CA'): SimAuthority {
  const ca = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(Date.now() - HOUR);
  caCert.validity.notAfter = new Date(Date.now() + 365 * 24 * HOUR);
  const caName = [{ name: 'commonName', value: commonName }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const caPem = forge.pki.certificateToPem(caCert);

  return {
    caPem,
    issue(options: IssueOptions = {}): ServerCertificate {
      const names = options.names ?? SIM_TLS_NAMES;
      const leaf = keyPair();
      const cert = forge.pki.createCertificate();
      cert.publicKey = leaf.publicKey;
      cert.serialNumber = serial();
      cert.validity.notBefore = options.validFrom ?? new Date(Date.now() - HOUR);
      cert.validity.notAfter = options.validTo ?? new Date(Date.now() + 30 * 24 * HOUR);
      cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
      cert.setIssuer(caCert.subject.attributes);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        // type 7: an IP address, 2: a DNS name (RFC 5280 GeneralName).
        { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
        { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
      ]);
      cert.sign(ca.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
      return { cert: forge.pki.certificateToPem(cert), key: leaf.privatePem };
    },
  };
}
