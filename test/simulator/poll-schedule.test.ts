import { describe, expect, it } from 'vitest';
import { nextPollAt, pollSets, type PollSchedule } from '../support/simulator/poll-schedule.js';
import { DAY, MINUTE } from '../support/simulator/sim-clock.js';

const defaults: PollSchedule = {
  IntervalForFirstSetOfRetries: 15,
  NumberOfFirstRetries: 10,
  IntervalForSecondSetOfRetries: 0,
  NumberOfSecondRetries: 0,
  IntervalForRemainingScheduledRetries: 0,
  NumberOfRemainingScheduledRetries: 0,
};
const anchor = new Date('2025-01-01T00:00:00Z');
const at = (ms: number) => new Date(anchor.getTime() + ms);

describe('poll schedule', () => {
  it('runs the first set, then falls back to a 24-hour schedule when no set is infinite', () => {
    expect(pollSets(defaults).map((s) => [s.intervalMs / MINUTE, s.count])).toEqual([
      [15, 10],
      [1440, Infinity],
    ]);
    expect(nextPollAt(defaults, anchor, anchor)).toEqual(at(15 * MINUTE));
    expect(nextPollAt(defaults, anchor, at(15 * MINUTE))).toEqual(at(30 * MINUTE));
    expect(nextPollAt(defaults, anchor, at(149 * MINUTE))).toEqual(at(150 * MINUTE));
    expect(nextPollAt(defaults, anchor, at(150 * MINUTE))).toEqual(at(150 * MINUTE + DAY));
  });

  it('follows the MS-MDE2 "sigmoid" schedule: 15 min ×5, 60 min ×10, then daily forever', () => {
    const s: PollSchedule = { ...defaults, NumberOfFirstRetries: 5, IntervalForSecondSetOfRetries: 60, NumberOfSecondRetries: 10, IntervalForRemainingScheduledRetries: 1440 };
    expect(pollSets(s).map((x) => [x.intervalMs / MINUTE, x.count])).toEqual([
      [15, 5],
      [60, 10],
      [1440, Infinity],
    ]);
    expect(nextPollAt(s, anchor, at(75 * MINUTE))).toEqual(at(135 * MINUTE));
    expect(nextPollAt(s, anchor, at(675 * MINUTE))).toEqual(at(675 * MINUTE + DAY));
  });

  it('NumberOfFirstRetries 0 makes the first set infinite and disables the others', () => {
    const s: PollSchedule = { ...defaults, NumberOfFirstRetries: 0, IntervalForSecondSetOfRetries: 60, NumberOfSecondRetries: 3 };
    expect(pollSets(s).map((x) => [x.intervalMs / MINUTE, x.count])).toEqual([[15, Infinity]]);
    expect(nextPollAt(s, anchor, at(10 * DAY))).toEqual(at(10 * DAY + 15 * MINUTE));
  });

  it('an interval of 0 disables a set', () => {
    const s: PollSchedule = { ...defaults, IntervalForFirstSetOfRetries: 0, IntervalForRemainingScheduledRetries: 1560 };
    expect(pollSets(s).map((x) => [x.intervalMs / MINUTE, x.count])).toEqual([[1560, Infinity]]);
  });
});
