/**
 * Executes the commands of one server message against the device and produces the device's answers, in the
 * order the rules ask for (PROTOCOL.md a.3): one Status per command in command order (none for Results or
 * Status, none when NoResp), Results right after the Status of a successful Get (Items with Source and Meta
 * Format/Type). The SyncHdr Status and CmdIDs are added by the session, which builds the message.
 *
 * - Atomic: all or nothing. Get or a nested Atomic inside it → 500 and the Atomic fails (OMA-SUP); Add followed by
 *   Replace of the same node inside one Atomic → 500 (OMA-SUP "isn't supported"). On failure the tree is rolled
 *   back: Atomic 507, the failing child keeps its code, every other child 216.
 * - Sequence: children in order. OMA only requires the order; whether to go on after a failure is the device's
 *   choice (`sequenceOnError`): 'continue' (default) or 'stop', where the remaining children get 215 "Not executed".
 * - Alert from the server: 1222 → 200 (next message), 1223 → the session ends without a reply (OMA-DMPRO §8.1),
 *   user-interaction alerts 1100-1104 and anything else → 406 (Windows lists no UI alerts, OMA-DMPRO §10).
 * - Copy (not supported by Windows, OMA-SUP) → 406; an unknown element → 400; a command with no CmdID → 400.
 */
import type { Command, ItemCommand, Item, Results, Status, SyncML, Container } from '../../../src/syncml/model.js';
import { AlertCode, StatusCode, isSuccessStatus } from '../../../src/syncml/codes.js';
import type { CspTree } from './csp-tree.js';
import { resolveNodePath } from './node-path.js';

export interface ExecOutcome {
  status: string;
  /** The Exec ends the session at once with no reply (server-initiated unenrollment, PROTOCOL.md "Unenrollment"). */
  abortSession?: 'unenroll';
}

export interface ExecutorHost {
  tree: CspTree;
  /** Runs an Exec that passed the tree's access checks. */
  runExec(locURI: string, data: string | undefined): ExecOutcome;
  /** Called after each top-level command so CSP side effects (push registration after a PFN write) happen in order. */
  afterCommand(): Promise<void>;
  /** A successful Add, Replace or Delete on `locURI` (the device watches its PFN). */
  noteWrite?(locURI: string): void;
  sequenceOnError: 'continue' | 'stop';
}

/** What the device did with one server command (for reports and tests). */
export interface ExecutedCommand {
  cmdID: string;
  kind: string;
  targets: string[];
  status: string;
  /** Set for children of Atomic/Sequence. */
  parentCmdID?: string;
  results: { source: string; data: string | null }[];
}

export interface MessageExecution {
  /** Status and Results commands in order, with empty cmdID (numbered when the message is built). */
  replies: Command[];
  executed: ExecutedCommand[];
  /** Statuses the server returned for the device's own commands. */
  serverStatuses: Status[];
  /** The server asked for the next message (Alert 1222). */
  nextMessageRequested: boolean;
  /** Why the session must end now without a reply. */
  abort?: 'server-abort' | 'unenroll';
}

interface Outcome {
  status: string | null;
  out: Command[];
}

export async function executeServerMessage(msg: SyncML, host: ExecutorHost): Promise<MessageExecution> {
  const ex: MessageExecution = { replies: [], executed: [], serverStatuses: [], nextMessageRequested: false };
  const run = new Run(msg.header.msgID, host, ex);
  for (const cmd of msg.body.commands) {
    const outcome = run.command(cmd, 'top', undefined);
    ex.replies.push(...outcome.out);
    if (cmd.kind !== 'Status' && cmd.kind !== 'Results') await host.afterCommand();
    if (ex.abort) break;
  }
  return ex;
}

type Scope = 'top' | 'atomic' | 'sequence';

class Run {
  constructor(
    private readonly msgRef: string,
    private readonly host: ExecutorHost,
    private readonly ex: MessageExecution,
  ) {}

  private addedInAtomic: Set<string> | null = null;

  command(cmd: Command, scope: Scope, parent: string | undefined): Outcome {
    if (cmd.kind === 'Status') {
      this.ex.serverStatuses.push(cmd);
      return { status: null, out: [] };
    }
    if (cmd.kind === 'Results') return { status: null, out: [] }; // "MUST NOT be sent in response to Results"
    if (cmd.kind !== 'Unknown' && !cmd.cmdID) return this.simple(cmd.kind, '', StatusCode.BadRequest, parent, [], false);
    switch (cmd.kind) {
      case 'Unknown':
        return this.simple(cmd.name, cmd.cmdID ?? '', StatusCode.BadRequest, parent, [], false);
      case 'Alert':
        return this.alert(cmd.cmdID, cmd.data, parent, cmd.noResp ?? false);
      case 'Atomic':
        return scope === 'atomic' ? this.simple('Atomic', cmd.cmdID, StatusCode.CommandFailed, parent, [], false) : this.atomic(cmd, parent);
      case 'Sequence':
        return this.sequence(cmd, parent);
      case 'Copy':
        return this.simple('Copy', cmd.cmdID, StatusCode.OptionalFeatureNotSupported, parent, targetsOf(cmd), cmd.noResp ?? false);
      case 'Get':
        if (scope === 'atomic') return this.simple('Get', cmd.cmdID, StatusCode.CommandFailed, parent, targetsOf(cmd), false);
        return this.items(cmd, parent);
      default:
        return this.items(cmd, parent);
    }
  }

  private simple(kind: string, cmdID: string, status: string, parent: string | undefined, targets: string[], noResp: boolean): Outcome {
    this.ex.executed.push({ cmdID, kind, targets, status, results: [], ...(parent ? { parentCmdID: parent } : {}) });
    return { status, out: noResp ? [] : [this.status(cmdID, kind, status)] };
  }

  private alert(cmdID: string, code: string, parent: string | undefined, noResp: boolean): Outcome {
    if (code === AlertCode.SessionAbort) {
      this.ex.abort = 'server-abort';
      this.ex.executed.push({ cmdID, kind: 'Alert', targets: [], status: '', results: [] });
      return { status: null, out: [] };
    }
    if (code === AlertCode.NextMessage) this.ex.nextMessageRequested = true;
    const status = code === AlertCode.NextMessage ? StatusCode.OK : StatusCode.OptionalFeatureNotSupported;
    return this.simple('Alert', cmdID, status, parent, [], noResp);
  }

  private items(cmd: ItemCommand, parent: string | undefined): Outcome {
    const perItem: { target: string; status: string; result?: Item }[] = [];
    for (const item of cmd.items) {
      const target = item.target?.locURI;
      if (!target) {
        perItem.push({ target: '', status: StatusCode.BadRequest });
        continue;
      }
      perItem.push({ target, ...this.item(cmd, item, target) });
      if (this.ex.abort) {
        this.ex.executed.push({ cmdID: cmd.cmdID, kind: cmd.kind, targets: [target], status: perItem.at(-1)!.status, results: [], ...(parent ? { parentCmdID: parent } : {}) });
        return { status: null, out: [] };
      }
    }
    if (perItem.length === 0) perItem.push({ target: '', status: StatusCode.BadRequest });
    const out: Command[] = [];
    const statuses = new Set(perItem.map((p) => p.status));
    // One code for the command: the common one, else the first failure (or the first item's when none failed).
    const summary = statuses.size === 1 ? perItem[0]!.status : (perItem.find((p) => !isSuccessStatus(p.status)) ?? perItem[0]!).status;
    if (!cmd.noResp) {
      if (statuses.size === 1) out.push(this.status(cmd.cmdID, cmd.kind, summary));
      else for (const p of perItem) out.push(this.status(cmd.cmdID, cmd.kind, p.status, p.target));
      const resultItems = perItem.flatMap((p) => (p.result ? [p.result] : []));
      if (cmd.kind === 'Get' && resultItems.length > 0) out.push(this.results(cmd.cmdID, resultItems));
    }
    this.ex.executed.push({
      cmdID: cmd.cmdID,
      kind: cmd.kind,
      targets: perItem.map((p) => p.target),
      status: summary,
      results: perItem.flatMap((p) => (p.result ? [{ source: p.target, data: p.result.data?.kind === 'text' ? p.result.data.text : null }] : [])),
      ...(parent ? { parentCmdID: parent } : {}),
    });
    return { status: summary, out };
  }

  private item(cmd: ItemCommand, item: Item, target: string): { status: string; result?: Item } {
    const tree = this.host.tree;
    const write = {
      ...(item.meta?.format ?? cmd.meta?.format ? { format: item.meta?.format ?? cmd.meta?.format } : {}),
      ...(item.meta?.type ?? cmd.meta?.type ? { type: item.meta?.type ?? cmd.meta?.type } : {}),
      ...(item.data ? { data: item.data.kind === 'text' ? item.data.text : item.data.xml } : {}),
    };
    switch (cmd.kind) {
      case 'Get': {
        const r = tree.get(target);
        if (!r.result) return { status: r.status };
        const result: Item = { source: { locURI: target }, meta: { format: r.result.format, type: r.result.type } };
        if (r.result.data !== null) result.data = { kind: 'text', text: r.result.data };
        return { status: r.status, result };
      }
      case 'Add': {
        const r = tree.add(target, write);
        if (this.addedInAtomic && isSuccessStatus(r.status)) this.addedInAtomic.add(keyFor(target));
        return this.wrote(target, r.status);
      }
      case 'Replace':
        if (this.addedInAtomic?.has(keyFor(target))) return { status: StatusCode.CommandFailed };
        return this.wrote(target, tree.replace(target, write).status);
      case 'Delete':
        return this.wrote(target, tree.delete(target).status);
      case 'Exec': {
        const check = tree.checkExec(target);
        if (!isSuccessStatus(check.status)) return { status: check.status };
        const r = this.host.runExec(target, write.data);
        if (r.abortSession) this.ex.abort = r.abortSession;
        return { status: r.status };
      }
      default:
        return { status: StatusCode.OptionalFeatureNotSupported };
    }
  }

  private wrote(target: string, status: string): { status: string } {
    if (isSuccessStatus(status)) this.host.noteWrite?.(target);
    return { status };
  }

  private atomic(cmd: Container, parent: string | undefined): Outcome {
    const snapshot = this.host.tree.snapshot();
    this.addedInAtomic = new Set();
    const children: { cmd: Command; outcome: Outcome; executed: number }[] = [];
    let failed = false;
    for (const child of cmd.commands) {
      if (failed) {
        children.push({ cmd: child, outcome: { status: null, out: [] }, executed: -1 });
        continue;
      }
      const before = this.ex.executed.length;
      const outcome = this.command(child, 'atomic', cmd.cmdID);
      children.push({ cmd: child, outcome, executed: before });
      if (this.ex.abort) break;
      if (outcome.status !== null && !isSuccessStatus(outcome.status)) failed = true;
    }
    this.addedInAtomic = null;
    const out: Command[] = [];
    if (!failed) {
      if (!cmd.noResp) out.push(this.status(cmd.cmdID, 'Atomic', StatusCode.OK));
      for (const c of children) out.push(...c.outcome.out);
      this.ex.executed.push({ cmdID: cmd.cmdID, kind: 'Atomic', targets: [], status: StatusCode.OK, results: [], ...(parent ? { parentCmdID: parent } : {}) });
      return { status: StatusCode.OK, out };
    }
    this.host.tree.restore(snapshot);
    if (!cmd.noResp) out.push(this.status(cmd.cmdID, 'Atomic', StatusCode.AtomicFailed));
    for (const c of children) {
      const failedHere = c.outcome.status !== null && !isSuccessStatus(c.outcome.status);
      const code = failedHere ? c.outcome.status! : StatusCode.AtomicRollbackOK;
      if (c.cmd.kind === 'Status' || c.cmd.kind === 'Results') continue;
      const childID = c.cmd.kind === 'Unknown' ? (c.cmd.cmdID ?? '') : c.cmd.cmdID;
      const childName = c.cmd.kind === 'Unknown' ? c.cmd.name : c.cmd.kind;
      if (!(c.cmd.kind !== 'Unknown' && c.cmd.noResp)) out.push(this.status(childID, childName, code));
      if (c.executed >= 0) {
        const record = this.ex.executed.find((e, i) => i >= c.executed && e.cmdID === childID && e.parentCmdID === cmd.cmdID);
        if (record) record.status = code;
      } else {
        this.ex.executed.push({ cmdID: childID, kind: childName, targets: [], status: code, results: [], parentCmdID: cmd.cmdID });
      }
    }
    this.ex.executed.push({ cmdID: cmd.cmdID, kind: 'Atomic', targets: [], status: StatusCode.AtomicFailed, results: [], ...(parent ? { parentCmdID: parent } : {}) });
    return { status: StatusCode.AtomicFailed, out };
  }

  private sequence(cmd: Container, parent: string | undefined): Outcome {
    const out: Command[] = [];
    if (!cmd.noResp) out.push(this.status(cmd.cmdID, 'Sequence', StatusCode.OK));
    let stopped = false;
    for (const child of cmd.commands) {
      if (stopped && child.kind !== 'Status' && child.kind !== 'Results') {
        const childID = child.kind === 'Unknown' ? (child.cmdID ?? '') : child.cmdID;
        const childName = child.kind === 'Unknown' ? child.name : child.kind;
        out.push(...this.simple(childName, childID, StatusCode.NotExecuted, cmd.cmdID, [], false).out);
        continue;
      }
      const outcome = this.command(child, 'sequence', cmd.cmdID);
      out.push(...outcome.out);
      if (this.ex.abort) return { status: null, out: [] };
      if (outcome.status !== null && !isSuccessStatus(outcome.status) && this.host.sequenceOnError === 'stop') stopped = true;
    }
    this.ex.executed.push({ cmdID: cmd.cmdID, kind: 'Sequence', targets: [], status: StatusCode.OK, results: [], ...(parent ? { parentCmdID: parent } : {}) });
    return { status: StatusCode.OK, out };
  }

  private status(cmdRef: string, cmd: string, data: string, targetRef?: string): Status {
    return {
      kind: 'Status',
      cmdID: '',
      msgRef: this.msgRef,
      cmdRef,
      cmd,
      data,
      items: [],
      ...(targetRef !== undefined ? { targetRef: [targetRef] } : {}),
    };
  }

  private results(cmdRef: string, items: Item[]): Results {
    // Cmd "Get" after CmdRef, as MS-MDM §2.2.7.8 has it (OMA's DTD leaves it out).
    return { kind: 'Results', cmdID: '', msgRef: this.msgRef, cmdRef, cmd: 'Get', items };
  }
}

function targetsOf(cmd: ItemCommand): string[] {
  return cmd.items.map((i) => i.target?.locURI ?? '');
}

function keyFor(locURI: string): string {
  const p = resolveNodePath(locURI);
  return p.ok ? p.key : locURI;
}
