/**
 * Bad input to the operator API: each gets its problem+json answer (checked against the OpenAPI document by the
 * harness) and changes nothing. On SQLite and PostgreSQL.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type ApiResponse, type TestGateway } from './gateway-harness.js';

const P = 'urn:omadm-gateway:problem:';

describeOnBackends('operator API bad input', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-err-1';
  let before: string;

  const state = async () => {
    const devices = await t.api('GET', '/api/v1/devices?limit=500');
    const commands = await t.api('GET', `/api/v1/devices/${dev}/commands?limit=500`);
    const provider = await t.api('GET', '/api/v1/providers/omadm-gateway');
    return JSON.stringify([devices.body, commands.body, provider.body]);
  };

  const expectProblem = (r: ApiResponse, status: number, kind: string) => {
    expect(r.status, r.text).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ type: P + kind, status });
    expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
  };

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.putProvider();
    await t.checkIn({ deviceId: dev });
    await t.api('POST', `/api/v1/devices/${dev}/commands`, { body: { verb: 'Get', target: './DevInfo/Lang' } });
    before = await state();
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  describe('authentication', () => {
    it('answers a missing, wrong, malformed or other-scheme token with the same 401', async () => {
      const variants: Array<string | null> = [
        null,
        'Bearer wrong-token-of-some-length',
        `Bearer ${t.gateway.operatorToken.token}x`,
        `Bearer ${t.gateway.operatorToken.token.slice(0, -1)}`,
        'Bearer',
        `Basic ${Buffer.from(`admin:${t.gateway.operatorToken.token}`).toString('base64')}`,
        `Token ${t.gateway.operatorToken.token}`,
        t.gateway.operatorToken.token,
      ];
      const bodies = new Set<string>();
      for (const authorization of variants) {
        const r = await t.api('GET', '/api/v1/devices', { authorization });
        expectProblem(r, 401, 'unauthorized');
        expect(r.headers.get('www-authenticate')).toBe('Bearer realm="omadm-gateway"');
        const { requestId: _id, ...rest } = r.body;
        bodies.add(JSON.stringify(rest));
      }
      expect(bodies.size).toBe(1);
    });

    it('guards every route except health, including unknown ones and the metrics', async () => {
      expectProblem(await t.api('GET', '/api/v1/no/such/route', { authorization: null, unchecked: true }), 401, 'unauthorized');
      expectProblem(await t.api('GET', '/metrics', { authorization: null }), 401, 'unauthorized');
      expectProblem(await t.api('GET', '/api/v1/openapi.json', { authorization: null }), 401, 'unauthorized');
      expect((await t.api('GET', '/healthz', { authorization: null })).status).toBe(200);
      expect((await t.api('GET', '/readyz', { authorization: null })).status).toBe(200);
    });

    it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
      expect((await t.api('GET', '/api/v1/devices', { authorization: `bearer ${t.gateway.operatorToken.token}` })).status).toBe(200);
    });
  });

  describe('bodies', () => {
    it.each([
      ['an unknown field', { verb: 'Get', target: './DevInfo/Mod', priority: 1 }, '/priority'],
      ['an unknown field in a child', { verb: 'Sequence', commands: [{ verb: 'Get', target: './DevInfo/Mod', x: 1 }] }, '/commands/0/x'],
      ['a wrong type', { verb: 'Get', target: 5 }, '/target'],
      ['an unknown verb', { verb: 'Copy', target: './DevInfo/Mod' }, '/verb'],
      ['a missing target', { verb: 'Replace', data: '1' }, ''],
      ['an unknown format', { verb: 'Replace', target: './A/B', data: '1', format: 'integer' }, '/format'],
      ['an empty container', { verb: 'Atomic', commands: [] }, '/commands'],
      ['a bad expiresAt', { verb: 'Get', target: './DevInfo/Mod', expiresAt: 'tomorrow' }, '/expiresAt'],
    ])('refuses a command with %s (400 validation-failed)', async (_name, body, pointer) => {
      const r = await t.api('POST', `/api/v1/devices/${dev}/commands`, { body });
      expectProblem(r, 400, 'validation-failed');
      expect(r.body.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer }));
    });

    it.each([
      ['/Vendor/MSFT/X', 'cannot start with /'],
      ['./Vendor//MSFT', 'empty node name'],
      ['./Vendor/MSFT/', 'empty node name'],
      ['./Vendor/./MSFT', 'only a leading'],
      ['./Vendor/../MSFT', 'only a leading'],
      ['../etc/passwd', 'only a leading'],
      ['./Vendor/*', 'only *'],
      ['./Vendor/MS FT', 'percent-encoded'],
      ['./Vendor/MSFT?list=Struct', 'percent-encoded'],
      ['./Vendor/Tést', 'percent-encoded'],
      ['./Vendor/%ZZ', 'percent-encoded'],
      ['./Vendor/%C3%28', 'not UTF-8'],
      ['', 'empty'],
    ])('refuses the LocURI %j (400 invalid-loc-uri)', async (target, reason) => {
      const r = await t.api('POST', `/api/v1/devices/${dev}/commands`, { body: { verb: 'Get', target } });
      if (target === '') {
        expectProblem(r, 400, 'validation-failed');
        return;
      }
      expectProblem(r, 400, 'invalid-loc-uri');
      expect(r.body.errors[0]).toMatchObject({ in: 'body', pointer: '/target' });
      expect(r.body.detail).toContain(reason);
    });

    it('finds a bad LocURI deep in a container', async () => {
      const r = await t.api('POST', `/api/v1/devices/${dev}/commands`, {
        body: { verb: 'Sequence', commands: [{ verb: 'Get', target: './A' }, { verb: 'Atomic', commands: [{ verb: 'Delete', target: './B//C' }] }] },
      });
      expectProblem(r, 400, 'invalid-loc-uri');
      expect(r.body.errors[0].pointer).toBe('/commands/1/commands/0/target');
    });

    it.each([
      ['an Atomic in an Atomic', { verb: 'Atomic', commands: [{ verb: 'Atomic', commands: [{ verb: 'Delete', target: './A' }] }] }],
      ['a Get in an Atomic', { verb: 'Atomic', commands: [{ verb: 'Get', target: './A' }] }],
      ['a Get in a Sequence in an Atomic', { verb: 'Atomic', commands: [{ verb: 'Sequence', commands: [{ verb: 'Get', target: './A' }] }] }],
      ['a Sequence in a Sequence', { verb: 'Sequence', commands: [{ verb: 'Sequence', commands: [{ verb: 'Get', target: './A' }] }] }],
      ['data on a Get', { verb: 'Get', target: './A', data: 'x' }],
      ['data that is not an int', { verb: 'Replace', target: './A', data: 'ten', format: 'int' }],
      ['data that is not a bool', { verb: 'Replace', target: './A', data: '1', format: 'bool' }],
      ['an expiry in the past', { verb: 'Get', target: './A', expiresAt: '2001-01-01T00:00:00Z' }],
      ['addFallbackToReplace on a Get', { verb: 'Get', target: './A', addFallbackToReplace: true }],
    ])('refuses %s (400 invalid-command)', async (_name, body) => {
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { body }), 400, 'invalid-command');
    });

    it('refuses malformed JSON, a JSON array, another content type and a 2 MB body', async () => {
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { rawBody: '{"verb": "Get",', contentType: 'application/json' }), 400, 'malformed-json');
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { rawBody: '[1,2]', contentType: 'application/json' }), 400, 'validation-failed');
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { rawBody: 'verb=Get', contentType: 'text/plain' }), 415, 'unsupported-media-type');
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { rawBody: '', contentType: 'application/json' }), 400, 'validation-failed');
      const big = JSON.stringify({ verb: 'Replace', target: './A', data: 'x'.repeat(2 * 1024 * 1024) });
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/commands`, { rawBody: big, contentType: 'application/json' }), 413, 'body-too-large');
      expectProblem(await t.api('POST', '/api/v1/push', { rawBody: big, contentType: 'application/json' }), 413, 'body-too-large');
    });

    it.each([
      ['no pfn', { wns: { clientId: 'x', clientSecret: 'y' } }],
      ['an unknown field', { pfn: 'A_1', wns: { clientId: 'x', clientSecret: 'y', secret2: 'z' } }],
      ['entra without tenant', { pfn: 'A_1', wns: { auth: 'entra', clientId: 'x', clientSecret: 'y' } }],
      ['a remaining-retries interval under 24 hours', { pfn: 'A_1', wns: { clientId: 'x', clientSecret: 'y' }, pollSchedule: { intervalForRemainingScheduledRetries: 60 } }],
      ['zero first retries', { pfn: 'A_1', wns: { clientId: 'x', clientSecret: 'y' }, pollSchedule: { numberOfFirstRetries: 0 } }],
      ['a PFN with spaces', { pfn: 'A B', wns: { clientId: 'x', clientSecret: 'y' } }],
    ])('refuses a provider with %s', async (_name, body) => {
      expectProblem(await t.api('PUT', '/api/v1/providers/omadm-gateway', { body }), 400, 'validation-failed');
    });

    it('refuses bad wake bodies', async () => {
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/push`, { body: { ttlSeconds: '60' } }), 400, 'validation-failed');
      expectProblem(await t.api('POST', `/api/v1/devices/${dev}/push`, { body: { ttlSeconds: 0 } }), 400, 'validation-failed');
      expectProblem(await t.api('POST', '/api/v1/push', { body: {} }), 400, 'validation-failed');
      expectProblem(await t.api('POST', '/api/v1/push', { body: { deviceIds: [dev], filter: { hasPendingCommands: true } } }), 400, 'validation-failed');
      expectProblem(await t.api('POST', '/api/v1/push', { body: { deviceIds: [] } }), 400, 'validation-failed');
    });
  });

  describe('queries and paths', () => {
    it.each([
      ['/api/v1/devices?limit=0', 'validation-failed'],
      ['/api/v1/devices?limit=501', 'validation-failed'],
      ['/api/v1/devices?limit=ten', 'validation-failed'],
      ['/api/v1/devices?sort=name', 'validation-failed'],
      ['/api/v1/devices?pushState=great', 'validation-failed'],
      ['/api/v1/devices?lastSeenAfter=yesterday', 'validation-failed'],
      ['/api/v1/devices?limit=1&limit=2', 'validation-failed'],
      ['/api/v1/devices?cursor=!!', 'validation-failed'],
      ['/api/v1/devices?cursor=bm90LWpzb24', 'invalid-cursor'],
      ['/api/v1/devices?cursor=eyJhIjoxfQ', 'invalid-cursor'],
      [`/api/v1/devices/${dev}/commands?state=running`, 'validation-failed'],
      [`/api/v1/devices/${dev}/commands/not-a-uuid`, 'validation-failed'],
      ['/api/v1/providers/bad;id', 'validation-failed'],
      ['/api/v1/devices/a%00b', 'validation-failed'],
      ['/api/v1/devices/%E0%A4%A', 'validation-failed'],
    ])('GET %s → 400 %s', async (path, kind) => {
      expectProblem(await t.api('GET', path), 400, kind);
    });

    it.each([
      `/api/v1/devices/${encodeURIComponent("' OR '1'='1")}`,
      `/api/v1/devices/${encodeURIComponent('dev-err-1; DROP TABLE devices; --')}`,
      `/api/v1/devices/${encodeURIComponent('../../etc/passwd')}`,
      `/api/v1/devices/${encodeURIComponent('dev-err-1%')}`,
      '/api/v1/devices/DEV-ERR-1',
    ])('an unknown device %s is 404 on every device route', async (base) => {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['GET', '/commands', undefined],
        ['POST', '/commands', { verb: 'Get', target: './DevInfo/Mod' }],
        ['POST', '/push', {}],
        ['GET', '/pushes', undefined],
        ['GET', '/sessions', undefined],
        ['GET', '/sessions/1/messages', undefined],
      ] as const) {
        expectProblem(await t.api(method, `${base}${suffix}`, body === undefined ? {} : { body }), 404, 'device-not-found');
      }
    });

    it('dot segments sent raw (no client normalisation) stay a device id or no route', async () => {
      const raw = (path: string) =>
        new Promise<{ status: number; body: { type?: string } }>((resolve, reject) => {
          const { hostname, port } = new URL(t.url);
          const req = request({ hostname, port, path, headers: { authorization: `Bearer ${t.gateway.operatorToken.token}` } }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { type?: string } }));
          });
          req.on('error', reject);
          req.end();
        });
      expect(await raw('/api/v1/devices/%2e%2e/commands')).toMatchObject({ status: 404, body: { type: `${P}device-not-found` } });
      expect(await raw('/api/v1/devices/../providers/omadm-gateway')).toMatchObject({ status: 404, body: { type: `${P}route-not-found` } });
      expect(await raw('/api/v1/devices/..%2F..%2Fhealthz')).toMatchObject({ status: 404, body: { type: `${P}device-not-found` } });
    });

    it('a path that escapes the API prefix is no route', async () => {
      const r = await t.api('GET', '/api/v1/devices/..%2F..%2F..%2Fhealthz', {});
      expectProblem(r, 404, 'device-not-found');
      const unknown = await t.api('GET', '/api/v1/nothing-here', { unchecked: true });
      expectProblem(unknown, 404, 'route-not-found');
    });

    it('a known path with another method is 405 with Allow', async () => {
      const r = await t.api('DELETE', '/api/v1/devices', { unchecked: true });
      expectProblem(r, 405, 'method-not-allowed');
      expect(r.headers.get('allow')).toBe('GET, HEAD');
    });
  });

  it('none of the above changed anything', async () => {
    expect(await state()).toBe(before);
  });
});
