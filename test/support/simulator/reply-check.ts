/**
 * Protocol checks the simulated device applies to every server reply, so a run reports server mistakes instead
 * of silently going on (PROTOCOL.md a.2, a.3): same SessionID; server MsgIDs increase by one from 1; the first
 * body element is the Status for our SyncHdr (CmdRef 0, MsgRef = our MsgID); every Status refers to our message
 * (MsgRef) and to a command we sent, in our command order; each of our commands that needs a Status gets exactly
 * one (Results need none, except a 213 for a chunk); CmdIDs unique within the message and never "0".
 * Pure: returns a list of human-readable violations.
 */
import type { Command, SyncML } from '../../../src/syncml/model.js';

export function checkServerReply(sent: SyncML, reply: SyncML, expectedServerMsgId: number): string[] {
  const v: string[] = [];
  const msg = `server message ${reply.header.msgID}`;
  if (reply.header.sessionID !== sent.header.sessionID) v.push(`${msg}: SessionID ${reply.header.sessionID} ≠ ${sent.header.sessionID}`);
  if (reply.header.msgID !== String(expectedServerMsgId)) v.push(`${msg}: MsgID expected ${expectedServerMsgId}`);
  const first = reply.body.commands[0];
  if (!first || first.kind !== 'Status' || first.cmdRef !== '0') v.push(`${msg}: first element is not the Status for SyncHdr`);
  else if ((first.msgRef ?? '1') !== sent.header.msgID) v.push(`${msg}: SyncHdr Status MsgRef ${first.msgRef} ≠ ${sent.header.msgID}`);

  const ids = new Set<string>();
  const walk = (cmds: Command[]): void => {
    for (const c of cmds) {
      if (c.kind === 'Unknown') continue;
      if (!c.cmdID || c.cmdID === '0') v.push(`${msg}: ${c.kind} has CmdID "${c.cmdID}"`);
      else if (ids.has(c.cmdID)) v.push(`${msg}: CmdID ${c.cmdID} used twice`);
      ids.add(c.cmdID);
      if (c.kind === 'Atomic' || c.kind === 'Sequence') walk(c.commands);
    }
  };
  walk(reply.body.commands);

  const needStatus = flatten(sent.body.commands).filter((c) => c.kind !== 'Status' && c.kind !== 'Results');
  const order = flatten(sent.body.commands).map((c) => (c.kind === 'Unknown' ? '' : c.cmdID));
  const seen = new Map<string, number>();
  let lastIndex = -1;
  for (const c of reply.body.commands) {
    if (c.kind !== 'Status' || c.cmdRef === '0') continue;
    if ((c.msgRef ?? '1') !== sent.header.msgID) continue; // a late Status for an earlier message
    const index = order.indexOf(c.cmdRef);
    if (index < 0) {
      v.push(`${msg}: Status for unknown CmdRef ${c.cmdRef}`);
      continue;
    }
    if (index < lastIndex) v.push(`${msg}: Status for CmdRef ${c.cmdRef} out of command order`);
    lastIndex = Math.max(lastIndex, index);
    seen.set(c.cmdRef, (seen.get(c.cmdRef) ?? 0) + 1);
  }
  for (const c of needStatus) {
    if (c.kind === 'Unknown' || c.noResp) continue;
    const n = seen.get(c.cmdID) ?? 0;
    if (n === 0) v.push(`${msg}: no Status for our ${c.kind} (CmdID ${c.cmdID})`);
  }
  return v;
}

function flatten(cmds: Command[]): Command[] {
  return cmds.flatMap((c) => (c.kind === 'Atomic' || c.kind === 'Sequence' ? [c, ...flatten(c.commands)] : [c]));
}
