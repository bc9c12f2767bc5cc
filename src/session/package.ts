/**
 * What the server sends: a package is chosen when the device has answered everything (a.5: "a server is not
 * permitted to send new commands to a client that has not yet returned a status to previous commands"), then placed
 * into messages under the device's MaxMsgSize, whole commands only (a.5: "a command must fit entirely into one
 * message", Atomic and Sequence included). What does not fit waits for the next message of the package.
 *
 * Order within a package: the session plan (first package of every session: push d.1/f, then the Poll schedule when
 * the device lacks it, d.2), plan follow-ups, commands given back
 * as Replace after 418, then the queue oldest first — at most maxOutstanding top-level commands.
 */
import { initialSessionPlan, sessionPlanCommand } from '../csp/session-plan.js';
import type { Command } from '../syncml/model.js';
import type { Origin, PackageItem } from './engine-data.js';
import { buildCommand, largestObjectBytes } from './outgoing-command.js';
import type { CommandSpec, QueuedCommand, SessionInput } from './ports.js';
import { note, type Turn } from './turn.js';

export function openPackage(turn: Turn, input: SessionInput): PackageItem[] {
  const data = turn.data;
  if (data.unenrolled) return [];
  const items: PackageItem[] = [];
  if (!data.planStarted) {
    data.planStarted = true;
    const plan = initialSessionPlan({
      providerId: input.provider.providerId,
      providerPfn: input.provider.pfn,
      provisionedPfn: input.device?.provisionedPfn ?? null,
      pollSchedule: input.provider.pollSchedule ?? null,
      provisionedPollHash: input.device?.provisionedPollHash ?? null,
    });
    for (const problem of plan.problems) note(turn, 'plan-item-left-out', problem);
    items.push(...plan.items.map((item) => ({ kind: 'plan' as const, item })));
  }
  items.push(...data.planFollowUps.map((item) => ({ kind: 'plan' as const, item })));
  data.planFollowUps = [];
  const skip = new Set(data.heldBack);
  for (const entry of data.outstanding) if (entry.origin.kind === 'queue') skip.add(entry.origin.commandId);
  for (const command of [...turn.respecified, ...input.pending]) {
    if (skip.has(command.id) || command.state !== 'queued') continue;
    if (command.expiresAt && command.expiresAt.getTime() <= turn.now.getTime()) continue;
    skip.add(command.id);
    items.push({ kind: 'queue', commandId: command.id });
  }
  return items.slice(0, turn.options.maxOutstanding);
}

export interface MessageRoom {
  /** First CmdID free for commands (after our Statuses and Alerts). */
  nextCmdID: number;
  /** Bytes already used by the envelope, Statuses and Alerts. */
  usedBytes: number;
  /** Bytes of a message holding only the envelope and the SyncHdr Status: what any command must fit beside. */
  minimalBytes: number;
  limitBytes: number;
}

/** Places package items into this message; returns the commands and the items left for the next message. */
export function fillMessage(turn: Turn, input: SessionInput, items: PackageItem[], room: MessageRoom): { commands: Command[]; rest: PackageItem[] } {
  const data = turn.data;
  const msgID = String(data.nextServerMsgID);
  const commands: Command[] = [];
  let { nextCmdID, usedBytes } = room;
  let index = 0;
  for (; index < items.length && commands.length < turn.options.maxCommandsPerMessage; index++) {
    const item = items[index] as PackageItem;
    const resolved = resolve(turn, input, item);
    if (!resolved) continue;
    const maxObj = data.maxObjSize;
    if (maxObj !== null && largestObjectBytes(resolved.spec) > maxObj) {
      holdBack(turn, item, `an object is larger than the device's MaxObjSize ${maxObj}`);
      continue;
    }
    const built = buildCommand(resolved.spec, nextCmdID);
    const size = turn.options.measure(built.command);
    if (room.minimalBytes + size > room.limitBytes) {
      holdBack(turn, item, `${size} bytes do not fit in any message under MaxMsgSize ${room.limitBytes}`);
      continue;
    }
    if (usedBytes + size > room.limitBytes) break;
    usedBytes += size;
    nextCmdID = built.nextCmdID;
    commands.push(built.command);
    const at = turn.now;
    data.outstanding.push({ msgID, sentAt: at.toISOString(), origin: resolved.origin, node: built.node });
    if (resolved.origin.kind === 'queue') {
      turn.effects.push({ type: 'command.sent', commandId: resolved.origin.commandId, sessionId: turn.sessionId, msgID, cmdID: built.node.cmdID, at });
    }
  }
  return { commands, rest: items.slice(index) };
}

type Resolved = { spec: CommandSpec; origin: Origin };

function resolve(turn: Turn, input: SessionInput, item: PackageItem): Resolved | null {
  if (item.kind === 'plan') return { spec: sessionPlanCommand(item.item, input.provider.providerId), origin: { kind: 'plan', item: item.item } };
  const queued = findQueued(turn, input, item.commandId);
  if (!queued) {
    note(turn, 'package-item-gone', `command ${item.commandId} is no longer queued; left out of the package`);
    return null;
  }
  const fallback = queued.spec.verb === 'Add' && queued.addFallbackToReplace ? { fallbackSpec: queued.spec } : {};
  return { spec: queued.spec, origin: { kind: 'queue', commandId: queued.id, ...fallback } };
}

function findQueued(turn: Turn, input: SessionInput, id: string): QueuedCommand | undefined {
  return turn.respecified.find((c) => c.id === id) ?? input.pending.find((c) => c.id === id && c.state === 'queued');
}

function holdBack(turn: Turn, item: PackageItem, why: string): void {
  if (item.kind === 'queue') turn.data.heldBack.push(item.commandId);
  note(turn, 'command-held-back', `${item.kind === 'queue' ? `command ${item.commandId}` : `push plan ${item.item.purpose}`} not sent in this session: ${why}`);
}
