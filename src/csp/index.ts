export { DMCLIENT_ROOT, POLL_NODES, pollPath, pollRoot, providerPath, pushPaths, type PollNode, type PushPaths } from './dmclient-paths.js';
export { devInfoNodeName } from './dev-info.js';
export type { CspCommand, NodeCommand } from './node-command.js';
export {
  checkPollSchedule,
  POLL_SCHEDULE_FIELDS,
  pollScheduleCommands,
  PollScheduleError,
  pollScheduleViolations,
  type PollSchedule,
  type PollScheduleRule,
  type PollScheduleViolation,
} from './poll-schedule.js';
export { pollScheduleHash } from './poll-schedule-hash.js';
export { initialPollPlan, interpretPollAnswer, pollPlanCommand, type PollAnswer, type PollObservation, type PollPlanItem } from './poll-plan.js';
export {
  initialPushPlan,
  interpretPushAnswer,
  pushPlanCommand,
  type PushAnswer,
  type PushInterpretation,
  type PushObservation,
  type PushPlanInput,
  type PushPlanItem,
} from './push-plan.js';
export { initialSessionPlan, interpretPlanAnswer, sessionPlanCommand, type PlanAnswer, type PlanObservation, type SessionPlanInput, type SessionPlanItem } from './session-plan.js';
export { isPushStatusSuccess, PUSH_STATUS_MEANINGS, pushStatusMeaning } from './push-status-meaning.js';
