/**
 * DMClient Poll schedule (PROTOCOL.md d.2) as OMA-DM commands. Validates the MS-MDE2 §2.2.9.3 rules a server
 * "MUST NOT" break, so a bad schedule is refused before it reaches a device. A schedule is partial: a field left out is
 * not sent, so the device keeps its own value for that node.
 */
import { pollPath, type PollNode } from './dmclient-paths.js';
import type { NodeCommand } from './node-command.js';

export interface PollSchedule {
  intervalForFirstSetOfRetries?: number;
  numberOfFirstRetries?: number;
  intervalForSecondSetOfRetries?: number;
  numberOfSecondRetries?: number;
  intervalForRemainingScheduledRetries?: number;
  numberOfRemainingScheduledRetries?: number;
  pollOnLogin?: boolean;
  allUsersPollOnFirstLogin?: boolean;
}

/**
 * Why a schedule is refused. `shape`: not a schedule at all (unknown field, wrong type, nothing set); the `ms-mde2-*`
 * rules are the server obligations of MS-MDE2 §2.2.9.3 (quoted in PROTOCOL.md d.2).
 */
export type PollScheduleRule =
  | 'shape'
  | 'ms-mde2-first-retries-not-zero'
  | 'ms-mde2-remaining-interval-at-least-1440'
  | 'ms-mde2-not-all-six-zero'
  | 'ms-mde2-not-all-retry-counts-zero';

export interface PollScheduleViolation {
  /** The field the rule is about; null for a rule about the schedule as a whole. */
  field: keyof PollSchedule | null;
  rule: PollScheduleRule;
  message: string;
}

export class PollScheduleError extends Error {
  constructor(
    message: string,
    readonly violations: readonly PollScheduleViolation[] = [],
  ) {
    super(message);
    this.name = 'PollScheduleError';
  }
}

/** The schedule's fields and their Poll nodes, in the order the DMClient CSP lists them. */
export const POLL_SCHEDULE_FIELDS: ReadonlyArray<readonly [keyof PollSchedule, PollNode]> = [
  ['intervalForFirstSetOfRetries', 'IntervalForFirstSetOfRetries'],
  ['numberOfFirstRetries', 'NumberOfFirstRetries'],
  ['intervalForSecondSetOfRetries', 'IntervalForSecondSetOfRetries'],
  ['numberOfSecondRetries', 'NumberOfSecondRetries'],
  ['intervalForRemainingScheduledRetries', 'IntervalForRemainingScheduledRetries'],
  ['numberOfRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries'],
  ['pollOnLogin', 'PollOnLogin'],
  ['allUsersPollOnFirstLogin', 'AllUsersPollOnFirstLogin'],
];

const NUMBER_FIELDS = POLL_SCHEDULE_FIELDS.slice(0, 6).map(([field]) => field);
const BOOLEAN_FIELDS = POLL_SCHEDULE_FIELDS.slice(6).map(([field]) => field);
const COUNT_FIELDS: Array<keyof PollSchedule> = ['numberOfFirstRetries', 'numberOfSecondRetries', 'numberOfRemainingScheduledRetries'];
const SECTION = 'MS-MDE2 §2.2.9.3';

/** One Replace per field that is set (Poll children allow Replace [DMC]), in the CSP's node order. */
export function pollScheduleCommands(providerId: string, schedule: PollSchedule): NodeCommand[] {
  const valid = checkPollSchedule(schedule);
  const commands: NodeCommand[] = [];
  for (const [field, node] of POLL_SCHEDULE_FIELDS) {
    const value = valid[field];
    if (value === undefined) continue;
    const format = typeof value === 'boolean' ? 'bool' : 'int';
    commands.push({ verb: 'Replace', target: pollPath(providerId, node), data: String(value), format });
  }
  return commands;
}

/** The value as a PollSchedule, or PollScheduleError listing every violation (shape and MS-MDE2 rules). */
export function checkPollSchedule(value: unknown): PollSchedule {
  const violations = pollScheduleViolations(value);
  const first = violations[0];
  if (first) throw new PollScheduleError(violations.map((v) => v.message).join('; '), violations);
  return value as PollSchedule;
}

/**
 * Every reason the value is not a schedule a server may set. The MS-MDE2 rules look only at fields that are
 * integers, so a caller that checks types elsewhere (the API's JSON Schema) can ask for the rules alone.
 */
export function pollScheduleViolations(value: unknown): PollScheduleViolation[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field: null, rule: 'shape', message: 'a poll schedule must be an object' }];
  }
  const s = value as Record<string, unknown>;
  const out: PollScheduleViolation[] = [];
  const known = new Set<string>(POLL_SCHEDULE_FIELDS.map(([field]) => field));
  for (const key of Object.keys(s)) {
    if (!known.has(key)) out.push({ field: null, rule: 'shape', message: `${key} is not a poll schedule field` });
  }
  for (const field of NUMBER_FIELDS) {
    const v = s[field];
    if (v !== undefined && !isCount(v)) out.push({ field, rule: 'shape', message: `${field} must be a non-negative integer` });
  }
  for (const field of BOOLEAN_FIELDS) {
    const v = s[field];
    if (v !== undefined && typeof v !== 'boolean') out.push({ field, rule: 'shape', message: `${field} must be a boolean` });
  }
  if (POLL_SCHEDULE_FIELDS.every(([field]) => s[field] === undefined)) {
    out.push({ field: null, rule: 'shape', message: 'a poll schedule must set at least one field' });
  }
  return [...out, ...ruleViolations(s)];
}

function ruleViolations(s: Record<string, unknown>): PollScheduleViolation[] {
  const out: PollScheduleViolation[] = [];
  // "The server MUST NOT set NumberOfFirstRetries to 0."
  if (s['numberOfFirstRetries'] === 0) {
    out.push({ field: 'numberOfFirstRetries', rule: 'ms-mde2-first-retries-not-zero', message: `${SECTION}: NumberOfFirstRetries MUST NOT be 0` });
  }
  // "IntervalForRemainingScheduledRetries MUST NOT be smaller than 1440 minutes (24 hours)"; 0 disables the schedule.
  const remaining = s['intervalForRemainingScheduledRetries'];
  if (isCount(remaining) && remaining !== 0 && remaining < 1440) {
    out.push({
      field: 'intervalForRemainingScheduledRetries',
      rule: 'ms-mde2-remaining-interval-at-least-1440',
      message: `${SECTION}: IntervalForRemainingScheduledRetries MUST NOT be smaller than 1440 minutes (24 hours); 0 disables it`,
    });
  }
  // "MUST NOT set all 6 polling parameters to 0 and MUST NOT set all 3 number of retries nodes to 0".
  if (NUMBER_FIELDS.every((field) => s[field] === 0)) {
    out.push({ field: null, rule: 'ms-mde2-not-all-six-zero', message: `${SECTION}: the server MUST NOT set all 6 polling parameters to 0` });
  }
  if (COUNT_FIELDS.every((field) => s[field] === 0)) {
    out.push({ field: null, rule: 'ms-mde2-not-all-retry-counts-zero', message: `${SECTION}: the server MUST NOT set all 3 number of retries nodes to 0` });
  }
  return out;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
