/**
 * Hand-written SyncML text for hostile-input tests (the serializer refuses to write most of what these tests need).
 * Values are inserted verbatim: the caller decides what is escaped.
 */
export interface RawMessage {
  source?: string;
  sessionID?: string;
  msgID?: string;
  /** Raw XML inside SyncHdr after Source (Cred, Meta). */
  headerExtra?: string;
  /** Raw XML inside SyncBody (Final is appended unless `final: false`). */
  body?: string;
  final?: boolean;
  /** Raw text before <SyncML> (declarations, DOCTYPE). */
  prolog?: string;
}

export const TARGET = 'https://mdm.example.test/ManagementServer/MDM.svc';

export function rawSyncML(m: RawMessage = {}): string {
  return (
    `${m.prolog ?? ''}<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
    `<SessionID>${m.sessionID ?? '1'}</SessionID><MsgID>${m.msgID ?? '1'}</MsgID>` +
    `<Target><LocURI>${TARGET}</LocURI></Target><Source><LocURI>${m.source ?? 'HOSTILE-DEVICE'}</LocURI></Source>${m.headerExtra ?? ''}</SyncHdr>` +
    `<SyncBody>${m.body ?? ALERT_1201}${m.final === false ? '' : '<Final/>'}</SyncBody></SyncML>`
  );
}

export const ALERT_1201 = '<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>';

export function devInfo(cmdID: string, values: Record<string, string>): string {
  const items = Object.entries(values)
    .map(([k, v]) => `<Item><Source><LocURI>./DevInfo/${k}</LocURI></Source><Data>${v}</Data></Item>`)
    .join('');
  return `<Replace><CmdID>${cmdID}</CmdID>${items}</Replace>`;
}
