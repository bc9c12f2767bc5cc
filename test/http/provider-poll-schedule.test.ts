/**
 * `pollSchedule` on PUT/GET /api/v1/providers/{providerId} over real HTTP, on SQLite and PostgreSQL: stored and
 * returned, cleared by a PUT without it, refused with 400 problem+json naming the MS-MDE2 §2.2.9.3 rule it breaks, and
 * sent to a device at its next session (the harness checks every answer against the OpenAPI document).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Container } from '../../src/syncml/model.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { serverCommands } from '../support/syncml-builders.js';
import { PFN, startTestGateway, type TestGateway } from './gateway-harness.js';

const SIGMOID = {
  intervalForFirstSetOfRetries: 15,
  numberOfFirstRetries: 5,
  intervalForSecondSetOfRetries: 60,
  numberOfSecondRetries: 10,
  intervalForRemainingScheduledRetries: 1440,
  numberOfRemainingScheduledRetries: 0,
  pollOnLogin: true,
  allUsersPollOnFirstLogin: false,
};

describeOnBackends('provider poll schedule API', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const path = '/api/v1/providers/omadm-gateway';
  const put = (pollSchedule?: unknown, extra: Record<string, unknown> = {}) =>
    t.api('PUT', path, { body: { pfn: PFN, wns: { clientId: 'ms-app://client', clientSecret: 'secret-1' }, ...(pollSchedule === undefined ? {} : { pollSchedule }), ...extra } });

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });
  beforeEach(async () => {
    await db.reset();
  });

  it('stores the schedule and GET returns it; a PUT without it clears it', async () => {
    const created = await put(SIGMOID);
    expect(created.status).toBe(201);
    expect(created.body.pollSchedule).toEqual(SIGMOID);
    expect((await t.api('GET', path)).body.pollSchedule).toEqual(SIGMOID);
    const partial = await put({ pollOnLogin: true });
    expect(partial.status).toBe(200);
    expect((await t.api('GET', path)).body.pollSchedule).toEqual({ pollOnLogin: true });
    await put();
    expect((await t.api('GET', path)).body.pollSchedule).toBeNull();
  });

  describe('MS-MDE2 §2.2.9.3 rules → 400 validation-failed naming the rule; nothing stored', () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['NumberOfFirstRetries 0', { ...SIGMOID, numberOfFirstRetries: 0 }, '/pollSchedule/numberOfFirstRetries', 'ms-mde2-first-retries-not-zero'],
      ['a remaining interval under 24 hours', { intervalForRemainingScheduledRetries: 720 }, '/pollSchedule/intervalForRemainingScheduledRetries', 'ms-mde2-remaining-interval-at-least-1440'],
      [
        'all six parameters 0',
        { intervalForFirstSetOfRetries: 0, numberOfFirstRetries: 0, intervalForSecondSetOfRetries: 0, numberOfSecondRetries: 0, intervalForRemainingScheduledRetries: 0, numberOfRemainingScheduledRetries: 0 },
        '/pollSchedule',
        'ms-mde2-not-all-six-zero',
      ],
      ['all three retry counts 0', { numberOfFirstRetries: 0, numberOfSecondRetries: 0, numberOfRemainingScheduledRetries: 0 }, '/pollSchedule', 'ms-mde2-not-all-retry-counts-zero'],
    ];
    for (const [name, schedule, pointer, rule] of cases) {
      it(name, async () => {
        await put(SIGMOID);
        const r = await put(schedule);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(r.body.type).toBe('urn:omadm-gateway:problem:validation-failed');
        expect(r.body.errors).toContainEqual({ in: 'body', pointer, message: expect.stringMatching(/^MS-MDE2 §2\.2\.9\.3: .*MUST NOT/), rule });
        expect(r.body.detail).toContain('MS-MDE2 §2.2.9.3');
        // The rule replaces the JSON Schema's own message for the same field.
        expect(r.body.errors.filter((e: { pointer: string; rule?: string }) => e.pointer === pointer && e.rule === undefined)).toEqual([]);
        expect((await t.api('GET', path)).body.pollSchedule).toEqual(SIGMOID);
      });
    }

    it('reports a rule and an unrelated schema error together', async () => {
      const r = await put({ numberOfFirstRetries: 0 }, { pfn: 'has space' });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { pointer: string; rule?: string }) => [e.pointer, e.rule ?? null])).toEqual([
        ['/pfn', null],
        ['/pollSchedule/numberOfFirstRetries', 'ms-mde2-first-retries-not-zero'],
      ]);
    });
  });

  it('refuses a schedule of the wrong shape through the JSON Schema', async () => {
    for (const bad of [{}, { numberOfFirstRetries: '5' }, { intervalMinutes: 240 }, { pollOnLogin: 'yes' }, { numberOfSecondRetries: -1 }, 'daily', [15]]) {
      const r = await put(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.type).toBe('urn:omadm-gateway:problem:validation-failed');
      expect(r.body.errors.every((e: { rule?: string }) => e.rule === undefined)).toBe(true);
    }
  });

  it("the next session of a device carries the provider's schedule as one Atomic; the one after does not", async () => {
    await put(SIGMOID);
    const first = await t.checkIn({ deviceId: 'dev-poll-1', sessionId: '1' });
    const atomic = serverCommands(first[0]!).find((c): c is Container => c.kind === 'Atomic');
    expect(atomic?.commands.map((c) => ('items' in c ? [c.kind, c.items[0]?.target?.locURI.split('/').pop(), c.items[0]?.data] : []))).toEqual([
      ['Replace', 'IntervalForFirstSetOfRetries', { kind: 'text', text: '15' }],
      ['Replace', 'NumberOfFirstRetries', { kind: 'text', text: '5' }],
      ['Replace', 'IntervalForSecondSetOfRetries', { kind: 'text', text: '60' }],
      ['Replace', 'NumberOfSecondRetries', { kind: 'text', text: '10' }],
      ['Replace', 'IntervalForRemainingScheduledRetries', { kind: 'text', text: '1440' }],
      ['Replace', 'NumberOfRemainingScheduledRetries', { kind: 'text', text: '0' }],
      ['Replace', 'PollOnLogin', { kind: 'text', text: 'true' }],
      ['Replace', 'AllUsersPollOnFirstLogin', { kind: 'text', text: 'false' }],
    ]);
    const second = await t.checkIn({ deviceId: 'dev-poll-1', sessionId: '2' });
    expect(second.flatMap((m) => serverCommands(m)).map((c) => c.kind)).toEqual(['Get', 'Get']);
  });
});
