import { listPushAttemptsOfWakes } from './push-attempt-repository.js';
import type { Sql } from './sql-client.js';
import type { Page, PageRequest, PushAttemptView, WakeHistory } from './views.js';
import { listWakes } from './wake-repository.js';

/**
 * A page of a device's wakes (newest first), each with its WNS attempts: one statement for the page, one for the
 * attempts of exactly those wakes (by wake_id, through idx_push_attempts_wake), on one connection.
 */
export async function listWakeHistory(sql: Sql, deviceId: string, page: PageRequest): Promise<Page<WakeHistory>> {
  const wakes = await listWakes(sql, deviceId, page);
  const byWake = new Map<string, PushAttemptView[]>(wakes.items.map((w) => [w.id, []]));
  for (const attempt of await listPushAttemptsOfWakes(sql, [...byWake.keys()])) {
    if (attempt.wakeId !== null) byWake.get(attempt.wakeId)?.push(attempt);
  }
  return { items: wakes.items.map((w) => ({ ...w, pushAttempts: byWake.get(w.id) ?? [] })), nextCursor: wakes.nextCursor };
}
