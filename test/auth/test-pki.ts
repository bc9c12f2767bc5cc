/**
 * A throw-away PKI for the mtls and proxy-header tests, made with openssl (EC P-256, fast): a device CA, a server
 * certificate for 127.0.0.1, device certificates with a chosen subject, and a rogue CA nobody trusts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  rogueCa: Pem;
  server: Pem;
  /** A certificate signed by `issuer` (default the device CA) with this subject (e.g. "/CN=DEV-A/O=Contoso"). */
  device(subject: string, issuer?: Pem, extra?: { san?: string }): Promise<Pem>;
  dispose(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
let serial = 1000;

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'omadm-pki-'));
  const read = async (name: string): Promise<Pem> => ({
    cert: await readFile(join(dir, `${name}.pem`), 'utf8'),
    key: await readFile(join(dir, `${name}.key`), 'utf8'),
    certPath: join(dir, `${name}.pem`),
    keyPath: join(dir, `${name}.key`),
  });
  const selfSigned = async (name: string, subject: string) => {
    await run('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '2', '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return read(name);
  };
  const issue = async (name: string, subject: string, issuer: Pem, ext: string): Promise<Pem> => {
    await run('openssl', ['req', '-new', ...EC, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', subject]);
    await writeFile(join(dir, `${name}.ext`), ext);
    await run('openssl', ['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', issuer.certPath, '-CAkey', issuer.keyPath, '-set_serial', String(serial++),
      '-days', '2', '-out', join(dir, `${name}.pem`), '-extfile', join(dir, `${name}.ext`)]);
    return read(name);
  };
  const ca = await selfSigned('ca', '/CN=omadm test device CA');
  const rogueCa = await selfSigned('rogue-ca', '/CN=omadm test device CA');
  const server = await issue('server', '/CN=127.0.0.1', ca, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  return {
    dir,
    ca,
    rogueCa,
    server,
    device: (subject, issuer = ca, extra = {}) =>
      issue(`device-${n++}`, subject, issuer, `extendedKeyUsage=clientAuth\n${extra.san ? `subjectAltName=${extra.san}\n` : ''}`),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
