/**
 * The store conformance suite: the same behaviour on every backend (sqlite.test.ts and postgres.test.ts run it).
 * Real databases, one per test file (rows deleted between tests), a fixed clock, no mocks.
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { createStore, type StoreOptions } from '../../src/store/store.js';
import type { Store } from '../../src/store/roles.js';
import type { TestBackend, TestDatabase } from '../support/databases.js';
import { bindingCases } from './conformance/bindings.js';
import { channelCases } from './conformance/channels.js';
import { commandCases } from './conformance/commands.js';
import { deviceCases } from './conformance/devices.js';
import { effectCases } from './conformance/effects.js';
import { historyCases } from './conformance/history.js';
import { lastSessionCases } from './conformance/last-session.js';
import { providerUpsertCases } from './conformance/provider-upsert.js';
import { providerCases } from './conformance/providers.js';
import { retentionCases } from './conformance/retention.js';
import { schemaCases } from './conformance/schema.js';
import { sessionLookupCases } from './conformance/session-lookup.js';
import { sessionCases } from './conformance/sessions.js';
import { wakeBatchCases } from './conformance/wake-batch.js';
import { wakeHistoryCases } from './conformance/wake-history.js';
import { wakePageCases } from './conformance/wake-pages.js';
import { wakeCases } from './conformance/wakes.js';
import { SECRET_KEY, T0 } from './fixtures.js';

export interface StoreContext {
  readonly db: TestDatabase;
  /** The store under test (default options, clock at now()). */
  readonly store: Store;
  /** Another store on the same DataSource with other options. */
  open(options?: Partial<StoreOptions>): Store;
  now(): number;
  setNow(ms: number): void;
}

export function storeConformance(backend: TestBackend): void {
  let db: TestDatabase;
  let now = T0;
  let store: Store;
  const open = (options: Partial<StoreOptions> = {}) =>
    createStore(db.dataSource, { secretKey: SECRET_KEY, defaultProviderId: 'default-provider', clock: () => new Date(now), ...options });

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

  const ctx: StoreContext = {
    get db() {
      return db;
    },
    get store() {
      return store;
    },
    open,
    now: () => now,
    setNow: (ms) => {
      now = ms;
    },
  };

  describe('schema', () => schemaCases(ctx));
  describe('session ports', () => sessionCases(ctx));
  describe('session effects', () => effectCases(ctx));
  describe('channels', () => channelCases(ctx));
  describe('commands', () => commandCases(ctx));
  describe('providers and secrets', () => providerCases(ctx));
  describe('provider upsert', () => providerUpsertCases(ctx));
  describe('devices', () => deviceCases(ctx));
  describe('devices: provider bindings', () => bindingCases(ctx));
  describe('devices: last session', () => lastSessionCases(ctx));
  describe('sessions, messages and alerts', () => historyCases(ctx));
  describe('session lookup', () => sessionLookupCases(ctx));
  describe('wakes and push attempts', () => wakeCases(ctx));
  describe('wake settlement batches', () => wakeBatchCases(ctx));
  describe('wake pages (fan-out)', () => wakePageCases(ctx));
  describe('wake history', () => wakeHistoryCases(ctx));
  describe('history retention', () => retentionCases(ctx));
}
