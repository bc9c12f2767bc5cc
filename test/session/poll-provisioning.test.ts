/**
 * The provider's DMClient Poll schedule in a session (PROTOCOL.md d.2; csp/poll-plan.ts): sent as one Atomic of
 * Replaces when the device has not confirmed it, never again once it has; a 404 brings one more Atomic with an Add of
 * `…/Poll` first; any other failure leaves it to the next session.
 */
import { describe, expect, it } from 'vitest';
import { pollScheduleHash } from '../../src/csp/poll-schedule-hash.js';
import type { PollSchedule } from '../../src/csp/poll-schedule.js';
import type { Command, Container, SyncML } from '../../src/syncml/model.js';
import { alert, answerReply, answersFrom, deviceMessage, package1, serverCommands, verbsAndTargets, type Answers } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, PROVIDER_ID, STATUS_PATH } from './conversation.js';

const POLL = `./Vendor/MSFT/DMClient/Provider/${PROVIDER_ID}/Poll`;
const SCHEDULE: PollSchedule = {
  intervalForFirstSetOfRetries: 15,
  numberOfFirstRetries: 5,
  intervalForSecondSetOfRetries: 60,
  numberOfSecondRetries: 10,
  intervalForRemainingScheduledRetries: 1440,
  numberOfRemainingScheduledRetries: 0,
  pollOnLogin: true,
};
const HASH = pollScheduleHash(SCHEDULE);
const PUSH_VALUES = { [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' };

function atomicOf(reply: SyncML): Container | undefined {
  return serverCommands(reply).find((c): c is Container => c.kind === 'Atomic');
}

/** [verb, target, data, format] of each child of the Poll Atomic. */
function children(reply: SyncML): Array<[string, string, string | undefined, string | undefined]> {
  return (atomicOf(reply)?.commands ?? []).map((c) => {
    const item = 'items' in c ? c.items[0] : undefined;
    return [c.kind, item?.target?.locURI ?? '', item?.data?.kind === 'text' ? item.data.text : undefined, item?.meta?.format];
  });
}

/** The device's answers: push Gets from PUSH_VALUES, the Atomic with `atomic`, its children by node name, else 200. */
function deviceAnswers(atomic: string, byNode: Record<string, string> = {}, otherChildren = '200'): Answers {
  const base = answersFrom(PUSH_VALUES);
  return (command: Command) => {
    if (command.kind === 'Atomic') return { status: atomic };
    const target = 'items' in command ? (command.items[0]?.target?.locURI ?? '') : '';
    if (target === POLL || target.startsWith(`${POLL}/`)) {
      const node = target === POLL ? 'Poll' : target.slice(POLL.length + 1);
      return { status: byNode[node] ?? otherChildren };
    }
    return base(command);
  };
}

describe('a provider with a poll schedule', () => {
  it('first session: push plan, then one Atomic of Replaces in CSP order; all 200 → provisioned', () => {
    const c = new Conversation({ device: null, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Replace', `./Vendor/MSFT/DMClient/Provider/${PROVIDER_ID}/Push/PFN`],
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
      ['Atomic', ''],
    ]);
    expect(children(r1.reply)).toEqual([
      ['Replace', `${POLL}/IntervalForFirstSetOfRetries`, '15', 'int'],
      ['Replace', `${POLL}/NumberOfFirstRetries`, '5', 'int'],
      ['Replace', `${POLL}/IntervalForSecondSetOfRetries`, '60', 'int'],
      ['Replace', `${POLL}/NumberOfSecondRetries`, '10', 'int'],
      ['Replace', `${POLL}/IntervalForRemainingScheduledRetries`, '1440', 'int'],
      ['Replace', `${POLL}/NumberOfRemainingScheduledRetries`, '0', 'int'],
      ['Replace', `${POLL}/PollOnLogin`, 'true', 'bool'],
    ]);
    // CmdIDs: the Atomic, then its children, continuing the message's numbering (a.2).
    expect(r1.reply.body.commands.map((cmd) => cmd.cmdID).slice(-1)).toEqual(['8']);
    expect(atomicOf(r1.reply)?.commands.map((cmd) => cmd.cmdID)).toEqual(['9', '10', '11', '12', '13', '14', '15']);

    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('200'))));
    expect(r2.effects.map((e) => e.type)).toEqual(['push.pfnProvisioned', 'push.channelReported', 'push.statusReported', 'push.pollProvisioned']);
    expect(c.effectsOf('push.pollProvisioned')).toEqual([{ type: 'push.pollProvisioned', deviceId: c.device?.deviceId, pollHash: HASH, at: c.now }]);
    expect(c.device?.provisionedPollHash).toBe(HASH);
    expect(serverCommands(r2.reply)).toEqual([]);
    expect(r2.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('a later session does not send a schedule the device confirmed', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN, provisionedPollHash: HASH }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1({ sessionID: '9' }));
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
    c.send(deviceMessage({ msgID: 2, sessionID: '9' }, answerReply(r1.reply, deviceAnswers('200'))));
    expect(c.effectsOf('push.pollProvisioned')).toEqual([]);
    expect(c.finish()).toEqual([]);
  });

  it('sends the new schedule after the provider changes it, only the fields it sets', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN, provisionedPollHash: HASH }, pollSchedule: { ...SCHEDULE, intervalForFirstSetOfRetries: 30 } });
    const r1 = c.send(package1());
    expect(children(r1.reply)[0]).toEqual(['Replace', `${POLL}/IntervalForFirstSetOfRetries`, '30', 'int']);
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('200'))));
    expect(c.device?.provisionedPollHash).toBe(pollScheduleHash({ ...SCHEDULE, intervalForFirstSetOfRetries: 30 }));

    const partial = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: { pollOnLogin: false } });
    expect(children(partial.send(package1()).reply)).toEqual([['Replace', `${POLL}/PollOnLogin`, 'false', 'bool']]);
  });

  it('sends nothing for the Poll nodes when the provider has no schedule', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    expect(atomicOf(c.send(package1()).reply)).toBeUndefined();
  });
});

describe('when the device does not take it', () => {
  it('404 (no Poll node) → the next package adds …/Poll first, in one Atomic; 200 → provisioned', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('507', { IntervalForFirstSetOfRetries: '404' }, '216'))));
    expect(c.effectsOf('push.pollProvisioned')).toEqual([]);
    expect(c.effectsOf('push.pollRejected')).toEqual([]);
    expect(verbsAndTargets(r2.reply)).toEqual([['Atomic', '']]);
    expect(children(r2.reply)[0]).toEqual(['Add', POLL, undefined, 'node']);
    expect(children(r2.reply).slice(1)).toEqual(children(r1.reply));

    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, deviceAnswers('200'))));
    expect(c.effectsOf('push.pollProvisioned').map((e) => e.pollHash)).toEqual([HASH]);
    expect(c.device?.provisionedPollHash).toBe(HASH);
    expect(serverCommands(r3.reply)).toEqual([]);
    expect(c.finish()).toEqual([]);
  });

  it('a second failure rejects it for this session (two Poll Atomics at most); the next session tries again', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('507', { IntervalForFirstSetOfRetries: '404' }, '216'))));
    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, deviceAnswers('507', { Poll: '418' }, '216'))));
    expect(c.effectsOf('push.pollRejected')).toEqual([
      { type: 'push.pollRejected', deviceId: c.device?.deviceId, pollHash: HASH, status: '507', deviceState: 'unchanged', at: c.now },
    ]);
    expect(r3.notes).toContainEqual(expect.objectContaining({ code: 'poll-rejected' }));
    expect(serverCommands(r3.reply)).toEqual([]);
    expect(r3.session.ended).toBe(true);
    expect(c.device?.provisionedPollHash).toBeUndefined();
    expect(c.finish()).toEqual([]);

    c.session = null;
    c.advance(60_000);
    const next = c.send(package1({ sessionID: '2' }));
    expect(children(next.reply)[0]).toEqual(['Replace', `${POLL}/IntervalForFirstSetOfRetries`, '15', 'int']);
  });

  it('another failure: no second Atomic in this session', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('507', { NumberOfSecondRetries: '500' }, '216'))));
    expect(serverCommands(r2.reply)).toEqual([]);
    expect(c.effectsOf('push.pollRejected')).toEqual([expect.objectContaining({ status: '507', deviceState: 'unchanged' })]);
  });

  it('516 (roll back failed): the confirmed schedule is forgotten, so the whole schedule goes out again', () => {
    const old = pollScheduleHash({ pollOnLogin: false });
    const c = new Conversation({ device: { provisionedPfn: PFN, provisionedPollHash: old }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, deviceAnswers('516', { NumberOfSecondRetries: '500' }, '216'))));
    expect(c.effectsOf('push.pollRejected')).toEqual([expect.objectContaining({ status: '516', deviceState: 'unknown' })]);
    expect(c.device?.provisionedPollHash).toBeNull();
  });

  it('unanswered (the device aborts the session): nothing recorded, sent again next session', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: SCHEDULE });
    const r1 = c.send(package1());
    expect(atomicOf(r1.reply)).toBeDefined();
    const r2 = c.send(deviceMessage({ msgID: 2 }, [alert('1', '1223')]));
    expect(r2.session.ended).toBe(true);
    expect(c.effectsOf('push.pollProvisioned')).toEqual([]);
    expect(c.effectsOf('push.pollRejected')).toEqual([]);
    expect(r2.notes).toContainEqual(expect.objectContaining({ code: 'plan-unanswered', message: expect.stringContaining('push plan poll') }));
    c.session = null;
    expect(atomicOf(c.send(package1({ sessionID: '2' })).reply)).toBeDefined();
  });
});

describe('schedules the gateway does not send', () => {
  it('a stored schedule that breaks MS-MDE2 is left out with a note; push goes on', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, pollSchedule: { numberOfFirstRetries: 0 } });
    const r1 = c.send(package1());
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
    expect(r1.notes).toContainEqual({ code: 'plan-item-left-out', message: expect.stringContaining('NumberOfFirstRetries MUST NOT be 0') });
  });

  it('an unenrolled device gets nothing', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN, enrollmentState: 'enrolled' }, pollSchedule: SCHEDULE });
    const unenroll = alert('4', '1226', [{ meta: { type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' }, data: { kind: 'text', text: '1' } }]);
    const r1 = c.send(package1({ extra: [unenroll] }));
    expect(serverCommands(r1.reply)).toEqual([]);
  });
});
