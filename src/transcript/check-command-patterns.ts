/**
 * Per-message `contains` / `lacks`: a reply must (or must not) carry a command of a verb, optionally with an
 * Item target and data, anywhere in the message (also inside Atomic/Sequence), in any order. This lets a
 * device-only transcript prove "the PFN is not sent again" without fixing the engine's ordering.
 */
import type { Command, SyncML } from '../syncml/model.js';
import { compactXml } from './canonical-syncml.js';
import { WILDCARD } from './diff-syncml.js';
import type { CommandPattern } from './transcript.js';

function flatten(commands: Command[]): Command[] {
  return commands.flatMap((c) => (c.kind === 'Atomic' || c.kind === 'Sequence' ? [c, ...flatten(c.commands)] : [c]));
}

function fits(expected: string | undefined, actual: string | undefined): boolean {
  if (expected === undefined) return true;
  if (expected === WILDCARD) return actual !== undefined;
  return expected === actual;
}

export function commandMatchesPattern(c: Command, p: CommandPattern): boolean {
  const kind = c.kind === 'Unknown' ? c.name : c.kind;
  if (kind !== p.verb) return false;
  if ((c.kind === 'Alert' || c.kind === 'Status') && p.target === undefined) return fits(p.data, c.data);
  if (!('items' in c)) return p.target === undefined && p.data === undefined;
  if (p.target === undefined && p.data === undefined) return true;
  return c.items.some((item) => {
    const data = item.data ? (item.data.kind === 'text' ? item.data.text.trim() : compactXml(item.data.xml)) : undefined;
    return fits(p.target, item.target?.locURI) && fits(p.data, c.kind === 'Alert' && p.target === undefined ? c.data : data);
  });
}

export function describePattern(p: CommandPattern): string {
  return [p.verb, p.target, p.data === undefined ? undefined : `= ${JSON.stringify(p.data)}`].filter(Boolean).join(' ');
}

/** Human-readable failures, empty when the reply satisfies every pattern. */
export function checkCommandPatterns(reply: SyncML, contains: CommandPattern[] = [], lacks: CommandPattern[] = []): string[] {
  const all = flatten(reply.body.commands);
  const out: string[] = [];
  for (const p of contains) if (!all.some((c) => commandMatchesPattern(c, p))) out.push(`reply lacks ${describePattern(p)}`);
  for (const p of lacks) if (all.some((c) => commandMatchesPattern(c, p))) out.push(`reply carries ${describePattern(p)}, which it must not`);
  return out;
}
