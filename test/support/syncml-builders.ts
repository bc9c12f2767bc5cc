/**
 * Small builders of SyncML model objects for tests that talk to the session engine as a device would, without the
 * XML codec. Device-side only: what a Windows DMClient puts in a message (PROTOCOL.md a.2, a.3).
 *
 *   const m1 = deviceMessage({ msgID: 1 }, [alert('1', '1201'), devInfoReplace('2', { DevId: 'dev-1' })]);
 *   const m2 = deviceMessage({ msgID: 2 }, answerReply(reply, { [pfnPath]: '200' }));
 */
import type { Alert, Command, Container, Item, ItemCommand, Results, Status, SyncML } from '../../src/syncml/model.js';

export const SERVER_URI = 'https://mdm.example.test/ManagementServer/MDM.svc';
export const DEVICE_ID = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';

export interface MessageOptions {
  msgID: number | string;
  sessionID?: string;
  deviceId?: string;
  final?: boolean;
  maxMsgSize?: number;
  maxObjSize?: number;
}

export function deviceMessage(options: MessageOptions, commands: Command[]): SyncML {
  const meta = {
    ...(options.maxMsgSize !== undefined ? { maxMsgSize: options.maxMsgSize } : {}),
    ...(options.maxObjSize !== undefined ? { maxObjSize: options.maxObjSize } : {}),
  };
  return {
    header: {
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: options.sessionID ?? '1',
      msgID: String(options.msgID),
      target: { locURI: `${SERVER_URI}?mode=Machine&Platform=WoA` },
      source: { locURI: options.deviceId ?? DEVICE_ID },
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
    },
    body: { commands, final: options.final ?? true },
  };
}

export function alert(cmdID: string, code: string, items: Item[] = []): Alert {
  return { kind: 'Alert', cmdID, data: code, items };
}

export interface AlertItem {
  type?: string;
  format?: string;
  mark?: string;
  source?: string;
  data?: string;
}

export function alertItem(a: AlertItem): Item {
  const meta = {
    ...(a.type !== undefined ? { type: a.type } : {}),
    ...(a.format !== undefined ? { format: a.format } : {}),
    ...(a.mark !== undefined ? { mark: a.mark } : {}),
  };
  return {
    ...(a.source !== undefined ? { source: { locURI: a.source } } : {}),
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
    ...(a.data !== undefined ? { data: { kind: 'text' as const, text: a.data } } : {}),
  };
}

/** Alert 1224 with one Item, e.g. the LoginStatus client event of package 1. */
export function clientEvent(cmdID: string, type: string, data: string, format = 'chr'): Alert {
  return alert(cmdID, '1224', [alertItem({ type, format, data })]);
}

export function genericAlert(cmdID: string, items: AlertItem[]): Alert {
  return alert(cmdID, '1226', items.map(alertItem));
}

/** Replace with one Item per DevInfo node, Source LocURI = node URI (OMA-DMPRO §8.3). */
export function devInfoReplace(cmdID: string, info: Record<string, string>): ItemCommand {
  return {
    kind: 'Replace',
    cmdID,
    items: Object.entries(info).map(([name, value]) => ({ source: { locURI: `./DevInfo/${name}` }, data: { kind: 'text' as const, text: value } })),
  };
}

export const DEV_INFO = { DevId: DEVICE_ID, Man: 'Contoso', Mod: 'Surface', DmV: '1.3', Lang: 'en-US' };

/** Package 1 of a Windows session: Alert 1201/1200, the LoginStatus client event, Replace DevInfo, Final. */
export function package1(options: Partial<MessageOptions> & { trigger?: '1200' | '1201'; devInfo?: Record<string, string>; extra?: Command[] } = {}): SyncML {
  return deviceMessage({ msgID: 1, ...options }, [
    alert('1', options.trigger ?? '1201'),
    clientEvent('2', 'com.microsoft/MDM/LoginStatus', 'user'),
    devInfoReplace('3', options.devInfo ?? DEV_INFO),
    ...(options.extra ?? []),
  ]);
}

export function status(cmdID: string, msgRef: string | undefined, cmdRef: string, cmd: string, code: string): Status {
  return { kind: 'Status', cmdID, ...(msgRef !== undefined ? { msgRef } : {}), cmdRef, cmd, data: code, items: [] };
}

export interface ResultsOptions {
  format?: string;
  type?: string;
  moreData?: boolean;
  size?: number;
}

export function results(cmdID: string, msgRef: string | undefined, cmdRef: string, source: string, data: string, options: ResultsOptions = {}): Results {
  const meta = {
    ...(options.format !== undefined ? { format: options.format } : {}),
    ...(options.type !== undefined ? { type: options.type } : {}),
    ...(options.size !== undefined ? { size: options.size } : {}),
  };
  const item: Item = {
    source: { locURI: source },
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
    data: { kind: 'text', text: data },
    ...(options.moreData ? { moreData: true } : {}),
  };
  return { kind: 'Results', cmdID, ...(msgRef !== undefined ? { msgRef } : {}), cmdRef, items: [item] };
}

export interface Answer {
  status: string;
  /** Data for the Results of a Get (only sent with a 2xx status). */
  data?: string;
}

/** How the device answers one of the server's commands, by target LocURI (leaf) or kind (container). */
export type Answers = (command: Command) => Answer;

/** Answer every command in order, "200" by default, Get results from `values` (404 when the value is absent). */
export function answersFrom(values: Record<string, string>, overrides: Record<string, string> = {}): Answers {
  return (command) => {
    const target = 'items' in command ? command.items[0]?.target?.locURI : undefined;
    const override = target !== undefined ? overrides[target] : overrides[command.kind];
    if (override !== undefined) return { status: override, ...(target !== undefined && values[target] !== undefined ? { data: values[target] } : {}) };
    if (command.kind === 'Get') return target !== undefined && values[target] !== undefined ? { status: '200', data: values[target] } : { status: '404' };
    return { status: '200' };
  };
}

/**
 * The device's answer to a server reply, as Windows builds package 3: Status for the SyncHdr, then per command
 * (children of Atomic/Sequence after their container) a Status, and Results after the Status of a successful Get.
 * Status is also given to the server's Alerts (a.5). CmdIDs count from `firstCmdID`.
 */
export function answerReply(reply: SyncML, answers: Answers, firstCmdID = 1): Command[] {
  let next = firstCmdID;
  const id = (): string => String(next++);
  const msgRef = reply.header.msgID;
  const out: Command[] = [status(id(), msgRef, '0', 'SyncHdr', '200')];
  const visit = (command: Command): void => {
    if (command.kind === 'Status' || command.kind === 'Results' || command.kind === 'Unknown') return;
    if (command.kind === 'Alert') {
      out.push(status(id(), msgRef, command.cmdID, 'Alert', '200'));
      return;
    }
    const a = answers(command);
    out.push(status(id(), msgRef, command.cmdID, command.kind, a.status));
    if (command.kind === 'Atomic' || command.kind === 'Sequence') (command as Container).commands.forEach(visit);
    else if (command.kind === 'Get' && a.status === '200' && a.data !== undefined) {
      out.push(results(id(), msgRef, command.cmdID, command.items[0]?.target?.locURI ?? '', a.data));
    }
  };
  reply.body.commands.forEach(visit);
  return out;
}

/** The management commands of a reply (what the server asks the device to do), without Status. */
export function serverCommands(reply: SyncML): Command[] {
  return reply.body.commands.filter((c) => c.kind !== 'Status');
}

export function statusesOf(reply: SyncML): Status[] {
  return reply.body.commands.filter((c): c is Status => c.kind === 'Status');
}

/** [verb, target] of each management command, for compact assertions. */
export function verbsAndTargets(reply: SyncML): Array<[string, string]> {
  return serverCommands(reply).map((c) => [c.kind === 'Unknown' ? c.name : c.kind, 'items' in c ? (c.items[0]?.target?.locURI ?? (c.kind === 'Alert' ? c.data : '')) : '']);
}
