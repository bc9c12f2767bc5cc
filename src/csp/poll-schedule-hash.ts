/**
 * A stable fingerprint of a poll schedule: what the store keeps as the schedule a device confirmed, so a session sends
 * the Poll nodes only when the provider's schedule differs from it. Built from the Poll node names and the values as
 * they go on the wire, in the CSP's node order, so JSON key order and unset fields do not matter. SHA-256, hex.
 */
import { createHash } from 'node:crypto';
import { POLL_SCHEDULE_FIELDS, type PollSchedule } from './poll-schedule.js';

export function pollScheduleHash(schedule: PollSchedule): string {
  const canonical = POLL_SCHEDULE_FIELDS.flatMap(([field, node]) => {
    const value = schedule[field];
    return value === undefined ? [] : [`${node}=${String(value)}`];
  }).join(';');
  return createHash('sha256').update(`dmclient-poll-v1;${canonical}`, 'utf8').digest('hex');
}
