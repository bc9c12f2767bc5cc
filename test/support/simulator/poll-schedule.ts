/**
 * DMClient Poll schedule → next poll time (PROTOCOL.md d.2). Three sets run one after another from the time the
 * schedule was set (the anchor): first, second, remaining; each is `count` polls `interval` minutes apart.
 * - interval 0 disables a set;
 * - NumberOfFirstRetries 0 (interval ≠ 0) → the first set is infinite and the later sets never run;
 * - NumberOfSecondRetries 0 (interval ≠ 0, first set finite) → the second set is infinite;
 * - NumberOfRemainingScheduledRetries 0 → infinite, unless an earlier set is infinite (then disabled);
 * - no infinite set at all → "a 24-hour schedule is created".
 * Pure.
 */
import { MINUTE } from './sim-clock.js';

export interface PollSchedule {
  IntervalForFirstSetOfRetries: number;
  NumberOfFirstRetries: number;
  IntervalForSecondSetOfRetries: number;
  NumberOfSecondRetries: number;
  IntervalForRemainingScheduledRetries: number;
  NumberOfRemainingScheduledRetries: number;
}

interface PollSet {
  intervalMs: number;
  /** Infinity for an infinite set. */
  count: number;
}

export function pollSets(s: PollSchedule): PollSet[] {
  const sets: PollSet[] = [];
  let infinite = false;
  const add = (interval: number, count: number, zeroIsInfinite: boolean): void => {
    if (infinite || interval <= 0) return;
    if (count <= 0 && !zeroIsInfinite) return;
    const n = count <= 0 ? Infinity : count;
    if (n === Infinity) infinite = true;
    sets.push({ intervalMs: interval * MINUTE, count: n });
  };
  add(s.IntervalForFirstSetOfRetries, s.NumberOfFirstRetries, true);
  add(s.IntervalForSecondSetOfRetries, s.NumberOfSecondRetries, true);
  add(s.IntervalForRemainingScheduledRetries, s.NumberOfRemainingScheduledRetries, true);
  if (!infinite) sets.push({ intervalMs: 1440 * MINUTE, count: Infinity });
  return sets;
}

/** The first poll strictly after `after`, for a schedule set at `anchor`. */
export function nextPollAt(schedule: PollSchedule, anchor: Date, after: Date): Date {
  let start = anchor.getTime();
  const t = after.getTime();
  for (const set of pollSets(schedule)) {
    const end = start + set.count * set.intervalMs;
    if (t < end) {
      const k = t < start ? 1 : Math.floor((t - start) / set.intervalMs) + 1;
      return new Date(start + k * set.intervalMs);
    }
    start = end;
  }
  // Unreachable: the last set is always infinite.
  throw new Error('poll schedule has no infinite set');
}
