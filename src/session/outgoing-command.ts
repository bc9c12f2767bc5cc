/**
 * A queued CommandSpec as the SyncML command we send, with CmdIDs numbered from `firstCmdID` depth-first (an Atomic
 * or Sequence, then its children), and the SentNode that will collect the device's answers.
 */
import type { Command, Item, Meta } from '../syncml/model.js';
import type { SentNode } from './engine-data.js';
import type { CommandSpec } from './ports.js';

export interface BuiltCommand {
  command: Command;
  node: SentNode;
  /** The CmdID after the last one used. */
  nextCmdID: number;
}

type ContainerSpec = Extract<CommandSpec, { commands: CommandSpec[] }>;
type LeafSpec = Exclude<CommandSpec, ContainerSpec>;

function isContainerSpec(spec: CommandSpec): spec is ContainerSpec {
  return spec.verb === 'Atomic' || spec.verb === 'Sequence';
}

export function buildCommand(spec: CommandSpec, firstCmdID: number): BuiltCommand {
  return isContainerSpec(spec) ? buildContainer(spec, firstCmdID) : buildLeaf(spec, firstCmdID);
}

function buildContainer(spec: ContainerSpec, firstCmdID: number): BuiltCommand {
  const cmdID = String(firstCmdID);
  let next = firstCmdID + 1;
  const commands: Command[] = [];
  const children: SentNode[] = [];
  for (const child of spec.commands) {
    const built = buildCommand(child, next);
    commands.push(built.command);
    children.push(built.node);
    next = built.nextCmdID;
  }
  return { command: { kind: spec.verb, cmdID, commands }, node: { cmdID, verb: spec.verb, results: [], children }, nextCmdID: next };
}

function buildLeaf(spec: LeafSpec, firstCmdID: number): BuiltCommand {
  const cmdID = String(firstCmdID);
  const meta: Meta = {
    ...(spec.format !== undefined ? { format: spec.format } : {}),
    ...(spec.type !== undefined ? { type: spec.type } : {}),
  };
  const item: Item = {
    target: { locURI: spec.target },
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
    ...(spec.data !== undefined ? { data: { kind: 'text' as const, text: spec.data } } : {}),
  };
  return { command: { kind: spec.verb, cmdID, items: [item] }, node: { cmdID, verb: spec.verb, results: [] }, nextCmdID: firstCmdID + 1 };
}

/** Bytes of the largest Data in the spec (MaxObjSize applies per object, a.6). */
export function largestObjectBytes(spec: CommandSpec): number {
  if (isContainerSpec(spec)) return Math.max(0, ...spec.commands.map(largestObjectBytes));
  return spec.data === undefined ? 0 : Buffer.byteLength(spec.data, 'utf8');
}
