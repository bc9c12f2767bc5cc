/**
 * Pairs the management commands of a recorded server message with those of the gateway's reply, ignoring
 * order and CmdIDs: same verb, same Item targets (a recorded `*` matches any), and — for an exact pair — the
 * same Item data. Status and Results are not management commands and are left out. Used to correlate the
 * device's later Status/Results with what the gateway really sent, and for `matchCommands`.
 */
import type { Command, Item } from '../syncml/model.js';
import { compactXml } from './canonical-syncml.js';
import { WILDCARD } from './diff-syncml.js';

export interface CommandPair {
  recorded: Command;
  actual: Command;
  /** False when only verb and targets agree (the data differs). */
  exact: boolean;
}

export interface CommandMatching {
  pairs: CommandPair[];
  missing: Command[];
  unexpected: Command[];
}

export function isManagementCommand(c: Command): boolean {
  return c.kind !== 'Status' && c.kind !== 'Results';
}

export function matchCommands(recorded: Command[], actual: Command[]): CommandMatching {
  const want = recorded.filter(isManagementCommand);
  const have = actual.filter(isManagementCommand);
  const used = new Set<number>();
  const pairs: CommandPair[] = [];
  const pending: Command[] = [];
  for (const r of want) {
    const i = have.findIndex((a, k) => !used.has(k) && sameCommand(r, a, true));
    if (i >= 0) {
      used.add(i);
      pairs.push({ recorded: r, actual: have[i] as Command, exact: true });
    } else pending.push(r);
  }
  const missing: Command[] = [];
  for (const r of pending) {
    const i = have.findIndex((a, k) => !used.has(k) && sameCommand(r, a, false));
    if (i >= 0) {
      used.add(i);
      pairs.push({ recorded: r, actual: have[i] as Command, exact: false });
    } else missing.push(r);
  }
  return { pairs, missing, unexpected: have.filter((_, k) => !used.has(k)) };
}

function matches(expected: string | undefined, actual: string | undefined): boolean {
  return expected === WILDCARD ? actual !== undefined : expected === actual;
}

function itemData(item: Item): string | undefined {
  if (!item.data) return undefined;
  return item.data.kind === 'text' ? item.data.text.trim() : compactXml(item.data.xml);
}

function sameItems(r: Item[], a: Item[], withData: boolean): boolean {
  if (r.length !== a.length) return false;
  return r.every((ri, k) => {
    const ai = a[k] as Item;
    if (!matches(ri.target?.locURI, ai.target?.locURI)) return false;
    return !withData || matches(itemData(ri), itemData(ai));
  });
}

export function sameCommand(r: Command, a: Command, withData: boolean): boolean {
  if (r.kind !== a.kind) return false;
  switch (r.kind) {
    case 'Atomic':
    case 'Sequence': {
      const children = (a as typeof r).commands;
      return r.commands.length === children.length && r.commands.every((c, k) => sameCommand(c, children[k] as Command, withData));
    }
    case 'Alert': {
      const alert = a as typeof r;
      return r.data === alert.data && (!withData || sameItems(r.items, alert.items, true));
    }
    case 'Unknown':
      return r.name === (a as typeof r).name;
    case 'Status':
    case 'Results':
      return false;
    default:
      return sameItems(r.items, (a as typeof r).items, withData);
  }
}

/** `Replace ./Vendor/MSFT/DMClient/…/PFN = "x"` for reports. */
export function describeCommand(c: Command): string {
  if (c.kind === 'Unknown') return c.name;
  if (c.kind === 'Status') return `Status ${c.cmd} ${c.cmdRef} = ${c.data}`;
  if (!('items' in c)) return `${c.kind} [${c.commands.map(describeCommand).join('; ')}]`;
  const head = c.kind === 'Alert' ? `Alert ${c.data}` : c.kind;
  const items = c.items.map((i: Item) => {
    const d = itemData(i);
    return `${i.target?.locURI ?? i.source?.locURI ?? ''}${d !== undefined ? ` = ${JSON.stringify(d.length > 60 ? `${d.slice(0, 57)}...` : d)}` : ''}`;
  });
  return items.length ? `${head} ${items.join(', ')}` : head;
}
