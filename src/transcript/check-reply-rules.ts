/**
 * Protocol rules every gateway reply must follow, checked on one (device message, reply) pair. Used in
 * device-only mode (captures of another server), and in strict mode as well: a recorded reply cannot make a
 * rule optional. Section tags refer to ../shared/PROTOCOL.md.
 */
import type { Command, SyncML } from '../syncml/model.js';
import { normaliseServerUri } from './assign-sides.js';

export const RULE_IDS = [
  'version',
  'session-id-echo',
  'msgid-sequence',
  'target-source-swapped',
  'synchdr-status-first',
  'status-per-command',
  'no-status-for-results',
  'cmdid-valid',
  'final',
  'next-message-response',
  'abort-reply',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface RuleViolation {
  rule: RuleId;
  message: string;
}

export interface RuleContext {
  /** The MsgID the reply must carry (server numbers its messages 1, 2, 3… per session, a.2). */
  expectedMsgID?: string;
  /** The device's next message in the same session, if the transcript has one (a 1222 there allows a reply without Final). */
  nextDeviceMessage?: SyncML;
  skip?: readonly string[];
}

export function checkReplyRules(device: SyncML, reply: SyncML, ctx: RuleContext = {}): RuleViolation[] {
  const out: RuleViolation[] = [];
  const add = (rule: RuleId, message: string): void => {
    if (!ctx.skip?.includes(rule)) out.push({ rule, message });
  };
  const dh = device.header;
  const rh = reply.header;

  // a.2: VerDTD "MUST be 1.2", VerProto "MUST be DM/1.2".
  if (rh.verDTD !== '1.2') add('version', `SyncHdr/VerDTD is ${rh.verDTD}, must be 1.2`);
  if (rh.verProto !== 'DM/1.2') add('version', `SyncHdr/VerProto is ${rh.verProto}, must be DM/1.2`);

  // a.2: same SessionID for the whole session.
  if (rh.sessionID !== dh.sessionID) add('session-id-echo', `SyncHdr/SessionID is ${rh.sessionID}, the device's is ${dh.sessionID}`);

  // a.2: "All messages from the server must have a MsgID that is unique within the session, starting at 1 … increasing by 1".
  if (ctx.expectedMsgID !== undefined && rh.msgID !== ctx.expectedMsgID) {
    add('msgid-sequence', `SyncHdr/MsgID is ${rh.msgID}, expected ${ctx.expectedMsgID} (server messages are numbered 1, 2, 3… per session)`);
  }

  // a.2: server → device has Target = device, Source = server (MS-MDM §4).
  if (rh.target.locURI !== dh.source.locURI) {
    add('target-source-swapped', `SyncHdr/Target/LocURI is ${rh.target.locURI}, must be the device's Source ${dh.source.locURI}`);
  }
  if (normaliseServerUri(rh.source.locURI) !== normaliseServerUri(dh.target.locURI)) {
    add('target-source-swapped', `SyncHdr/Source/LocURI is ${rh.source.locURI}, must be the device's Target ${dh.target.locURI}`);
  }

  checkStatuses(device, reply, add);
  checkCmdIDs(reply, add);
  checkFinal(device, reply, ctx, add);
  return out;
}

type Add = (rule: RuleId, message: string) => void;

function checkStatuses(device: SyncML, reply: SyncML, add: Add): void {
  const msgID = device.header.msgID;
  const commands = reply.body.commands;
  // a.3: "Status MUST be returned for the SyncHdr … and MUST be the first Status element"; CmdRef 0 (MS-MDM §2.2.6.1).
  const first = commands[0];
  if (!first || first.kind !== 'Status' || first.cmdRef !== '0') {
    add('synchdr-status-first', `SyncBody/${commands[0] ? label(commands[0], 1) : '(empty)'}: the first command must be the Status for SyncHdr (CmdRef 0)`);
  } else {
    if ((first.msgRef ?? '1') !== msgID) add('synchdr-status-first', `SyncBody/Status[1]/MsgRef is ${first.msgRef ?? '(absent)'}, must be the device's MsgID ${msgID}`);
    if (first.cmd !== 'SyncHdr') add('synchdr-status-first', `SyncBody/Status[1]/Cmd is ${first.cmd}, must be SyncHdr`);
  }

  const statuses = commands.filter((c): c is Extract<Command, { kind: 'Status' }> => c.kind === 'Status');
  const hdrStatuses = statuses.filter((s) => s.cmdRef === '0');
  if (hdrStatuses.length > 1) add('synchdr-status-first', `${hdrStatuses.length} Status elements answer the SyncHdr (CmdRef 0); exactly one must`);

  // a.3: one Status per command, "The order of Status elements … MUST match the order of the corresponding commands";
  // a.5: Status "MUST NOT be sent in response to Results". NoResp commands get none.
  // A container gets its own Status, then one per child, in document order (SyncML RepPro: every command is answered).
  const flat = (commands: Command[]): Command[] =>
    commands.flatMap((c) => (c.kind === 'Atomic' || c.kind === 'Sequence' ? [c, ...flat(c.commands)] : [c]));
  // a.6: a chunk (MoreData) is answered with 213 "Chunked item accepted and buffered", Results chunks included.
  const chunk = (c: Command): boolean => c.kind === 'Results' && c.items.some((i) => i.moreData);
  const answerable = flat(device.body.commands).filter((c) => (c.kind !== 'Status' && c.kind !== 'Results') || chunk(c)).filter((c) => !('noResp' in c && c.noResp));
  const unanswerable = new Map(
    device.body.commands.filter((c) => (c.kind === 'Status' || c.kind === 'Results') && !chunk(c)).map((c) => [c.cmdID ?? '', c.kind]),
  );
  const cmdStatuses = statuses.filter((s) => s.cmdRef !== '0');
  const forThisMessage = cmdStatuses.filter((s) => (s.msgRef ?? msgID) === msgID);
  for (const s of cmdStatuses) {
    if ((s.msgRef ?? msgID) !== msgID) add('status-per-command', `Status CmdID ${s.cmdID} has MsgRef ${s.msgRef}, but the message being answered is ${msgID}`);
  }
  // a.6: the last chunk of a large object whose size does not match the declared Size is answered 424, even a Results.
  const sizeMismatch = (s: Extract<Command, { kind: 'Status' }>): boolean => s.data === '424' && unanswerable.get(s.cmdRef) === 'Results';
  const answers = forThisMessage.filter((s) => !unanswerable.has(s.cmdRef));
  for (const s of forThisMessage) {
    const kind = unanswerable.get(s.cmdRef);
    if (kind && !sizeMismatch(s)) add('no-status-for-results', `Status CmdID ${s.cmdID} answers the device's ${kind} CmdID ${s.cmdRef}; Results and Status get no Status`);
  }
  const want = answerable.map((c) => c.cmdID ?? '');
  const got = answers.map((s) => s.cmdRef);
  if (want.join(',') !== got.join(',')) {
    const missing = want.filter((id) => !got.includes(id));
    const extra = got.filter((id) => !want.includes(id));
    const dupes = got.filter((id, i) => got.indexOf(id) !== i);
    const parts: string[] = [];
    if (missing.length) parts.push(`no Status for CmdID ${missing.join(', ')}`);
    if (extra.length) parts.push(`Status for unknown CmdRef ${extra.join(', ')}`);
    if (dupes.length) parts.push(`more than one Status for CmdRef ${[...new Set(dupes)].join(', ')}`);
    if (!parts.length) parts.push('Statuses are out of order');
    add('status-per-command', `${parts.join('; ')} (device commands ${want.join(',') || 'none'}, Status CmdRefs ${got.join(',') || 'none'})`);
  }
  for (const s of answers) {
    const cmd = answerable.find((c) => c.cmdID === s.cmdRef);
    if (cmd && s.cmd !== commandName(cmd)) add('status-per-command', `Status for CmdRef ${s.cmdRef} has Cmd ${s.cmd}, the command is ${commandName(cmd)}`);
  }
}

function checkCmdIDs(reply: SyncML, add: Add): void {
  // a.2: CmdID "MUST always be present", unique within the message, "MUST NOT be the string "0"".
  const seen = new Set<string>();
  const visit = (commands: Command[], path: string): void => {
    const counts = new Map<string, number>();
    for (const c of commands) {
      const name = c.kind === 'Unknown' ? c.name : c.kind;
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      const where = `${path}/${name}[${n}]`;
      const id = c.cmdID;
      if (id === undefined || id.trim() === '') add('cmdid-valid', `${where} has no CmdID`);
      else if (id === '0') add('cmdid-valid', `${where} has CmdID "0"`);
      else if (seen.has(id)) add('cmdid-valid', `${where} repeats CmdID ${id}`);
      if (id !== undefined) seen.add(id);
      if (c.kind === 'Atomic' || c.kind === 'Sequence') visit(c.commands, where);
    }
  };
  visit(reply.body.commands, 'SyncBody');
}

function checkFinal(device: SyncML, reply: SyncML, ctx: RuleContext, add: Add): void {
  const alerts = (m: SyncML): string[] => m.body.commands.flatMap((c) => (c.kind === 'Alert' ? [c.data] : []));
  const deviceAlerts = alerts(device);
  const replyAlerts = alerts(reply);
  const nextMessageResponse = replyAlerts.includes('1222');
  const chunk = hasMoreData(reply.body.commands);
  const continued = ctx.nextDeviceMessage ? alerts(ctx.nextDeviceMessage).includes('1222') : false;
  const aborting = deviceAlerts.includes('1223');

  // a.5: "A server MUST send the Final flag in every message, when possible" — not during a large object or in a
  // "Next Message" response; a package split over messages has Final only on its last message.
  if (!reply.body.final && !nextMessageResponse && !chunk && !continued) {
    add('final', 'SyncBody has no Final, yet this is not a next-message response, a large-object chunk, or a package the device continues with Alert 1222');
  }
  if (reply.body.final && nextMessageResponse) add('final', 'a next-message response (Alert 1222) must not carry Final (a.5)');
  if (reply.body.final && chunk) add('final', 'a message carrying a MoreData chunk must not carry Final (a.5, a.6)');

  // a.5: while the device's package is not finished (no Final, not itself asking for more), the server answers with
  // the "Next Message" response: Alert 1222 (or 1223), Status, no other commands, no Final.
  if (!device.body.final && !aborting && !deviceAlerts.includes('1222')) {
    const others = reply.body.commands.filter((c) => c.kind !== 'Status' && !(c.kind === 'Alert' && (c.data === '1222' || c.data === '1223')));
    if (!replyAlerts.includes('1222') && !replyAlerts.includes('1223')) {
      add('next-message-response', "the device's package is not finished (no Final), so the reply must ask for the next message with Alert 1222");
    }
    if (others.length) add('next-message-response', `a next-message response carries only Status and Alert 1222, not ${others.map((c) => (c.kind === 'Unknown' ? c.name : c.kind)).join(', ')}`);
  }

  // b (1223): a server receiving it "SHOULD reply with Status for Alert and SyncHdr and no new commands".
  if (aborting) {
    const others = reply.body.commands.filter((c) => c.kind !== 'Status');
    if (others.length) add('abort-reply', `the device aborted the session (Alert 1223); the reply must carry Status only, not ${others.map((c) => (c.kind === 'Unknown' ? c.name : c.kind)).join(', ')}`);
  }
}

function hasMoreData(commands: Command[]): boolean {
  return commands.some((c) =>
    c.kind === 'Atomic' || c.kind === 'Sequence' ? hasMoreData(c.commands) : 'items' in c && c.items.some((i) => i.moreData),
  );
}

function commandName(c: Command): string {
  return c.kind === 'Unknown' ? c.name : c.kind;
}

function label(c: Command, n: number): string {
  return `${commandName(c)}[${n}]`;
}
