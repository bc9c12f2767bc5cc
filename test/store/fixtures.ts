import type { SessionEffect, SessionState } from '../../src/session/ports.js';

/** A fixed clock for the store tests (no timing in assertions). */
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
export const at = (offsetMs = 0): Date => new Date(T0 + offsetMs);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;

export const SECRET_KEY = Buffer.alloc(32, 7);

export function sessionState(deviceId: string, sessionId: string, over: Partial<SessionState> = {}): SessionState {
  return {
    deviceId,
    sessionId,
    trigger: '1201',
    startedAt: at().toISOString(),
    updatedAt: at().toISOString(),
    ended: false,
    version: 0,
    data: { nextMsgID: 2, outstanding: [{ msgID: '1', cmdID: '3' }], nested: { ok: true, list: [1, 'two', null] } },
    ...over,
  };
}

export const seen = (deviceId: string, when: Date, devInfo: Record<string, string> = {}): SessionEffect => ({
  type: 'device.seen',
  deviceId,
  at: when,
  devInfo,
});

/** Commits a first message for a device so it exists (optionally with a DevInfo). */
export async function checkIn(
  store: { commitExchange(c: { session: SessionState; expectedVersion: number | null; effects: SessionEffect[] }): Promise<void> },
  deviceId: string,
  sessionId = '1',
  when: Date = at(),
  effects: SessionEffect[] = [],
): Promise<void> {
  await store.commitExchange({
    session: sessionState(deviceId, sessionId, { startedAt: when.toISOString(), updatedAt: when.toISOString() }),
    expectedVersion: null,
    effects: [seen(deviceId, when), ...effects],
  });
}
