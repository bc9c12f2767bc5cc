/**
 * Keeps the device side of a replay consistent with what the gateway really sent. A recorded device message
 * answers the recorded server message: its Status/Results carry MsgRef/CmdRef of the *recorded* commands. When
 * the gateway numbered or ordered its commands differently, those references are rewritten to the gateway's
 * (MsgID, CmdID) of the matching command (same verb and targets, see match-commands.ts), so the engine's
 * correlation is exercised rather than defeated by a different but valid choice. A Status/Results answering a
 * recorded command the gateway did not send is dropped (the device answers only what it was sent; left in, it
 * could collide with a command the gateway numbered the same). References to commands the recording does not
 * hold either are left as recorded (a transcript may send them on purpose). One map per session.
 */
import type { Command, SyncML } from '../syncml/model.js';
import { matchCommands } from './match-commands.js';

interface Ref {
  msgID: string;
  cmdID: string;
}

export interface RewriteResult {
  message: SyncML;
  changed: boolean;
  /** `MsgRef/CmdRef` of Status/Results dropped because they answer recorded commands the gateway did not send. */
  dropped: string[];
  /** `MsgRef/CmdRef` kept as recorded although the gateway never sent such a command. */
  unknown: string[];
}

export class ReferenceMap {
  private readonly msgIDs = new Map<string, string>();
  private readonly cmds = new Map<string, Ref>();
  private readonly actualSent = new Set<string>();
  private readonly recordedSent = new Set<string>();

  /** Start of a new session: references never cross sessions. */
  reset(): void {
    this.msgIDs.clear();
    this.cmds.clear();
    this.actualSent.clear();
    this.recordedSent.clear();
  }

  /** Learn from one exchange: the recorded server message (if the transcript has one) and the real reply. */
  learn(recorded: SyncML | undefined, actual: SyncML): void {
    const actualMsgID = actual.header.msgID;
    visitIds(actual.body.commands, (id) => this.actualSent.add(`${actualMsgID}/${id}`));
    if (!recorded) return;
    const recordedMsgID = recorded.header.msgID;
    visitIds(recorded.body.commands.filter((c) => c.kind !== 'Status' && c.kind !== 'Results'), (id) =>
      this.recordedSent.add(`${recordedMsgID}/${id}`),
    );
    this.msgIDs.set(recordedMsgID, actualMsgID);
    const matching = matchCommands(recorded.body.commands, actual.body.commands);
    for (const pair of matching.pairs) this.pair(recordedMsgID, pair.recorded, actualMsgID, pair.actual);
  }

  private pair(recordedMsgID: string, r: Command, actualMsgID: string, a: Command): void {
    if (r.cmdID !== undefined && a.cmdID !== undefined) this.cmds.set(`${recordedMsgID}/${r.cmdID}`, { msgID: actualMsgID, cmdID: a.cmdID });
    if ((r.kind === 'Atomic' || r.kind === 'Sequence') && (a.kind === 'Atomic' || a.kind === 'Sequence')) {
      r.commands.forEach((child, k) => {
        const other = a.commands[k];
        if (other) this.pair(recordedMsgID, child, actualMsgID, other);
      });
    }
  }

  rewrite(device: SyncML): RewriteResult {
    let changed = false;
    const dropped = new Set<string>();
    const unknown = new Set<string>();
    const commands: Command[] = [];
    for (const c of device.body.commands) {
      if (c.kind !== 'Status' && c.kind !== 'Results') {
        commands.push(c);
        continue;
      }
      const msgRef = c.msgRef ?? '1';
      if (c.kind === 'Status' && c.cmdRef === '0') {
        const mapped = this.msgIDs.get(msgRef);
        if (mapped !== undefined && mapped !== msgRef) {
          changed = true;
          commands.push({ ...c, msgRef: mapped });
        } else commands.push(c);
        continue;
      }
      const key = `${msgRef}/${c.cmdRef}`;
      const target = this.cmds.get(key);
      if (target) {
        if (target.msgID !== msgRef || target.cmdID !== c.cmdRef) {
          changed = true;
          commands.push({ ...c, msgRef: target.msgID, cmdRef: target.cmdID });
        } else commands.push(c);
      } else if (this.recordedSent.has(key)) {
        changed = true;
        dropped.add(key);
      } else {
        if (!this.actualSent.has(key)) unknown.add(key);
        commands.push(c);
      }
    }
    return {
      message: changed ? { header: device.header, body: { ...device.body, commands } } : device,
      changed,
      dropped: [...dropped],
      unknown: [...unknown],
    };
  }
}

function visitIds(commands: Command[], f: (id: string) => void): void {
  for (const c of commands) {
    if (c.cmdID !== undefined) f(c.cmdID);
    if (c.kind === 'Atomic' || c.kind === 'Sequence') visitIds(c.commands, f);
  }
}
