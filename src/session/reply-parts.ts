/**
 * Building blocks of a server reply: the SyncHdr (a.2) and Status elements (a.3).
 */
import type { Command, Status, SyncHdr, SyncML } from '../syncml/model.js';
import type { OwedStatus } from './turn.js';

/**
 * a.2: echo SessionID, swap Target/Source, the server's own MsgID; VerDTD 1.2, VerProto DM/1.2.
 * Source is the device's own Target LocURI (MS-MDM §4: the server's reply carries the URI the device addressed, query
 * string included), so a gateway reached under several names answers each under the name used; `serverURI` only
 * stands in when the device sent an empty Target.
 */
export function replyHeader(device: SyncHdr, msgID: number, serverURI: string): SyncHdr {
  return {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionID: device.sessionID,
    msgID: String(msgID),
    target: { locURI: device.source.locURI },
    source: { locURI: device.target.locURI || serverURI },
  };
}

/** a.3: the Status for the SyncHdr comes first, CmdRef 0, Cmd SyncHdr, MsgRef = the device's MsgID (MS-MDM §2.2.6.1). */
export function syncHdrStatus(cmdID: string, deviceMsgID: string, code: string): Status {
  return { kind: 'Status', cmdID, msgRef: deviceMsgID, cmdRef: '0', cmd: 'SyncHdr', data: code, items: [] };
}

/** a.3: the SyncHdr Status first, then one per device command in order; CmdIDs 1, 2, 3… */
export function replyStatuses(deviceMsgID: string, syncHdrCode: string, owed: OwedStatus[]): Status[] {
  return [
    syncHdrStatus('1', deviceMsgID, syncHdrCode),
    ...owed.map((o, i): Status => ({ kind: 'Status', cmdID: String(i + 2), msgRef: deviceMsgID, cmdRef: o.cmdRef, cmd: o.cmd, data: o.code, items: [] })),
  ];
}

export function assembleReply(header: SyncHdr, commands: Command[], final: boolean): SyncML {
  return { header, body: { commands, final } };
}
