/**
 * A scripted OMA-DM server at model level, so a device test reads like the conversation it checks:
 *
 *   const server = scriptedServer([() => [get('./DevDetail/SwV')], () => [replace(PFN, 'x')]]);
 *   await runDmSession({ transport: server, ... });
 *
 * Each step receives the device message and returns the management commands of the next server message; the
 * server adds its SyncHdr, the SyncHdr Status and a Status 200 for each device command (213 for a MoreData
 * chunk; none for Results), numbers CmdIDs, and sets Final. When the device is in the middle of its own package
 * (no Final) the server answers with the "Next Message" response (Statuses, Alert 1222, no Final) without using
 * a step (OMA-DMPRO §6). When the steps run out it answers with Statuses and Final only, which ends the session.
 */
import type { Command, Item, ItemCommand, SyncML } from '../../../src/syncml/model.js';
import { AlertCode, StatusCode } from '../../../src/syncml/codes.js';
import type { DmTransport } from './dm-session.js';

export interface ServerTurn {
  commands: Command[];
  /** Default true; false sends the commands as a non-final message of a multi-message package. */
  final?: boolean;
  /** Override the generated statuses (e.g. 401 on the SyncHdr). */
  headerStatus?: string;
  maxMsgSize?: number;
}

export type Step = (sent: SyncML, history: SyncML[]) => Command[] | ServerTurn;

export interface ScriptedServer extends DmTransport {
  readonly received: SyncML[];
  readonly replies: SyncML[];
  readonly urls: string[];
}

export const SERVER_URL = 'https://127.0.0.1/ManagementServer/MDM.svc';

export function scriptedServer(steps: Step[]): ScriptedServer {
  const received: SyncML[] = [];
  const replies: SyncML[] = [];
  const urls: string[] = [];
  let next = 0;
  let msgId = 0;
  return {
    received,
    replies,
    urls,
    async exchange(message: SyncML, url: string): Promise<SyncML> {
      received.push(message);
      urls.push(url);
      let turn: ServerTurn;
      if (!message.body.final && !message.body.commands.some((c) => c.kind === 'Alert' && c.data === AlertCode.NextMessage)) {
        turn = { commands: [alert(AlertCode.NextMessage)], final: false };
      } else {
        const step = steps[next++];
        const produced = step ? step(message, received) : [];
        turn = Array.isArray(produced) ? { commands: produced } : produced;
      }
      const reply = serverMessage(message, ++msgId, turn);
      replies.push(reply);
      return reply;
    },
  };
}

/** A server message answering `to`: SyncHdr, Statuses for the device's commands, then `turn.commands`. */
export function serverMessage(to: SyncML, msgId: number, turn: ServerTurn): SyncML {
  const statuses: Command[] = [
    { kind: 'Status', cmdID: '', msgRef: to.header.msgID, cmdRef: '0', cmd: 'SyncHdr', data: turn.headerStatus ?? StatusCode.OK, items: [] },
  ];
  for (const c of to.body.commands) {
    if (c.kind === 'Status' || c.kind === 'Unknown') continue;
    if (c.kind === 'Results') {
      if (c.items.some((i) => i.moreData)) statuses.push({ kind: 'Status', cmdID: '', msgRef: to.header.msgID, cmdRef: c.cmdID, cmd: 'Results', data: StatusCode.ChunkedItemAccepted, items: [] });
      continue;
    }
    statuses.push({ kind: 'Status', cmdID: '', msgRef: to.header.msgID, cmdRef: c.cmdID, cmd: c.kind, data: StatusCode.OK, items: [] });
  }
  let id = 1;
  const number = (c: Command): Command => {
    if (c.kind === 'Unknown') return c;
    const n = { ...c, cmdID: String(id++) };
    if (n.kind === 'Atomic' || n.kind === 'Sequence') n.commands = n.commands.map(number);
    return n;
  };
  return {
    header: {
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: to.header.sessionID,
      msgID: String(msgId),
      target: { locURI: to.header.source.locURI },
      source: { locURI: to.header.target.locURI },
      ...(turn.maxMsgSize ? { meta: { maxMsgSize: turn.maxMsgSize } } : {}),
    },
    body: { commands: [...statuses, ...turn.commands].map(number), final: turn.final ?? true },
  };
}

const item = (target: string, data?: string, format?: string): Item => ({
  target: { locURI: target },
  ...(format ? { meta: { format } } : {}),
  ...(data !== undefined ? { data: { kind: 'text', text: data } } : {}),
});

const itemCommand = (kind: ItemCommand['kind'], items: Item[]): ItemCommand => ({ kind, cmdID: '', items });

export const get = (...targets: string[]): ItemCommand => itemCommand('Get', targets.map((t) => item(t)));
export const replace = (target: string, data: string, format = 'chr'): ItemCommand => itemCommand('Replace', [item(target, data, format)]);
export const add = (target: string, data?: string, format = 'chr'): ItemCommand => itemCommand('Add', [item(target, data, format)]);
export const del = (target: string): ItemCommand => itemCommand('Delete', [item(target)]);
export const exec = (target: string, data?: string): ItemCommand => itemCommand('Exec', [item(target, data, data === undefined ? undefined : 'chr')]);
export const atomic = (...commands: Command[]): Command => ({ kind: 'Atomic', cmdID: '', commands });
export const sequence = (...commands: Command[]): Command => ({ kind: 'Sequence', cmdID: '', commands });
export const alert = (code: string): Command => ({ kind: 'Alert', cmdID: '', data: code, items: [] });
