/**
 * Compares a recorded server message with the gateway's reply on their canonical trees and names every
 * difference by element path, XPath-style: `SyncBody/Status[3]/Data: expected 200, got 404`. A recorded text
 * value of exactly `*` matches any text (the element must still be there). Repeated elements are paired by
 * name and position (the 3rd Status with the 3rd Status), so a reordering shows as an order difference plus
 * the value differences it causes.
 */
import type { SyncML } from '../syncml/model.js';
import { canonicalSyncML, type CanonNode } from './canonical-syncml.js';

export const WILDCARD = '*';

export interface Difference {
  /** Element path below SyncML, e.g. `SyncBody/Status[3]/Data`. */
  path: string;
  expected: string;
  actual: string;
}

const REPEATABLE = new Set([
  'Status', 'Results', 'Alert', 'Add', 'Replace', 'Delete', 'Get', 'Exec', 'Copy', 'Atomic', 'Sequence',
  'Item', 'TargetRef', 'SourceRef', 'EMI',
]);

export function diffSyncML(expected: SyncML, actual: SyncML): Difference[] {
  return diffCanonical(canonicalSyncML(expected), canonicalSyncML(actual));
}

export function diffCanonical(expected: CanonNode, actual: CanonNode): Difference[] {
  const out: Difference[] = [];
  compareChildren('', expected.children, actual.children, out);
  return out;
}

function compareNode(path: string, e: CanonNode, a: CanonNode, out: Difference[]): void {
  if (e.text !== undefined || a.text !== undefined) {
    if (e.text === WILDCARD && a.text !== undefined) return;
    if (e.text !== a.text) out.push({ path, expected: showText(e.text), actual: showText(a.text) });
    if (e.children.length === 0 && a.children.length === 0) return;
  }
  compareChildren(path, e.children, a.children, out);
}

interface Keyed {
  key: string;
  label: string;
  node: CanonNode;
}

function keyed(children: CanonNode[]): Keyed[] {
  const seen = new Map<string, number>();
  return children.map((node) => {
    const n = (seen.get(node.name) ?? 0) + 1;
    seen.set(node.name, n);
    return { key: `${node.name}#${n}`, label: REPEATABLE.has(node.name) ? `${node.name}[${n}]` : node.name, node };
  });
}

function compareChildren(path: string, expected: CanonNode[], actual: CanonNode[], out: Difference[]): void {
  const e = keyed(expected);
  const a = keyed(actual);
  const aByKey = new Map(a.map((k) => [k.key, k]));
  const eByKey = new Map(e.map((k) => [k.key, k]));
  const eCommon = e.filter((k) => aByKey.has(k.key)).map((k) => k.node.name);
  const aCommon = a.filter((k) => eByKey.has(k.key)).map((k) => k.node.name);
  if (eCommon.join(',') !== aCommon.join(',')) {
    out.push({ path: path || '/', expected: `order [${eCommon.join(', ')}]`, actual: `[${aCommon.join(', ')}]` });
  }
  for (const ek of e) {
    const child = join(path, ek.label);
    const ak = aByKey.get(ek.key);
    if (ak) compareNode(child, ek.node, ak.node, out);
    else out.push({ path: child, expected: describe(ek.node), actual: 'nothing' });
  }
  for (const ak of a) {
    if (!eByKey.has(ak.key)) out.push({ path: join(path, ak.label), expected: 'nothing', actual: describe(ak.node) });
  }
}

function join(path: string, label: string): string {
  return path ? `${path}/${label}` : label;
}

function showText(text: string | undefined): string {
  if (text === undefined) return '(no text)';
  const short = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return /^[^\s,]+$/.test(short) ? short : JSON.stringify(short);
}

/** One-line summary of an element: `<Get CmdID=3 Target=./DevDetail/FwV>` or the text of a leaf. */
export function describe(node: CanonNode): string {
  if (node.text !== undefined) return `<${node.name}> ${showText(node.text)}`;
  const parts = [node.name];
  const text = (name: string): string | undefined => node.children.find((c) => c.name === name)?.text;
  const cmdID = text('CmdID');
  if (cmdID !== undefined) parts.push(`CmdID=${cmdID}`);
  for (const name of ['CmdRef', 'Cmd', 'Data']) {
    const v = text(name);
    if (v !== undefined) parts.push(`${name}=${showText(v)}`);
  }
  const firstItem = node.children.find((c) => c.name === 'Item');
  const target = firstItem?.children.find((c) => c.name === 'Target')?.children.find((c) => c.name === 'LocURI')?.text;
  if (target !== undefined) parts.push(`Target=${target}`);
  return `<${parts.join(' ')}>`;
}

export function formatDifference(messageIndex: number, d: Difference): string {
  if (d.actual === 'nothing') return `message ${messageIndex} (server), ${d.path}: expected ${d.expected}, missing`;
  if (d.expected === 'nothing') return `message ${messageIndex} (server), ${d.path}: unexpected ${d.actual}`;
  return `message ${messageIndex} (server), ${d.path}: expected ${d.expected}, got ${d.actual}`;
}
