/**
 * Turning answered commands into effects, and giving unanswered ones back to the queue.
 *
 * - 'progress': conclude what is fully answered; requeue what waited longer than commandExpiryMs.
 * - 'package-end': the device closed its package (Final) — nothing more will come for what it answered, so a
 *   command with its own Status is concluded with what arrived (or requeued when its Results were lost).
 * - 'session-end': the session ends or aborts — every command still without Status goes back to the queue
 *   (at-least-once; OMA-DMPRO §8.1 session abort).
 */
import { isSuccessStatus } from '../syncml/codes.js';
import { interpretPlanAnswer, type PlanObservation } from '../csp/session-plan.js';
import { hasLostResults, isAnswered } from './correlation.js';
import type { OutstandingEntry, SentNode } from './engine-data.js';
import type { CommandOutcome, CommandSpec, SessionEffect } from './ports.js';
import { note, type Turn } from './turn.js';

export type SettleMode = 'progress' | 'package-end' | 'session-end';

export function settle(turn: Turn, mode: SettleMode): void {
  const keep: OutstandingEntry[] = [];
  for (const entry of turn.data.outstanding) {
    if (isAnswered(entry.node)) conclude(turn, entry);
    else if (mode !== 'progress' && entry.node.status !== undefined) conclude(turn, entry);
    else if (mode === 'session-end' || isExpired(turn, entry)) giveBack(turn, entry, mode === 'session-end' ? 'session ended before its Status' : 'no Status in time');
    else keep.push(entry);
  }
  turn.data.outstanding = keep;
}

function isExpired(turn: Turn, entry: OutstandingEntry): boolean {
  return entry.node.status === undefined && turn.now.getTime() - Date.parse(entry.sentAt) > turn.options.commandExpiryMs;
}

function conclude(turn: Turn, entry: OutstandingEntry): void {
  const { origin, node } = entry;
  const at = turn.now;
  if (origin.kind === 'plan') {
    const results = node.results.length > 0 ? node.results.map((r) => r.data) : null;
    const children = (node.children ?? []).map((c) => c.status ?? '');
    const { observations, followUp } = interpretPlanAnswer(origin.item, { status: node.status ?? '', results, children });
    for (const o of observations) pushEffect(turn, o);
    if (followUp) turn.data.planFollowUps.push(followUp);
    return;
  }
  if (hasLostResults(node)) return giveBack(turn, entry, 'its Results were lost');
  // 418 "Already exists" on an Add the operator allowed to fall back: the same command again as a Replace.
  if (origin.fallbackSpec && node.status === '418') {
    const spec = asReplace(origin.fallbackSpec);
    turn.effects.push({ type: 'command.respecified', commandId: origin.commandId, spec, at }, { type: 'command.requeued', commandId: origin.commandId, at });
    turn.respecified.push({
      id: origin.commandId,
      deviceId: turn.deviceId,
      spec,
      state: 'queued',
      attempts: 0,
      createdAt: at,
      expiresAt: null,
      addFallbackToReplace: false,
    });
    return;
  }
  const outcome = toOutcome(node);
  turn.effects.push({ type: 'command.completed', commandId: origin.commandId, state: allSucceeded(node) ? 'done' : 'failed', outcome, at });
}

function giveBack(turn: Turn, entry: OutstandingEntry, why: string): void {
  if (entry.origin.kind === 'plan') {
    note(turn, 'plan-unanswered', `push plan ${entry.origin.item.purpose} (MsgID ${entry.msgID} CmdID ${entry.node.cmdID}) dropped: ${why}`);
    return;
  }
  turn.effects.push({ type: 'command.requeued', commandId: entry.origin.commandId, at: turn.now });
  turn.data.heldBack.push(entry.origin.commandId);
  note(turn, 'command-requeued', `command ${entry.origin.commandId} back to the queue: ${why}`, { msgID: entry.msgID, cmdID: entry.node.cmdID });
}

function asReplace(spec: CommandSpec): CommandSpec {
  return spec.verb === 'Add' ? { ...spec, verb: 'Replace' } : spec;
}

/** Children without a Status of their own are reported with status "" (the device returned none). */
export function toOutcome(node: SentNode): CommandOutcome {
  return {
    status: node.status ?? '',
    results: node.results,
    ...(node.children ? { children: node.children.map(toOutcome) } : {}),
  };
}

function allSucceeded(node: SentNode): boolean {
  return isSuccessStatus(node.status ?? '') && (node.children ?? []).every(allSucceeded);
}

function pushEffect(turn: Turn, o: PlanObservation): void {
  // deviceId and at written out in each literal: properties after a spread are slow in Node 20's V8 (turn.ts newTurn).
  const { deviceId, now: at } = turn;
  let effect: SessionEffect;
  switch (o.kind) {
    case 'pfnProvisioned':
      effect = { type: 'push.pfnProvisioned', deviceId, at, pfn: o.pfn };
      break;
    case 'pfnRejected':
      effect = { type: 'push.pfnRejected', deviceId, at, pfn: o.pfn, status: o.status };
      break;
    case 'channelReported':
      effect = { type: 'push.channelReported', deviceId, at, channelUri: o.channelUri };
      break;
    case 'statusReported':
      effect = { type: 'push.statusReported', deviceId, at, pushStatus: o.pushStatus };
      break;
    case 'pollProvisioned':
      effect = { type: 'push.pollProvisioned', deviceId, at, pollHash: o.hash };
      break;
    case 'pollRejected':
      note(turn, 'poll-rejected', o.reason, { deviceState: o.deviceState });
      effect = { type: 'push.pollRejected', deviceId, at, pollHash: o.hash, status: o.status, deviceState: o.deviceState };
      break;
    case 'inconclusive':
      note(turn, 'push-inconclusive', o.reason);
      return;
  }
  turn.effects.push(effect);
}
