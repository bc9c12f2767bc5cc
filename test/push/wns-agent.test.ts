/**
 * The dedicated WNS dispatcher: bounded, kept-alive connections per origin, and an HTTPS proxy (CONNECT tunnel).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawSender } from '../../src/push/raw-sender.js';
import { createWnsAgent, proxyUrlFromEnv } from '../../src/push/wns-agent.js';
import { startConnectProxy, type ConnectProxy } from './connect-proxy.js';
import { startWnsRig, type WnsRig } from './wns-rig.js';

let rig: WnsRig;
let token: string;
beforeAll(async () => {
  rig = await startWnsRig();
  token = (await rig.tokens.getToken(rig.creds)).value;
});
afterAll(async () => {
  await rig.close();
});

describe('WNS agent', () => {
  it('keeps at most connectionsPerOrigin connections and reuses them', async () => {
    const agent = createWnsAgent({ connectionsPerOrigin: 2, ca: rig.fake.ca ?? undefined });
    const sender = createRawSender({ dispatcher: agent });
    const before = rig.fake.connections();
    const send = (i: number) => sender.send({ url: new URL(rig.fake.channelUri(`pool-${i}`)), token, cache: true });
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
    expect(first.every((o) => o.kind === 'response' && o.httpStatus === 200)).toBe(true);
    const afterFirst = rig.fake.connections() - before;
    expect(afterFirst).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
    expect(rig.fake.connections() - before).toBe(afterFirst);
    await agent.close();
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const agent = createWnsAgent();
    const sender = createRawSender({ dispatcher: agent });
    const o = await sender.send({ url: new URL(rig.fake.channelUri('untrusted')), token, cache: true });
    expect(o).toMatchObject({ kind: 'network' });
    expect(rig.fake.requestsTo('untrusted')).toHaveLength(0);
    await agent.close();
  });

  describe('through an HTTPS proxy', () => {
    let proxy: ConnectProxy;
    beforeAll(async () => {
      proxy = await startConnectProxy();
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('tunnels the notification with CONNECT', async () => {
      const agent = createWnsAgent({ proxyUrl: proxy.url, ca: rig.fake.ca ?? undefined });
      const sender = createRawSender({ dispatcher: agent });
      const o = await sender.send({ url: new URL(rig.fake.channelUri('via-proxy')), token, cache: true });
      expect(o).toMatchObject({ kind: 'response', httpStatus: 200 });
      expect(proxy.tunnels).toContain(new URL(rig.fake.origin).host);
      expect(rig.fake.requestsTo('via-proxy')).toHaveLength(1);
      await agent.close();
    });
  });

  it('reads HTTPS_PROXY from the environment', () => {
    expect(proxyUrlFromEnv({ HTTPS_PROXY: 'http://proxy.test:3128' })).toBe('http://proxy.test:3128');
    expect(proxyUrlFromEnv({ https_proxy: ' http://p:1 ' })).toBe('http://p:1');
    expect(proxyUrlFromEnv({ HTTPS_PROXY: '' })).toBeNull();
    expect(proxyUrlFromEnv({})).toBeNull();
  });
});
