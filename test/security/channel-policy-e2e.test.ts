/**
 * Hostile ChannelURIs end to end (issue 7 §3): a device reports a ChannelURI pointing at loopback, a metadata address,
 * plain http, an odd port, with userinfo…; the operator asks for a wake; the gateway refuses it (409 with the reason),
 * records the channel 'invalid', and never opens a connection to it — with the push dispatcher running, so a channel
 * the policy let through would really be contacted (the control case proves it).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { startTrap } from './raw-http.js';
import { startSecureGateway, type SecureGateway } from './secure-gateway.js';

describeOnBackends('hostile ChannelURIs are refused and never contacted', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  let gw: SecureGateway;
  let fakePort: string;
  let n = 0;

  beforeAll(async () => {
    db = await backend.create();
    fake = await startFakeWns();
    trap = await startTrap();
    fakePort = new URL(fake.origin).port;
    // Only the fake WNS's exact https origin may receive a token.
    gw = await startSecureGateway(db, { fake, env: { WNS_CHANNEL_HOSTS: `127.0.0.1:${fakePort}`, RATE_LIMIT_DEVICE: '0' }, compose: { background: true } });
    await gw.putProvider();
  });
  afterAll(async () => {
    await gw.close();
    await fake.close();
    await trap.close();
    await db.dispose();
  });

  async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (check()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return check();
  }

  it('control: a channel on the allowed host is woken for real', async () => {
    const deviceId = `CH-OK-${n++}`;
    await gw.checkIn(deviceId, { channelUri: fake.channelUri('control-channel') });
    expect((await gw.api('POST', `/api/v1/devices/${deviceId}/push`, {})).status).toBe(202);
    expect(await waitFor(() => fake.requestsTo('control-channel').length > 0, 10_000)).toBe(true);
  });

  /** Label → ChannelURI, built once the trap and the fake have their ports (t: trap port, f: fake WNS port). */
  const hostile = (t: number | string, f: string): Array<[string, string]> => [
    ['loopback on another port', `https://127.0.0.1:${t}/wns`],
    ['odd port on the allowed host', `https://127.0.0.1:${t}/?a=${f}`],
    ['plain http to the allowed host', `http://127.0.0.1:${f}/ch-http`],
    ['plain http to loopback', `http://127.0.0.1:${t}/x`],
    ['metadata address over https', 'https://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['metadata address over http', 'http://169.254.169.254/latest/meta-data/'],
    ['metadata host name', 'https://metadata.google.internal/computeMetadata/v1/'],
    ['userinfo on the allowed host', `https://user:secret@127.0.0.1:${f}/ch-userinfo`],
    ['userinfo hiding the real host', `https://127.0.0.1:${f}@127.0.0.1:${t}/x`],
    ['localhost by name', `https://localhost:${f}/ch-localhost`],
    ['IPv6 loopback', `https://[::1]:${t}/x`],
    ['decimal IPv4 form of 127.0.0.1', `https://2130706433:${f}/ch-decimal`],
    ['short IPv4 form 127.1', `https://127.1:${f}/ch-short`],
    ['percent-encoded host', `https://127.0.0.%31:${f}/ch-pct`],
    ['look-alike WNS host', `https://db5.notify.windows.com.127.0.0.1.nip.io:${f}/x`],
    ['file scheme', 'file:///etc/passwd'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['backslash host confusion', `https://127.0.0.1:${f}\\@127.0.0.1:${t}/x`],
    ['2 KiB+ long ChannelURI', `https://127.0.0.1:${f}/${'a'.repeat(2100)}`],
  ];

  for (const [label, index] of hostile(0, '0').map(([l], i) => [l, i] as const)) {
    it(`refuses ${label}: 409, channel recorded invalid, never contacted`, async () => {
      const [, uri] = hostile(trap.port, fakePort)[index]!;
      const deviceId = `CH-BAD-${n++}`;
      const fakeBefore = fake.channelRequests.length;
      const connectionsBefore = fake.connections();
      await gw.checkIn(deviceId, { channelUri: uri });
      const push = await gw.api('POST', `/api/v1/devices/${deviceId}/push`, {});
      expect(push.status).toBe(409);
      expect(JSON.stringify(push.body)).toMatch(/channel policy|no usable|ChannelURI/i);
      const rows = (await db.dataSource.query(
        db.dialect === 'postgres' ? 'SELECT channel_uri, state FROM channels WHERE device_id = $1' : 'SELECT channel_uri, state FROM channels WHERE device_id = ?',
        [deviceId],
      )) as Array<{ channel_uri: string; state: string }>;
      expect(rows).toEqual([{ channel_uri: uri, state: 'invalid' }]);
      expect((await gw.api('GET', `/api/v1/devices/${deviceId}`)).body.push).toMatchObject({ state: 'invalid', usable: false });
      // A second request is refused at once (no usable channel) and still contacts nobody.
      expect((await gw.api('POST', `/api/v1/devices/${deviceId}/push`, {})).status).toBe(409);
      await new Promise((r) => setTimeout(r, 200)); // give a (wrongly) queued wake a chance to go out
      expect(trap.connections()).toBe(0);
      expect(fake.channelRequests.length).toBe(fakeBefore);
      expect(fake.connections()).toBe(connectionsBefore);
    });
  }
});
