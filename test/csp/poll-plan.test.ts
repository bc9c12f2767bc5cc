/**
 * DMClient Poll schedule (PROTOCOL.md d.2): the MS-MDE2 §2.2.9.3 rules, the schedule hash, and the Poll part of the
 * session plan (when it is sent, as what, and what the device's answer means).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pollPath, pollRoot } from '../../src/csp/dmclient-paths.js';
import { initialPollPlan, interpretPollAnswer, pollPlanCommand, type PollPlanItem } from '../../src/csp/poll-plan.js';
import { checkPollSchedule, POLL_SCHEDULE_FIELDS, PollScheduleError, pollScheduleViolations, type PollSchedule } from '../../src/csp/poll-schedule.js';
import { pollScheduleHash } from '../../src/csp/poll-schedule-hash.js';
import { initialSessionPlan, interpretPlanAnswer, sessionPlanCommand } from '../../src/csp/session-plan.js';

/** MS-MDE2 §2.2.9.3's recommended "sigmoid" schedule (PROTOCOL.md d.2). */
const SIGMOID: PollSchedule = {
  intervalForFirstSetOfRetries: 15,
  numberOfFirstRetries: 5,
  intervalForSecondSetOfRetries: 60,
  numberOfSecondRetries: 10,
  intervalForRemainingScheduledRetries: 1440,
  numberOfRemainingScheduledRetries: 0,
};

const rules = (value: unknown) => pollScheduleViolations(value).map((v) => v.rule);

describe('pollScheduleViolations: MS-MDE2 §2.2.9.3 and the shape of a schedule', () => {
  it('accepts the recommended schedules and partial ones', () => {
    expect(pollScheduleViolations(SIGMOID)).toEqual([]);
    expect(pollScheduleViolations({ ...SIGMOID, intervalForRemainingScheduledRetries: 0 })).toEqual([]); // "initial enrollment only"
    expect(pollScheduleViolations({ pollOnLogin: true })).toEqual([]);
    expect(pollScheduleViolations({ intervalForRemainingScheduledRetries: 1440 })).toEqual([]);
  });

  it('names each rule a server MUST NOT break', () => {
    expect(pollScheduleViolations({ numberOfFirstRetries: 0 })).toEqual([
      { field: 'numberOfFirstRetries', rule: 'ms-mde2-first-retries-not-zero', message: 'MS-MDE2 §2.2.9.3: NumberOfFirstRetries MUST NOT be 0' },
    ]);
    expect(rules({ intervalForRemainingScheduledRetries: 1439 })).toEqual(['ms-mde2-remaining-interval-at-least-1440']);
    const zeros = Object.fromEntries(POLL_SCHEDULE_FIELDS.slice(0, 6).map(([f]) => [f, 0]));
    expect(rules(zeros)).toEqual(['ms-mde2-first-retries-not-zero', 'ms-mde2-not-all-six-zero', 'ms-mde2-not-all-retry-counts-zero']);
    expect(rules({ numberOfFirstRetries: 0, numberOfSecondRetries: 0, numberOfRemainingScheduledRetries: 0 })).toEqual([
      'ms-mde2-first-retries-not-zero',
      'ms-mde2-not-all-retry-counts-zero',
    ]);
  });

  it('refuses what is not a schedule', () => {
    expect(rules(null)).toEqual(['shape']);
    expect(rules([])).toEqual(['shape']);
    expect(rules({})).toEqual(['shape']);
    expect(rules({ intervalMinutes: 240 })).toEqual(['shape', 'shape']); // unknown field, and nothing set
    expect(rules({ numberOfFirstRetries: 1.5 })).toEqual(['shape']);
    expect(rules({ intervalForFirstSetOfRetries: -1 })).toEqual(['shape']);
    expect(rules({ pollOnLogin: 'true' })).toEqual(['shape']);
  });

  it('checkPollSchedule throws PollScheduleError with every violation', () => {
    const error = (() => {
      try {
        checkPollSchedule({ numberOfFirstRetries: 0, intervalForRemainingScheduledRetries: 60 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(PollScheduleError);
    expect((error as PollScheduleError).violations.map((v) => v.rule)).toEqual(['ms-mde2-first-retries-not-zero', 'ms-mde2-remaining-interval-at-least-1440']);
    expect(checkPollSchedule(SIGMOID)).toBe(SIGMOID);
  });
});

describe('pollScheduleHash', () => {
  it('is the same for the same values whatever the key order, and differs when any value differs', () => {
    const reversed = Object.fromEntries(Object.entries(SIGMOID).reverse()) as PollSchedule;
    expect(pollScheduleHash(reversed)).toBe(pollScheduleHash(SIGMOID));
    expect(pollScheduleHash(SIGMOID)).toMatch(/^[0-9a-f]{64}$/);
    expect(pollScheduleHash({ ...SIGMOID, numberOfSecondRetries: 11 })).not.toBe(pollScheduleHash(SIGMOID));
    // A field set to its default is still a field we send: not the same as leaving it out.
    expect(pollScheduleHash({ ...SIGMOID, pollOnLogin: false })).not.toBe(pollScheduleHash(SIGMOID));
  });

  it('tells any two different schedules apart (property)', () => {
    const count = fc.option(fc.nat({ max: 3000 }), { nil: undefined });
    const schedule = fc.record(
      {
        intervalForFirstSetOfRetries: count,
        numberOfFirstRetries: count,
        intervalForSecondSetOfRetries: count,
        numberOfSecondRetries: count,
        intervalForRemainingScheduledRetries: count,
        numberOfRemainingScheduledRetries: count,
        pollOnLogin: fc.option(fc.boolean(), { nil: undefined }),
        allUsersPollOnFirstLogin: fc.option(fc.boolean(), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    const canonical = (s: PollSchedule) => JSON.stringify(POLL_SCHEDULE_FIELDS.map(([f]) => s[f] ?? null));
    fc.assert(
      fc.property(schedule, schedule, (a, b) => {
        expect(pollScheduleHash(a) === pollScheduleHash(b)).toBe(canonical(a) === canonical(b));
      }),
    );
  });
});

describe('initialPollPlan: only when the device lacks the provider schedule', () => {
  it('sends nothing when the provider has no schedule', () => {
    expect(initialPollPlan({ schedule: null, provisionedHash: null })).toEqual({ item: null });
    expect(initialPollPlan({ schedule: undefined, provisionedHash: 'x' })).toEqual({ item: null });
  });

  it('sends the schedule to a device that never confirmed it, or confirmed another one', () => {
    const item = { purpose: 'poll', schedule: SIGMOID, hash: pollScheduleHash(SIGMOID), addPollNode: false };
    expect(initialPollPlan({ schedule: SIGMOID, provisionedHash: null })).toEqual({ item });
    expect(initialPollPlan({ schedule: SIGMOID, provisionedHash: pollScheduleHash({ pollOnLogin: true }) })).toEqual({ item });
  });

  it('does not resend a schedule the device confirmed', () => {
    expect(initialPollPlan({ schedule: SIGMOID, provisionedHash: pollScheduleHash(SIGMOID) })).toEqual({ item: null });
  });

  it('leaves out a stored schedule that breaks the rules, saying why', () => {
    const plan = initialPollPlan({ schedule: { numberOfFirstRetries: 0 }, provisionedHash: null });
    expect(plan.item).toBeNull();
    expect(plan.problem).toMatch(/NumberOfFirstRetries MUST NOT be 0/);
  });
});

describe('pollPlanCommand', () => {
  const item: PollPlanItem = { purpose: 'poll', schedule: { ...SIGMOID, pollOnLogin: true }, hash: 'h', addPollNode: false };

  it('is one Atomic of Replaces in the CSP node order, under the URI-encoded ProviderID', () => {
    const command = pollPlanCommand(item, 'Contoso MDM');
    expect(command).toEqual({
      verb: 'Atomic',
      commands: [
        { verb: 'Replace', target: pollPath('Contoso MDM', 'IntervalForFirstSetOfRetries'), data: '15', format: 'int' },
        { verb: 'Replace', target: pollPath('Contoso MDM', 'NumberOfFirstRetries'), data: '5', format: 'int' },
        { verb: 'Replace', target: pollPath('Contoso MDM', 'IntervalForSecondSetOfRetries'), data: '60', format: 'int' },
        { verb: 'Replace', target: pollPath('Contoso MDM', 'NumberOfSecondRetries'), data: '10', format: 'int' },
        { verb: 'Replace', target: pollPath('Contoso MDM', 'IntervalForRemainingScheduledRetries'), data: '1440', format: 'int' },
        { verb: 'Replace', target: pollPath('Contoso MDM', 'NumberOfRemainingScheduledRetries'), data: '0', format: 'int' },
        { verb: 'Replace', target: './Vendor/MSFT/DMClient/Provider/Contoso%20MDM/Poll/PollOnLogin', data: 'true', format: 'bool' },
      ],
    });
  });

  it('adds the Poll node first on the second attempt (MS-MDE2 §2.2.9.3)', () => {
    const command = pollPlanCommand({ ...item, schedule: { pollOnLogin: false }, addPollNode: true }, 'p');
    expect(command).toEqual({
      verb: 'Atomic',
      commands: [
        { verb: 'Add', target: pollRoot('p'), format: 'node' },
        { verb: 'Replace', target: pollPath('p', 'PollOnLogin'), data: 'false', format: 'bool' },
      ],
    });
  });
});

describe('interpretPollAnswer', () => {
  const schedule: PollSchedule = { intervalForFirstSetOfRetries: 30, numberOfFirstRetries: 4, pollOnLogin: true };
  const first: PollPlanItem = { purpose: 'poll', schedule, hash: pollScheduleHash(schedule), addPollNode: false };
  const second: PollPlanItem = { ...first, addPollNode: true };

  it('Atomic 200 with every child 2xx: provisioned', () => {
    expect(interpretPollAnswer(first, { status: '200', children: ['200', '200', '200'] })).toEqual({
      observations: [{ kind: 'pollProvisioned', hash: first.hash }],
      followUp: null,
    });
    expect(interpretPollAnswer(second, { status: '200', children: ['200', '200', '200', '200'] }).observations[0]?.kind).toBe('pollProvisioned');
  });

  it('a 404 → the second attempt (Add …/Poll first), once', () => {
    expect(interpretPollAnswer(first, { status: '507', children: ['404', '216', '216'] })).toEqual({ observations: [], followUp: second });
    expect(interpretPollAnswer(first, { status: '404', children: [] })).toEqual({ observations: [], followUp: second });
    const again = interpretPollAnswer(second, { status: '507', children: ['418', '216', '216', '216'] });
    expect(again.followUp).toBeNull();
    expect(again.observations).toEqual([expect.objectContaining({ kind: 'pollRejected', status: '507', deviceState: 'unchanged' })]);
    expect(interpretPollAnswer(second, { status: '507', children: ['216', '404', '216', '216'] }).followUp).toBeNull();
  });

  it('any other failure: rejected, the device state unchanged when it rolled back', () => {
    expect(interpretPollAnswer(first, { status: '507', children: ['216', '500', '216'] })).toEqual({
      observations: [{ kind: 'pollRejected', hash: first.hash, status: '507', deviceState: 'unchanged', reason: 'Poll Atomic answered 507, children [216, 500, 216]' }],
      followUp: null,
    });
    expect(interpretPollAnswer(first, { status: '500', children: [] }).observations[0]).toMatchObject({ deviceState: 'unchanged' });
  });

  it('the device state is unknown when part of the schedule may have stayed', () => {
    const state = (status: string, children: string[]) => {
      const o = interpretPollAnswer(second, { status, children }).observations[0];
      return o?.kind === 'pollRejected' ? o.deviceState : o?.kind;
    };
    expect(state('516', ['216', '500', '216', '216'])).toBe('unknown'); // roll back failed
    expect(state('507', ['200', '500', '216', '216'])).toBe('unknown'); // a child says it was applied
    expect(state('200', ['200', '200', '500', '200'])).toBe('unknown'); // contradiction
    expect(state('200', ['200', '200', ''])).toBe('unknown'); // a child Status never came
    expect(state('200', ['200', '200', '200'])).toBe('unknown'); // one child fewer than sent
  });
});

describe('session plan: push first, then Poll', () => {
  it('appends the Poll Atomic after the push items and routes answers by purpose', () => {
    const plan = initialSessionPlan({ providerId: 'p', providerPfn: 'PFN', provisionedPfn: 'PFN', pollSchedule: SIGMOID, provisionedPollHash: null });
    expect(plan.items.map((i) => i.purpose)).toEqual(['channelUri', 'pushStatus', 'poll']);
    expect(plan.problems).toEqual([]);
    const poll = plan.items[2]!;
    expect(sessionPlanCommand(poll, 'p')).toMatchObject({ verb: 'Atomic' });
    expect(interpretPlanAnswer(poll, { status: '200', results: null, children: Array(6).fill('200') }).observations).toEqual([
      { kind: 'pollProvisioned', hash: pollScheduleHash(SIGMOID) },
    ]);
    expect(interpretPlanAnswer(plan.items[1]!, { status: '200', results: ['0'], children: [] }).observations).toEqual([{ kind: 'statusReported', pushStatus: 0 }]);
  });

  it('reports an unusable schedule as a problem and still plans push', () => {
    const plan = initialSessionPlan({ providerId: 'p', providerPfn: null, provisionedPfn: null, pollSchedule: { intervalMinutes: 5 } as PollSchedule });
    expect(plan.items.map((i) => i.purpose)).toEqual(['channelUri', 'pushStatus']);
    expect(plan.problems).toEqual([expect.stringMatching(/not a poll schedule field/)]);
  });
});
