/**
 * The store conformance suite: the same behaviour on every backend (sqlite.test.ts, postgres.test.ts run it).
 * Real databases, a fixed clock, no mocks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StaleSessionError } from '../../src/session/ports.js';
import { createStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/roles.js';
import type { TestBackend, TestDatabase } from '../support/databases.js';
import { at, DAY, MINUTE, SECRET_KEY, seen, sessionState, T0 } from './fixtures.js';

export function storeConformance(backend: TestBackend): void {
  let db: TestDatabase;
  let now = T0;
  let store: Store;
  const open = (over: Partial<Parameters<typeof createStore>[1]> = {}) =>
    createStore(db.dataSource, { secretKey: SECRET_KEY, defaultProviderId: 'default-provider', clock: () => new Date(now), ...over });

  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    await db.reset();
    now = T0;
    store = open();
  });

  describe('session ports', () => {
    it('loads an unknown device with the default provider and no session', async () => {
      const load = await store.loadForMessage('dev-1', '1', 10);
      expect(load).toEqual({ device: null, session: null, provider: { providerId: 'default-provider', pfn: null }, pending: [] });
    });

    it('creates device and session on the first commit and loads them back', async () => {
      const s = sessionState('dev-1', '1');
      await store.commitExchange({ session: s, expectedVersion: null, effects: [seen('dev-1', at(), { DevId: 'dev-1', Man: 'Contoso' })] });
      const load = await store.loadForMessage('dev-1', '1', 10);
      expect(load.device).toEqual({
        deviceId: 'dev-1',
        providerId: 'default-provider',
        devInfo: { DevId: 'dev-1', Man: 'Contoso' },
        enrollmentState: 'enrolled',
        provisionedPfn: null,
        firstSeenAt: at(),
        lastSeenAt: at(),
      });
      expect(load.session).toEqual({ ...s, version: 1 });
    });

    it('lets exactly one of two commits with the same expected version win', async () => {
      await store.commitExchange({ session: sessionState('dev-1', '1'), expectedVersion: null, effects: [] });
      const a = sessionState('dev-1', '1', { data: { writer: 'a' } });
      const b = sessionState('dev-1', '1', { data: { writer: 'b' } });
      const results = await Promise.allSettled([
        store.commitExchange({ session: a, expectedVersion: 1, effects: [] }),
        store.commitExchange({ session: b, expectedVersion: 1, effects: [] }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(StaleSessionError);
      const load = await store.loadForMessage('dev-1', '1', 10);
      expect(load.session?.version).toBe(2);
    });
  });

  it('keeps a queued command through a broken session (sent → requeued → sent again)', async () => {
    await store.commitExchange({ session: sessionState('dev-1', '1'), expectedVersion: null, effects: [] });
    const cmd = await store.enqueueCommand('dev-1', { verb: 'Get', target: './DevDetail/SwV' });
    await store.commitExchange({
      session: sessionState('dev-1', '1'),
      expectedVersion: 1,
      effects: [{ type: 'command.sent', commandId: cmd.id, sessionId: '1', msgID: '2', cmdID: '4', at: at(MINUTE) }],
    });
    expect((await store.getCommand('dev-1', cmd.id))?.state).toBe('sent');
    await store.commitExchange({
      session: sessionState('dev-1', '1', { ended: true }),
      expectedVersion: 2,
      effects: [{ type: 'command.requeued', commandId: cmd.id, at: at(2 * MINUTE) }],
    });
    const load = await store.loadForMessage('dev-1', '2', 10);
    expect(load.pending.map((c) => [c.id, c.attempts])).toEqual([[cmd.id, 1]]);
    await store.commitExchange({
      session: sessionState('dev-1', '2'),
      expectedVersion: null,
      effects: [{ type: 'command.sent', commandId: cmd.id, sessionId: '2', msgID: '1', cmdID: '3', at: at(DAY) }],
    });
    const again = await store.getCommand('dev-1', cmd.id);
    expect(again).toMatchObject({ state: 'sent', attempts: 2, sessionId: '2', msgID: '1', cmdID: '3', sentAt: at(DAY) });
  });
}
