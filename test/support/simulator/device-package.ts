/**
 * What the simulated device puts on the wire, as SyncML model objects (the codec turns them into XML):
 * package 1 (PROTOCOL.md a.3: Alert 1201/1200, 1224 LoginStatus, optional 1226 generic alerts, Replace with one
 * Item per DevInfo node, Final), the SyncHdr Status, and large Results split into MoreData chunks (a.6: Size only
 * in the first chunk, Source and Meta repeated, MoreData on every chunk but the last). Pure.
 */
import type { Alert, Command, Item, ItemCommand, Results, Status, SyncHdr, SyncML } from '../../../src/syncml/model.js';
import { AlertCode, AlertType } from '../../../src/syncml/codes.js';

/** A message boundary in the outbox: what follows goes into the next message. */
export const BREAK = 'break' as const;
export type OutboxEntry = Command | typeof BREAK;

export interface GenericAlert {
  type: string;
  format: string;
  data: string;
  mark?: string;
  source?: string;
}

/** The 1226 user-unenroll alert (PROTOCOL.md "Unenrollment"; Type com.microsoft:mdm.unenrollment.userrequest, int 1). */
export const UNENROLL_ALERT: GenericAlert = { type: AlertType.UserUnenroll, format: 'int', data: '1' };

export interface Package1Input {
  trigger: '1200' | '1201';
  loginStatus: 'user' | 'others' | 'none';
  devInfo: { locURI: string; value: string }[];
  genericAlerts: GenericAlert[];
}

export function package1Commands(input: Package1Input): Command[] {
  const commands: Command[] = [
    { kind: 'Alert', cmdID: '', data: input.trigger, items: [] },
    {
      kind: 'Alert',
      cmdID: '',
      data: AlertCode.ClientEvent,
      items: [{ meta: { type: AlertType.LoginStatus, format: 'chr' }, data: { kind: 'text', text: input.loginStatus } }],
    },
  ];
  if (input.genericAlerts.length > 0) {
    const items: Item[] = input.genericAlerts.map((a) => ({
      ...(a.source ? { source: { locURI: a.source } } : {}),
      meta: { type: a.type, format: a.format, ...(a.mark ? { mark: a.mark } : {}) },
      data: { kind: 'text', text: a.data },
    }));
    commands.push({ kind: 'Alert', cmdID: '', data: AlertCode.GenericAlert, items } satisfies Alert);
  }
  commands.push({
    kind: 'Replace',
    cmdID: '',
    items: input.devInfo.map((d) => ({ source: { locURI: d.locURI }, data: { kind: 'text', text: d.value } })),
  } satisfies ItemCommand);
  return commands;
}

export interface HeaderInput {
  sessionId: string;
  msgId: number;
  serverUrl: string;
  deviceId: string;
  maxMsgSize?: number;
}

export function deviceHeader(h: HeaderInput): SyncHdr {
  return {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionID: h.sessionId,
    msgID: String(h.msgId),
    target: { locURI: h.serverUrl },
    source: { locURI: h.deviceId },
    ...(h.maxMsgSize ? { meta: { maxMsgSize: h.maxMsgSize } } : {}),
  };
}

/** Status for the server's SyncHdr: CmdRef 0, Cmd SyncHdr, first in the body (MS-MDM §2.2.6.1). */
export function syncHdrStatus(server: SyncHdr, code = '200'): Status {
  return { kind: 'Status', cmdID: '', msgRef: server.msgID, cmdRef: '0', cmd: 'SyncHdr', data: code, items: [] };
}

/** Builds a message, numbering CmdIDs 1, 2, … (nested commands included; unique within the message). */
export function buildMessage(header: SyncHdr, commands: Command[], final: boolean): SyncML {
  let next = 1;
  const number = (cmd: Command): Command => {
    if (cmd.kind === 'Unknown') return cmd;
    const numbered = { ...cmd, cmdID: String(next++) };
    if (numbered.kind === 'Atomic' || numbered.kind === 'Sequence') numbered.commands = numbered.commands.map(number);
    return numbered;
  };
  return { header, body: { commands: commands.map(number), final } };
}

/**
 * Splits every Results item whose data is longer than `limit` bytes into chunks separated by BREAK.
 * A Results with several items, one of them large, becomes one Results per item (same CmdRef).
 */
export function chunkResults(commands: Command[], limit: number): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const cmd of commands) {
    if (cmd.kind !== 'Results' || !cmd.items.some((i) => dataBytes(i) > limit)) {
      out.push(cmd);
      continue;
    }
    for (const item of cmd.items) {
      if (dataBytes(item) <= limit) {
        out.push({ ...cmd, items: [item] });
        continue;
      }
      out.push(...chunkItem(cmd, item, limit));
    }
  }
  return out;
}

function chunkItem(cmd: Results, item: Item, limit: number): OutboxEntry[] {
  const text = item.data?.kind === 'text' ? item.data.text : (item.data?.xml ?? '');
  const total = Buffer.byteLength(text, 'utf8');
  const pieces = splitUtf8(text, limit);
  const out: OutboxEntry[] = [];
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const meta = { ...item.meta, ...(i === 0 ? { size: total } : {}) };
    out.push({
      ...cmd,
      items: [{ ...(item.source ? { source: item.source } : {}), meta, data: { kind: 'text', text: piece }, ...(last ? {} : { moreData: true }) }],
    });
    if (!last) out.push(BREAK);
  });
  return out;
}

/** Splits text into pieces of at most `limit` UTF-8 bytes without cutting a code point. */
export function splitUtf8(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of text) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > limit && current !== '') {
      pieces.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += b;
  }
  if (current !== '' || pieces.length === 0) pieces.push(current);
  return pieces;
}

function dataBytes(item: Item): number {
  if (!item.data) return 0;
  return Buffer.byteLength(item.data.kind === 'text' ? item.data.text : item.data.xml, 'utf8');
}
