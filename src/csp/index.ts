export { DMCLIENT_ROOT, POLL_NODES, pollPath, providerPath, pushPaths, type PollNode, type PushPaths } from './dmclient-paths.js';
export { devInfoNodeName } from './dev-info.js';
export type { NodeCommand } from './node-command.js';
export { pollScheduleCommands, PollScheduleError, type PollSchedule } from './poll-schedule.js';
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
export { isPushStatusSuccess, PUSH_STATUS_MEANINGS, pushStatusMeaning } from './push-status-meaning.js';
