/**
 * What the gateway itself sends in every session besides queued work: the push plan (push-plan.ts: PFN when needed,
 * ChannelURI, Push/Status) and, when the device lacks the provider's schedule, the Poll Atomic (poll-plan.ts).
 * One entry point for the session engine, so it handles both kinds the same way: send, collect the answer, interpret.
 */
import type { CspCommand } from './node-command.js';
import { initialPollPlan, interpretPollAnswer, pollPlanCommand, type PollObservation, type PollPlanItem } from './poll-plan.js';
import type { PollSchedule } from './poll-schedule.js';
import { initialPushPlan, interpretPushAnswer, pushPlanCommand, type PushObservation, type PushPlanInput, type PushPlanItem } from './push-plan.js';

export type SessionPlanItem = PushPlanItem | PollPlanItem;
export type PlanObservation = PushObservation | PollObservation;

export interface SessionPlanInput extends PushPlanInput {
  pollSchedule?: PollSchedule | null;
  provisionedPollHash?: string | null;
}

/** The plan for the first server package of a session; `problems` say what was left out and why. */
export function initialSessionPlan(input: SessionPlanInput): { items: SessionPlanItem[]; problems: string[] } {
  const poll = initialPollPlan({ schedule: input.pollSchedule, provisionedHash: input.provisionedPollHash });
  return { items: [...initialPushPlan(input), ...(poll.item ? [poll.item] : [])], problems: poll.problem ? [poll.problem] : [] };
}

export function sessionPlanCommand(item: SessionPlanItem, providerId: string): CspCommand {
  return item.purpose === 'poll' ? pollPlanCommand(item, providerId) : pushPlanCommand(item, providerId);
}

export interface PlanAnswer {
  status: string;
  /** Data of the Results items; null when no Results arrived. */
  results: Array<string | undefined> | null;
  /** For a container: the status of each child in order ('' when the device gave none). */
  children: string[];
}

export function interpretPlanAnswer(item: SessionPlanItem, answer: PlanAnswer): { observations: PlanObservation[]; followUp: SessionPlanItem | null } {
  if (item.purpose === 'poll') return interpretPollAnswer(item, answer);
  return interpretPushAnswer(item, answer);
}
