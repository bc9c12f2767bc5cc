/**
 * DEVICE_AUTH=proxy-header end to end: the test plays the TLS-terminating proxy on 127.0.0.1 and forwards the client
 * certificate (PEM, URL-encoded) or its CN. A second gateway does not trust 127.0.0.1 and must ignore those headers.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyHeaderAuthenticator } from '../../src/auth/proxy-header-authenticator.js';
import { createTrustedProxies } from '../../src/auth/trusted-proxies.js';
import { DeviceAuthError } from '../../src/http/device-auth.js';
import { serializeSyncML } from '../../src/syncml/index.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { package1 } from '../support/syncml-builders.js';
import { startSecureGateway, type SecureGateway } from '../security/secure-gateway.js';
import { createTestPki, type Pem, type TestPki } from './test-pki.js';

describe('DEVICE_AUTH=proxy-header', () => {
  let pki: TestPki;
  let dbs: TestDatabase[] = [];
  let trusting: SecureGateway;
  let distrusting: SecureGateway;
  let identityOnly: SecureGateway;
  let devA: Pem;
  const pkg1 = (deviceId: string) => serializeSyncML(package1({ sessionID: '1', deviceId }));
  const certHeader = (pem: Pem) => ({ 'x-client-cert': encodeURIComponent(pem.cert) });

  beforeAll(async () => {
    pki = await createTestPki();
    devA = await pki.device('/CN=DEV-A');
    dbs = await Promise.all([sqliteBackend.create(), sqliteBackend.create(), sqliteBackend.create()]);
    trusting = await startSecureGateway(dbs[0]!, { env: { DEVICE_AUTH: 'proxy-header', TRUSTED_PROXIES: '127.0.0.1', TLS_CLIENT_CA: pki.ca.certPath } });
    distrusting = await startSecureGateway(dbs[1]!, { env: { DEVICE_AUTH: 'proxy-header', TRUSTED_PROXIES: '192.0.2.0/24' } });
    identityOnly = await startSecureGateway(dbs[2]!, { env: { DEVICE_AUTH: 'proxy-header', TRUSTED_PROXIES: '127.0.0.0/8', PROXY_IDENTITY_HEADER: 'X-Client-CN' } });
  });
  afterAll(async () => {
    for (const g of [trusting, distrusting, identityOnly]) await g?.close();
    for (const db of dbs) await db.dispose();
    await pki.dispose();
  });

  it('runs a session when a trusted proxy forwards the certificate of the device the message names', async () => {
    const replies = await trusting.checkIn('DEV-A', { headers: certHeader(devA) });
    expect(replies.length).toBeGreaterThan(1);
  });

  it('answers 403 when the forwarded certificate names another device', async () => {
    const answer = await trusting.post(pkg1('DEV-B'), { headers: certHeader(devA) });
    expect(answer.status).toBe(403);
    expect(trusting.logs().some((l) => l.msg === 'device refused (proxy-header)' && l.status === 403)).toBe(true);
  });

  it('answers 401 without a forwarded certificate, with garbage, or with one not issued by TLS_CLIENT_CA', async () => {
    expect((await trusting.post(pkg1('DEV-A'))).status).toBe(401);
    expect((await trusting.post(pkg1('DEV-A'), { headers: { 'x-client-cert': 'not%20a%20cert' } })).status).toBe(401);
    expect((await trusting.post(pkg1('DEV-A'), { headers: { 'x-client-cert': '%E0%A4%A' } })).status).toBe(401);
    const rogue = await pki.device('/CN=DEV-A', pki.rogueCa);
    expect((await trusting.post(pkg1('DEV-A'), { headers: certHeader(rogue) })).status).toBe(401);
  });

  it('ignores the headers from a peer outside TRUSTED_PROXIES (401, logged)', async () => {
    const answer = await distrusting.post(pkg1('DEV-A'), { headers: certHeader(devA) });
    expect(answer.status).toBe(401);
    expect(distrusting.logs().some((l) => l.msg === 'device refused (proxy-header)' && String(l.reason).includes('trusted proxy'))).toBe(true);
    expect((await distrusting.api('GET', '/api/v1/devices/DEV-A')).status).toBe(404);
  });

  it('accepts the identity header when configured, and still compares it with the SyncHdr Source', async () => {
    expect((await identityOnly.post(pkg1('DEV-A'), { headers: { 'x-client-cn': 'DEV-A' } })).status).toBe(200);
    expect((await identityOnly.post(pkg1('DEV-A'), { headers: { 'x-client-cn': 'DEV-B' } })).status).toBe(403);
    expect((await identityOnly.post(pkg1('DEV-A'))).status).toBe(401);
  });

  it('refuses a forwarded certificate outside its validity period', async () => {
    const auth = createProxyHeaderAuthenticator({
      proxies: createTrustedProxies(['127.0.0.1']),
      certHeader: 'x-client-cert',
      clientCa: [new X509Certificate(pki.ca.cert)],
      clock: () => new Date(Date.now() + 10 * 24 * 3600 * 1000),
    });
    const message = package1({ deviceId: 'DEV-A' });
    await expect(auth.authenticate({ message, headers: certHeader(devA), remoteAddress: '127.0.0.1' })).rejects.toBeInstanceOf(DeviceAuthError);
    const now = createProxyHeaderAuthenticator({ proxies: createTrustedProxies(['127.0.0.1']), certHeader: 'x-client-cert', clientCa: [new X509Certificate(pki.ca.cert)] });
    await expect(now.authenticate({ message, headers: certHeader(devA), remoteAddress: '::ffff:127.0.0.1' })).resolves.toEqual({ deviceId: 'DEV-A' });
  });
});
