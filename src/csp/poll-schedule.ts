/**
 * DMClient Poll schedule (PROTOCOL.md d.2) as OMA-DM commands. Validates the MS-MDE2 §2.2.9.3 rules a server
 * "MUST NOT" break, so a bad schedule is refused before it reaches a device.
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

export class PollScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollScheduleError';
  }
}

const FIELDS: ReadonlyArray<[keyof PollSchedule, PollNode]> = [
  ['intervalForFirstSetOfRetries', 'IntervalForFirstSetOfRetries'],
  ['numberOfFirstRetries', 'NumberOfFirstRetries'],
  ['intervalForSecondSetOfRetries', 'IntervalForSecondSetOfRetries'],
  ['numberOfSecondRetries', 'NumberOfSecondRetries'],
  ['intervalForRemainingScheduledRetries', 'IntervalForRemainingScheduledRetries'],
  ['numberOfRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries'],
  ['pollOnLogin', 'PollOnLogin'],
  ['allUsersPollOnFirstLogin', 'AllUsersPollOnFirstLogin'],
];

/** One Replace per field that is set (Poll children allow Replace [DMC]), in the CSP's node order. */
export function pollScheduleCommands(providerId: string, schedule: PollSchedule): NodeCommand[] {
  validate(schedule);
  const commands: NodeCommand[] = [];
  for (const [field, node] of FIELDS) {
    const value = schedule[field];
    if (value === undefined) continue;
    const format = typeof value === 'boolean' ? 'bool' : 'int';
    commands.push({ verb: 'Replace', target: pollPath(providerId, node), data: String(value), format });
  }
  return commands;
}

function validate(s: PollSchedule): void {
  for (const [field] of FIELDS.slice(0, 6)) {
    const value = s[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      throw new PollScheduleError(`${field} must be a non-negative integer`);
    }
  }
  // MS-MDE2: "The server MUST NOT set NumberOfFirstRetries to be 0".
  if (s.numberOfFirstRetries === 0) throw new PollScheduleError('numberOfFirstRetries must not be 0 (MS-MDE2 §2.2.9.3)');
  // MS-MDE2: IntervalForRemainingScheduledRetries "MUST NOT be smaller than 1440 minutes" (0 disables it).
  const remaining = s.intervalForRemainingScheduledRetries;
  if (remaining !== undefined && remaining !== 0 && remaining < 1440) {
    throw new PollScheduleError('intervalForRemainingScheduledRetries must be 0 or at least 1440 minutes (MS-MDE2 §2.2.9.3)');
  }
  const numbers = FIELDS.slice(0, 6).map(([field]) => s[field]);
  if (numbers.every((v) => v === 0)) throw new PollScheduleError('all six polling parameters must not be 0 (MS-MDE2 §2.2.9.3)');
  const counts = [s.numberOfFirstRetries, s.numberOfSecondRetries, s.numberOfRemainingScheduledRetries];
  if (counts.every((v) => v === 0)) throw new PollScheduleError('all three retry counts must not be 0 (MS-MDE2 §2.2.9.3)');
}
