/**
 * Limits of the SyncML endpoint (issue 7 §4) over real HTTP: per-device and per-address rate limits (429 + Retry-After),
 * the concurrency cap (503 + Retry-After), the answer timeout (503 + Retry-After). Small limits are configured so the
 * tests need few requests; nothing here measures time.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAnswerTimeout, withDeviceRateLimit } from '../../src/http/limited-exchange.js';
import { OverloadedError, RateLimitedError } from '../../src/http/shed-errors.js';
import { package1 } from '../support/syncml-builders.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { startSecureGateway, SYNCML_TYPE, type SecureGateway } from './secure-gateway.js';
import { rawSyncML } from './syncml-text.js';

describe('SyncML endpoint limits [sqlite]', () => {
  let db: TestDatabase;
  let gw: SecureGateway;
  beforeAll(async () => {
    db = await sqliteBackend.create();
    gw = await startSecureGateway(db, {
      env: { RATE_LIMIT_DEVICE: '5', RATE_LIMIT_ADDRESS: '8', TRUSTED_PROXIES: '127.0.0.1', MAX_CONCURRENT_SYNCML: '2', REQUEST_TIMEOUT_MS: '3000' },
    });
  });
  afterAll(async () => {
    await gw.close();
    await db.dispose();
  });

  it('limits messages per device: 429 with Retry-After, other devices unaffected', async () => {
    const codes: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 1; i <= 6; i++) {
      const a = await gw.post(rawSyncML({ source: 'RATE-DEV', sessionID: String(i) }));
      codes.push(a.status);
      if (a.status === 429) retryAfter = a.headers.get('retry-after');
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await gw.post(rawSyncML({ source: 'RATE-OTHER' }))).status).toBe(200);
    expect(gw.logs().some((l) => l.msg === 'syncml request refused' && l.kind === 'rate-limited')).toBe(true);
  });

  it('limits requests per client address (X-Forwarded-For from a trusted proxy), loopback itself exempt', async () => {
    const from = (ip: string, i: number) => gw.post(rawSyncML({ source: `ADDR-${ip}-${i}` }), { headers: { 'x-forwarded-for': ip } });
    const codes: number[] = [];
    for (let i = 0; i < 9; i++) codes.push((await from('203.0.113.7', i)).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    const limited = await from('203.0.113.7', 99);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.text).toMatch(/^too many requests/);
    expect((await from('203.0.113.8', 0)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await gw.post(rawSyncML({ source: `LOOPBACK-${i}` }))).status).toBe(200);
  });

  it('sheds requests beyond the concurrency cap with 503 + Retry-After, and recovers when they finish', async () => {
    const url = new URL(gw.url);
    const stalled: Array<{ socket: Socket; received: () => string }> = [];
    for (let i = 0; i < 2; i++) {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.on('error', () => undefined);
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      await new Promise<void>((r) => socket.once('connect', () => r()));
      // Expect: 100-continue makes the server say when it has taken the request in: Node answers 100 Continue right
      // before it emits 'request', whose handlers up to the concurrency cap run synchronously. Without it the client
      // only knows the kernel accepted the connection, and the next request below could be read first — then that
      // one holds the second slot and this one is shed in its place (RFC 9110 §10.1.1).
      socket.write(
        `POST /ManagementServer/MDM.svc HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: 4000\r\nExpect: 100-continue\r\n\r\n`,
      );
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (text.includes('\r\n\r\n')) {
            socket.off('data', check);
            if (text === 'HTTP/1.1 100 Continue\r\n\r\n') resolve();
            else reject(new Error(`stalled request ${i} was answered: ${text.split('\r\n')[0]}`));
          }
        };
        socket.on('data', check);
        check();
      });
      // Half a body: the request holds its place while the rest "arrives".
      socket.write('<SyncML');
      stalled.push({ socket, received: () => text });
    }
    // Both slots are held: the next request is shed at once, and so is every other one while they are.
    for (let i = 0; i < 3; i++) {
      const shed = await gw.post(rawSyncML({ source: `CAP-${i}` }));
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('1');
      expect(shed.text).toMatch(/too many SyncML requests at once/);
    }
    // The stalled requests kept their places (nothing but the 100 Continue was sent to them).
    for (const s of stalled) expect(s.received()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    for (const s of stalled) s.socket.destroy();
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = (await gw.post(rawSyncML({ source: `CAP-AFTER-${i}` }))).status === 200;
      if (!ok) await new Promise((r) => setTimeout(r, 20));
    }
    expect(ok).toBe(true);
  });

  it('bounds a request whose body never completes (request timeout), then serves again', async () => {
    const url = new URL(gw.url);
    const s = connect({ host: url.hostname, port: Number(url.port) });
    s.on('error', () => undefined);
    const closed = new Promise<string>((resolve) => {
      let text = '';
      s.on('data', (d) => (text += d.toString('latin1')));
      s.on('close', () => resolve(text));
    });
    s.write(`POST /ManagementServer/MDM.svc HTTP/1.1\r\nHost: x\r\nContent-Type: ${SYNCML_TYPE}\r\nContent-Length: 100\r\n\r\n<Sync`);
    const text = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('STILL OPEN'), 15_000))]);
    expect(text).not.toBe('STILL OPEN');
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true);
    expect((await gw.post(rawSyncML({ source: 'AFTER-TIMEOUT' }))).status).toBe(200);
  });
});

describe('limit decorators', () => {
  const request = { message: package1({ deviceId: 'D' }), requestBytes: new Uint8Array(), contentType: SYNCML_TYPE, encode: () => new Uint8Array() };

  it('withAnswerTimeout turns a slow answer into OverloadedError(timeout) and passes a prompt one through', async () => {
    const never = { handle: () => new Promise<never>(() => undefined) };
    await expect(withAnswerTimeout(never, { timeoutMs: 50 }).handle(request)).rejects.toMatchObject({ reason: 'timeout', retryAfterSeconds: 5 });
    const prompt = { handle: async () => ({ reply: request.message, replyBytes: new Uint8Array([1]) }) };
    await expect(withAnswerTimeout(prompt, { timeoutMs: 1000 }).handle(request)).resolves.toMatchObject({ replyBytes: new Uint8Array([1]) });
    const failing = { handle: async () => Promise.reject(new Error('boom')) };
    await expect(withAnswerTimeout(failing, { timeoutMs: 1000 }).handle(request)).rejects.toThrow('boom');
    expect(new OverloadedError('timeout', 5)).toBeInstanceOf(Error);
  });

  it('withDeviceRateLimit counts per SyncHdr Source and is off at 0', async () => {
    const inner = { handle: async () => ({ reply: request.message, replyBytes: new Uint8Array() }) };
    let now = 0;
    const limited = withDeviceRateLimit(inner, { perMinute: 2, now: () => now });
    await limited.handle(request);
    await limited.handle(request);
    await expect(limited.handle(request)).rejects.toBeInstanceOf(RateLimitedError);
    now = 30_000;
    await expect(limited.handle(request)).resolves.toBeDefined();
    expect(withDeviceRateLimit(inner, { perMinute: 0 })).toBe(inner);
  });
});
