/**
 * Provisioning the provider's DMClient Poll schedule (PROTOCOL.md d.2; DESIGN.md "Push does not replace polling").
 * Pure: the session engine sends the command and hands the device's answer back here.
 *
 * When: only when the device's confirmed schedule (a hash, see poll-schedule-hash.ts) differs from the provider's.
 *
 * How — one Atomic holding a Replace per Poll node that the schedule sets. MS-MDE2 §2.2.9.3 does not require Atomic
 * for Poll (it does for the WSTEP renewal nodes, §2.2.9.2: "MUST be wrapped in Atomic commands"), but its rules are
 * about the nodes together ("MUST NOT set all 6 polling parameters to 0 and MUST NOT set all 3 number of retries nodes
 * to 0 because it will cause a configuration failure"; two infinite sets disable the third), and "If an invalid
 * polling configuration is set, the device will correct or remove the schedules" [DMC; MS-MDE2]. Without Atomic the
 * device may execute the Replaces in any order (OMA-DMPRO §8, a.3) and keep some when others fail, leaving a mix of
 * old and new values we never validated — which the device may then "correct" into something else again. Atomic
 * (supported, OMA-SUP a.4; 507/216 on failure, c) makes it all or nothing: either every node holds the schedule we
 * checked, or none changed, which is exactly what "provisioned" means here.
 *
 * Outcome: Atomic 2xx and every child 2xx → provisioned. A 404 (Poll node missing) → once more in the same session
 * with an Add of `…/Poll` first: "the MDM server … sends an Add command to add a …/Poll node before it sends a Get or
 * Replace command" (MS-MDE2 §2.2.9.3, for devices whose polling was set through the registry before). Add of `…/Poll`
 * followed by Replace of its children is not the unsupported "Add followed by Replace on the same node within an
 * atomic element" (OMA-SUP, a.4): the nodes differ. Anything else, or the second attempt failing → not provisioned;
 * the next session tries again. So at most two Poll Atomics per session.
 */
import { isSuccessStatus } from '../syncml/codes.js';
import { pollRoot } from './dmclient-paths.js';
import type { CspCommand } from './node-command.js';
import { checkPollSchedule, POLL_SCHEDULE_FIELDS, PollScheduleError, pollScheduleCommands, type PollSchedule } from './poll-schedule.js';
import { pollScheduleHash } from './poll-schedule-hash.js';

export interface PollPlanItem {
  purpose: 'poll';
  schedule: PollSchedule;
  /** pollScheduleHash(schedule): what the device is recorded to hold once it confirms. */
  hash: string;
  /** Second attempt: Add `…/Poll` before the Replaces (after a 404). */
  addPollNode: boolean;
}

export interface PollPlanInput {
  /** The provider's schedule; null or absent: the gateway provisions none (devices keep theirs). */
  schedule: PollSchedule | null | undefined;
  /** Hash of the schedule the device last confirmed; null or absent when unknown. */
  provisionedHash: string | null | undefined;
}

/** The Poll item for this session, null when nothing is to be sent; `problem` when the provider's schedule is unusable. */
export function initialPollPlan(input: PollPlanInput): { item: PollPlanItem | null; problem?: string } {
  if (input.schedule === null || input.schedule === undefined) return { item: null };
  let schedule: PollSchedule;
  try {
    schedule = checkPollSchedule(input.schedule);
  } catch (error) {
    if (error instanceof PollScheduleError) return { item: null, problem: `the provider's poll schedule is not sent: ${error.message}` };
    throw error;
  }
  const hash = pollScheduleHash(schedule);
  if (hash === input.provisionedHash) return { item: null };
  return { item: { purpose: 'poll', schedule, hash, addPollNode: false } };
}

export function pollPlanCommand(item: PollPlanItem, providerId: string): CspCommand {
  const add: CspCommand[] = item.addPollNode ? [{ verb: 'Add', target: pollRoot(providerId), format: 'node' }] : [];
  return { verb: 'Atomic', commands: [...add, ...pollScheduleCommands(providerId, item.schedule)] };
}

export type PollObservation =
  | { kind: 'pollProvisioned'; hash: string }
  /**
   * `deviceState`: 'unchanged' when the device says nothing was applied (the Atomic rolled back); 'unknown' when part of
   * the schedule may be in place (516 "roll back failed", a child reporting success in a failed Atomic, or a
   * successful Atomic with a failed or missing child Status) — then the device's recorded schedule is forgotten.
   */
  | { kind: 'pollRejected'; hash: string; status: string; deviceState: 'unchanged' | 'unknown'; reason: string };

export interface PollAnswer {
  /** Status of the Atomic. */
  status: string;
  /** Status of each child in order; '' for a child the device gave none. */
  children: string[];
}

export function interpretPollAnswer(item: PollPlanItem, answer: PollAnswer): { observations: PollObservation[]; followUp: PollPlanItem | null } {
  const { status, children } = answer;
  const expected = (item.addPollNode ? 1 : 0) + POLL_SCHEDULE_FIELDS.filter(([field]) => item.schedule[field] !== undefined).length;
  const allChildren = children.length === expected && children.every(applied);
  if (applied(status) && allChildren) return { observations: [{ kind: 'pollProvisioned', hash: item.hash }], followUp: null };
  if (!item.addPollNode && (status === '404' || children.includes('404'))) {
    return { observations: [], followUp: { ...item, addPollNode: true } };
  }
  const unknown = status === '516' || children.includes('516') || applied(status) || children.some(applied);
  const reason = `Poll Atomic answered ${status || '(no Status)'}, children [${children.map((c) => c || '-').join(', ')}]`;
  return { observations: [{ kind: 'pollRejected', hash: item.hash, status, deviceState: unknown ? 'unknown' : 'unchanged', reason }], followUp: null };
}

/** 2xx, except 216 "Atomic roll back OK" (c): the command ran and was undone. */
function applied(code: string): boolean {
  return isSuccessStatus(code) && code !== '216';
}
