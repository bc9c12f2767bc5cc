/**
 * The answer to a message that failed authentication (OMA-DMPRO §9 / mirror 2.4.1): "contains only Status commands
 * (i.e. Replace, Get etc. commands MUST NOT be specified in the response). A Status command MUST be provided for every
 * command received in the request." The SyncHdr Status carries the code (401/407) and the Chal; every command gets a
 * Status with the same code (children of Atomic/Sequence too, after their container; none for Status or Results, a.5).
 * Pure; nothing of it is stored: the session does not exist until the device authenticates.
 */
import type { Chal, Command, Status, SyncML } from '../syncml/model.js';

/** Bound on the Statuses of one refusal: an unauthenticated sender must not get an unbounded answer. */
export const MAX_REFUSAL_STATUSES = 1000;

export function authFailureReply(message: SyncML, code: string, chal: Chal, serverURI: string): SyncML {
  const device = message.header;
  const msgRef = device.msgID.trim();
  const statuses: Status[] = [
    { kind: 'Status', cmdID: '1', msgRef, cmdRef: '0', cmd: 'SyncHdr', chal, data: code, items: [] },
  ];
  const visit = (command: Command): void => {
    if (statuses.length > MAX_REFUSAL_STATUSES || command.kind === 'Status' || command.kind === 'Results') return;
    const cmdRef = command.cmdID?.trim();
    // A command without a CmdID cannot be referred to (a Status needs a CmdRef); OMA-SUP's "blank" is not well-formed.
    if (cmdRef) {
      const cmd = command.kind === 'Unknown' ? command.name : command.kind;
      statuses.push({ kind: 'Status', cmdID: String(statuses.length + 1), msgRef, cmdRef, cmd, data: code, items: [] });
    }
    if (command.kind === 'Atomic' || command.kind === 'Sequence') command.commands.forEach(visit);
  };
  message.body.commands.forEach(visit);
  return {
    header: {
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: device.sessionID,
      // The server's first message of the session: the refused exchange is not part of any stored session.
      msgID: '1',
      target: { locURI: device.source.locURI },
      source: { locURI: serverURI },
    },
    body: { commands: statuses, final: true },
  };
}
