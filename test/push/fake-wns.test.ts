/**
 * The fake WNS enforces what the documentation says (so a sender bug shows up as the error real WNS would give),
 * and the raw sender stays within those rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { MAX_RAW_PAYLOAD_BYTES, RawPayloadError } from '../../src/push/raw-sender.js';
import type { FakeWake } from '../support/fake-wns.js';
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

const good = (): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/octet-stream',
  'x-wns-type': 'wns/raw',
  'x-wns-requestforstatus': 'true',
});

async function post(channelId: string, headers: Record<string, string>, body: Buffer | Readable = Buffer.from('1')) {
  const res = await request(rig.fake.channelUri(channelId), { method: 'POST', headers, body, dispatcher: rig.fake.dispatcher() });
  await res.body.dump();
  return { status: res.statusCode, description: res.headers['x-wns-error-description'], wnsStatus: res.headers['x-wns-status'] };
}

describe('fake WNS channel endpoint', () => {
  it('accepts a well-formed raw notification', async () => {
    expect(await post('v1', good())).toMatchObject({ status: 200, wnsStatus: 'received' });
  });

  it.each([
    ['no token', { authorization: '' }, 401],
    ['unknown token', { authorization: 'Bearer nope' }, 401],
    ['no X-WNS-Type', { 'x-wns-type': '' }, 400],
    ['raw with text/xml', { 'content-type': 'text/xml' }, 400],
    ['bad cache policy', { 'x-wns-cache-policy': 'Cache-Me' }, 400],
    ['bad TTL', { 'x-wns-ttl': '-1' }, 400],
    ['bad RequestForStatus', { 'x-wns-requestforstatus': 'yes' }, 400],
  ])('rejects %s', async (_name, change: Record<string, string>, status) => {
    const headers = { ...good(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === '') delete headers[k];
    expect((await post('v2', headers)).status).toBe(status);
  });

  it('cannot even be sent Expect: 100-continue by undici', async () => {
    await expect(post('v2', { ...good(), expect: '100-continue' })).rejects.toThrow(/expect header not supported/);
  });

  it('rejects a chunked body, an empty body, more than 5000 bytes, and GET', async () => {
    expect((await post('v3', good(), Readable.from([Buffer.from('1')]))).status).toBe(400);
    expect((await post('v3', good(), Buffer.alloc(0))).status).toBe(400);
    expect((await post('v3', good(), Buffer.alloc(5000, 0x31))).status).toBe(200);
    expect(await post('v3', good(), Buffer.alloc(5001, 0x31))).toMatchObject({ status: 413 });
    const get = await request(rig.fake.channelUri('v3'), { method: 'GET', headers: good(), dispatcher: rig.fake.dispatcher() });
    await get.body.dump();
    expect(get.statusCode).toBe(405);
  });

  it('hands a wake to listeners; caches one for an offline device and delivers it on reconnect', async () => {
    const wakes: FakeWake[] = [];
    const off = rig.fake.onWake((w) => wakes.push(w));
    await rig.sender.send({ url: new URL(rig.fake.channelUri('dev-1')), token, cache: true });
    rig.fake.setDevice('dev-2', 'disconnected');
    await rig.sender.send({ url: new URL(rig.fake.channelUri('dev-2')), token, cache: true, ttlSeconds: 60 });
    await new Promise((r) => setImmediate(r));
    expect(wakes.map((w) => [w.channelId, w.fromCache])).toEqual([['dev-1', false]]);
    rig.fake.setDevice('dev-2', 'connected');
    expect(wakes.map((w) => [w.channelId, w.fromCache])).toEqual([['dev-1', false], ['dev-2', true]]);
    // an expired TTL is not delivered
    rig.fake.setDevice('dev-3', 'disconnected');
    await rig.sender.send({ url: new URL(rig.fake.channelUri('dev-3')), token, cache: true, ttlSeconds: 60 });
    rig.clock.advance(61_000);
    rig.fake.setDevice('dev-3', 'connected');
    expect(wakes).toHaveLength(2);
    off();
  });
});

describe('raw sender payload rules', () => {
  it('sends up to 4999 bytes and refuses empty or larger payloads before any request', async () => {
    const url = new URL(rig.fake.channelUri('p1'));
    const ok = await rig.sender.send({ url, token, cache: true, payload: new Uint8Array(MAX_RAW_PAYLOAD_BYTES).fill(0x31) });
    expect(ok).toMatchObject({ kind: 'response', httpStatus: 200 });
    await expect(rig.sender.send({ url, token, cache: true, payload: new Uint8Array(0) })).rejects.toBeInstanceOf(RawPayloadError);
    await expect(rig.sender.send({ url, token, cache: true, payload: new Uint8Array(5000) })).rejects.toBeInstanceOf(RawPayloadError);
    await expect(rig.sender.send({ url, token, cache: true, ttlSeconds: 1.5 })).rejects.toBeInstanceOf(RawPayloadError);
    expect(rig.fake.requestsTo('p1')).toHaveLength(1);
    expect(rig.fake.requestsTo('p1')[0]?.headers['content-length']).toBe(String(MAX_RAW_PAYLOAD_BYTES));
  });
});
