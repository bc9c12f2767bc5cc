/**
 * Answers every command of a device message, in order (a.3: one Status per command, in the order of the commands;
 * none for Results or Status, a.5). Status and Results feed the correlation; Alerts and DevInfo go to their handlers;
 * anything else a client must not send is refused (a.3, OMA-DMPRO §8).
 *
 * Containers from the device get a Status of their own, first, then one per child. An Atomic is all-or-nothing:
 * if a child fails, the Atomic gets 507, the children that succeeded 216 "Atomic roll back OK", and their effects are
 * dropped; an Atomic nested in an Atomic gets 500 and nothing in it runs (OMA-SUP, a.4).
 *
 * Work per message is bounded: after maxDeviceCommands commands (children counted) the rest are answered 417
 * "Retry later" without being processed, in order; Status and Results beyond the cap are ignored.
 */
import { isSuccessStatus } from '../syncml/codes.js';
import type { Command, Container } from '../syncml/model.js';
import { applyResults, applyStatus } from './correlation.js';
import { handleAlert } from './device-alerts.js';
import { jsonCopy } from './engine-data.js';
import { handleReplace } from './device-replace.js';
import { abandonChunk, continueChunk, isContinuation, startChunk, startsChunk } from './large-object.js';
import { answer, commandName, note, type Turn } from './turn.js';

interface Scope {
  seen: Set<string>;
  inContainer: boolean;
  inAtomic: boolean;
}

export function processDeviceCommands(turn: Turn, commands: Command[]): void {
  const scope: Scope = { seen: new Set(), inContainer: false, inAtomic: false };
  let budget = turn.options.maxDeviceCommands;
  let refused = 0;
  let chunkOpen = turn.data.chunk !== null;
  for (const command of commands) {
    const cost = countCommands(command);
    if (cost > budget) {
      budget = 0;
      refused += cost;
      answerTree(turn, command, '417');
      continue;
    }
    budget -= cost;
    // a.6: while a chunked object is open, the first command after the Statuses must be its next chunk.
    if (chunkOpen && command.kind !== 'Status') {
      chunkOpen = false;
      if (canCarryChunk(command) && isContinuation(turn, command)) {
        // The reassembled command is visited like any other (its CmdID checked then); middle chunks only get 213.
        continueChunk(turn, command, (whole) => {
          visit(turn, whole, scope);
        });
        continue;
      }
      abandonChunk(turn, `${commandName(command)} CmdID ${command.cmdID ?? '(none)'} came before the last chunk`);
    }
    visit(turn, command, scope);
  }
  if (refused > 0) {
    note(turn, 'device-command-cap', `${refused} device command(s) beyond the limit of ${turn.options.maxDeviceCommands} answered 417 unprocessed`);
  }
}

/** Processes one command and owes its Status(es). Returns the Status code it earned, or null (Status, Results). */
function visit(turn: Turn, command: Command, scope: Scope): string | null {
  switch (command.kind) {
    case 'Status':
      if (scope.inContainer) return misplaced(turn, command);
      applyStatus(turn, command);
      return null;
    case 'Results':
      if (scope.inContainer) return misplaced(turn, command);
      if (startsChunk(command)) return startChunk(turn, command);
      applyResults(turn, command);
      return null;
    case 'Unknown':
      // OMA-SUP (a.4): an element under SyncBody, Atomic or Sequence that is not a command → 400.
      return give(turn, command, '400');
  }
  if (!hasValidCmdID(turn, command, scope)) return '400';
  switch (command.kind) {
    case 'Alert':
      if (!scope.inContainer && startsChunk(command)) return startChunk(turn, command);
      return give(turn, command, handleAlert(turn, command));
    case 'Replace':
      if (!scope.inContainer && startsChunk(command)) return startChunk(turn, command);
      return give(turn, command, handleReplace(turn, command));
    case 'Atomic':
    case 'Sequence':
      return handleContainer(turn, command, scope);
    default:
      note(turn, 'device-command-refused', `device sent ${command.kind} CmdID ${command.cmdID}; a client may only send Replace DevInfo, Results and Alert (405)`);
      return give(turn, command, '405');
  }
}

function handleContainer(turn: Turn, container: Container, scope: Scope): string {
  const slot = answer(turn, container, '200');
  const finish = (code: string): string => {
    if (slot) slot.code = code;
    return code;
  };
  if (container.kind === 'Atomic' && scope.inAtomic) {
    note(turn, 'nested-atomic', `Atomic CmdID ${container.cmdID} nested in an Atomic: 500, nothing in it runs (OMA-SUP)`);
    for (const child of container.commands) answerTree(turn, child, '500');
    return finish('500');
  }
  if (container.commands.length === 0) return finish('412');
  const from = turn.statuses.length;
  const saved = container.kind === 'Atomic' ? { effects: turn.effects.length, signals: jsonCopy(turn.signals) } : null;
  const inner: Scope = { ...scope, inContainer: true, inAtomic: scope.inAtomic || container.kind === 'Atomic' };
  let failed = false;
  for (const child of container.commands) {
    const code = visit(turn, child, inner);
    if (code !== null && !isSuccessStatus(code)) failed = true;
  }
  if (saved && failed) {
    turn.effects.length = saved.effects;
    turn.signals = saved.signals;
    for (const owed of turn.statuses.slice(from)) if (isSuccessStatus(owed.code)) owed.code = '216';
    return finish('507');
  }
  return finish('200');
}

/** MS-MDM §2.2.3.2: CmdID "MUST always be present", unique in the message, not "0"; OMA-SUP: else 400 with a blank CmdRef. */
function hasValidCmdID(turn: Turn, command: Command, scope: Scope): boolean {
  const id = command.cmdID?.trim() ?? '';
  if (id !== '' && id !== '0' && !scope.seen.has(id)) {
    scope.seen.add(id);
    return true;
  }
  const problem = id === '' ? 'no CmdID' : id === '0' ? 'CmdID "0"' : `repeated CmdID ${id}`;
  note(turn, 'bad-cmdid', `${commandName(command)} with ${problem} answered 400`);
  const blank = id === '' || id === '0';
  answerTree(turn, blank ? { ...command, cmdID: '' } : command, '400');
  return false;
}

function misplaced(turn: Turn, command: Command): null {
  note(turn, 'misplaced-command', `${command.kind} inside Atomic/Sequence ignored`);
  return null;
}

function give(turn: Turn, command: Command, code: string): string {
  answer(turn, command, code);
  return code;
}

/** The same code for a command and everything inside it (Status and Results get none). */
export function answerTree(turn: Turn, command: Command, code: string): void {
  if (command.kind === 'Status' || command.kind === 'Results') return;
  answer(turn, command, code);
  if (command.kind === 'Atomic' || command.kind === 'Sequence') for (const child of command.commands) answerTree(turn, child, code);
}

function countCommands(command: Command): number {
  return command.kind === 'Atomic' || command.kind === 'Sequence' ? 1 + command.commands.reduce((n, c) => n + countCommands(c), 0) : 1;
}

function canCarryChunk(command: Command): command is Extract<Command, { kind: 'Results' | 'Replace' | 'Alert' }> {
  return command.kind === 'Results' || command.kind === 'Replace' || command.kind === 'Alert';
}
