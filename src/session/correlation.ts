/**
 * Matching the device's Status and Results to the commands we sent, by (MsgRef, CmdRef) — also across messages
 * (a.3; MS-MDM §2.2.6.1, §2.2.7.8). An unknown or contradictory reference is noted and ignored: it never throws
 * and never changes a command.
 */
import { isSuccessStatus } from '../syncml/codes.js';
import type { Item, Meta, Results, Status } from '../syncml/model.js';
import type { OutstandingEntry, SentNode } from './engine-data.js';
import type { ResultItem } from './ports.js';
import { note, type Turn } from './turn.js';

export function findSent(outstanding: OutstandingEntry[], msgRef: string, cmdRef: string): { entry: OutstandingEntry; node: SentNode } | null {
  for (const entry of outstanding) {
    if (entry.msgID !== msgRef) continue;
    const node = findNode(entry.node, cmdRef);
    if (node) return { entry, node };
  }
  return null;
}

function findNode(node: SentNode, cmdID: string): SentNode | null {
  if (node.cmdID === cmdID) return node;
  for (const child of node.children ?? []) {
    const found = findNode(child, cmdID);
    if (found) return found;
  }
  return null;
}

/** Statuses that answer something other than a command we track: our SyncHdr, our own Alerts, a Status-on-Status. */
const UNTRACKED = new Set(['synchdr', 'alert', 'status', 'results']);

export function applyStatus(turn: Turn, status: Status): void {
  const cmdRef = status.cmdRef.trim();
  const code = status.data.trim();
  const cmd = status.cmd.trim();
  if (cmdRef === '0' || UNTRACKED.has(cmd.toLowerCase())) {
    if (!isSuccessStatus(code)) note(turn, 'status-error', `device answered our ${cmd || 'SyncHdr'} with ${code}`, { cmdRef, msgRef: status.msgRef });
    return;
  }
  // A Status without MsgRef answers the server message the device is replying to: our last one.
  const msgRef = status.msgRef?.trim() || String(turn.data.nextServerMsgID - 1);
  const found = findSent(turn.data.outstanding, msgRef, cmdRef);
  if (!found) {
    note(turn, 'unknown-status-reference', `Status ${code} for ${cmd} MsgRef ${msgRef} CmdRef ${cmdRef} matches no command awaiting an answer`, {
      msgRef,
      cmdRef,
      cmd,
      status: code,
    });
    return;
  }
  if (found.node.verb.toLowerCase() !== cmd.toLowerCase()) {
    note(turn, 'status-cmd-mismatch', `Status for MsgRef ${msgRef} CmdRef ${cmdRef} names ${cmd}, but we sent ${found.node.verb}`, { msgRef, cmdRef });
    return;
  }
  if (found.node.status !== undefined) {
    note(turn, 'duplicate-status', `second Status for MsgRef ${msgRef} CmdRef ${cmdRef} ignored`, { msgRef, cmdRef, first: found.node.status, second: code });
    return;
  }
  found.node.status = code;
}

/**
 * The Get a Results answers. MS-MDM §2.2.7.8: a missing MsgRef "MUST be processed as having a value of 1"; when that
 * matches nothing, our last message is tried too (a device that omits it answers the message it just received).
 */
export function findResultsTarget(turn: Turn, msgRef: string | undefined, cmdRef: string): { entry: OutstandingEntry; node: SentNode } | null {
  const explicit = msgRef?.trim();
  const found = findSent(turn.data.outstanding, explicit || '1', cmdRef.trim());
  if (found || explicit) return found;
  return findSent(turn.data.outstanding, String(turn.data.nextServerMsgID - 1), cmdRef.trim());
}

export function applyResults(turn: Turn, results: Results): void {
  const cmdRef = results.cmdRef.trim();
  const found = findResultsTarget(turn, results.msgRef, cmdRef);
  if (!found) {
    note(turn, 'unknown-results-reference', `Results for MsgRef ${results.msgRef ?? '(absent)'} CmdRef ${cmdRef} match no command awaiting an answer`, {
      msgRef: results.msgRef ?? null,
      cmdRef,
    });
    return;
  }
  if (found.node.verb !== 'Get') {
    note(turn, 'results-for-non-get', `Results for CmdRef ${cmdRef}, which is a ${found.node.verb}, ignored`, { cmdRef });
    return;
  }
  found.node.results.push(...results.items.map((item) => toResultItem(item, results.meta)));
}

/** The Results for this Get will not arrive whole (a.6: size mismatch or chunks abandoned): conclude nothing from it. */
export function markResultsLost(turn: Turn, msgRef: string | undefined, cmdRef: string): void {
  const found = findResultsTarget(turn, msgRef, cmdRef);
  if (found) found.node.resultsLost = true;
}

function toResultItem(item: Item, meta: Meta | undefined): ResultItem {
  const format = item.meta?.format ?? meta?.format;
  const type = item.meta?.type ?? meta?.type;
  const data = item.data ? (item.data.kind === 'text' ? item.data.text : item.data.xml) : undefined;
  return {
    source: item.source?.locURI ?? item.target?.locURI ?? '',
    ...(format !== undefined ? { format } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/** Everything needed to conclude: own Status, and for a successful Get its Results; children likewise. */
export function isAnswered(node: SentNode): boolean {
  if (node.status === undefined) return false;
  if (awaitsResults(node)) return false;
  return (node.children ?? []).every(isAnswered);
}

function awaitsResults(node: SentNode): boolean {
  return node.verb === 'Get' && node.status === '200' && node.results.length === 0 && !node.resultsLost;
}

export function hasLostResults(node: SentNode): boolean {
  return node.resultsLost === true || (node.children ?? []).some(hasLostResults);
}
