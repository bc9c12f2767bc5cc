/**
 * The simulated device's management tree: interior and leaf nodes with formats and access rules, and the
 * OMA-DM verbs over it with the status codes a Windows DMClient answers (PROTOCOL.md c):
 * - Get of a missing node → 404; of a node without Get access → 405; interior node → child names, URI-encoded,
 *   separated by "/" (OMA-SUP "for interior nodes, the child node names ... in URI-encoded format").
 * - Replace of a missing node → 404 (MS-MDM §3.1.5.1.7); of a read-only node → 405; Meta Format that is not
 *   the node's format, or a value that does not parse as the node's int/bool format → 415.
 * - Add of an existing node → 418; under a parent that takes no new children → 405; missing intermediate
 *   interior nodes are created when the nearest existing ancestor takes new children ("Implicit Add", OMA-SUP).
 * - Delete of a missing node → 404; without Delete access → 405.
 * - Exec: 404 / 405 checks here; the device runs the handler.
 * Pure data structure: no I/O, no clock.
 */
import { StatusCode } from '../../../src/syncml/codes.js';
import { keyOf, parentKey, resolveNodePath } from './node-path.js';

export type NodeFormat = 'node' | 'chr' | 'int' | 'bool' | 'b64' | 'xml' | 'null' | 'date' | 'time' | 'float';
export type NodeAccess = 'Add' | 'Delete' | 'Get' | 'Replace' | 'Exec';

export interface NodeSpec {
  format: NodeFormat;
  access: readonly NodeAccess[];
  value?: string | null;
  /** Meta Type (MIME) reported in Results; default text/plain. */
  type?: string;
  /** Interior node that accepts new children through Add. */
  dynamic?: boolean;
}

interface NodeState {
  /** The node's own name as first defined (canonical escaped form, original case). */
  name: string;
  format: NodeFormat;
  access: ReadonlySet<NodeAccess>;
  value: string | null;
  type: string | undefined;
  dynamic: boolean;
}

export interface TreeOutcome {
  status: string;
  /** For a successful Get: what goes into the Results item. */
  result?: { format: NodeFormat; type: string; data: string | null };
}

export interface WriteValue {
  format?: string;
  type?: string;
  data?: string;
}

export type TreeSnapshot = ReadonlyMap<string, NodeState>;

const ALL_ACCESS: readonly NodeAccess[] = ['Add', 'Delete', 'Get', 'Replace'];

export class CspTree {
  private nodes = new Map<string, NodeState>();

  constructor() {
    this.nodes.set('', { name: '.', format: 'node', access: new Set(['Get']), value: null, type: undefined, dynamic: false });
  }

  /** Declares a node (builder use); missing ancestors become Get-only interior nodes. */
  define(locURI: string, spec: NodeSpec): void {
    const path = resolveNodePath(locURI);
    if (!path.ok) throw new Error(`bad node path ${locURI}: ${path.reason}`);
    for (let i = 1; i < path.segments.length; i++) {
      const key = keyOf(path.segments.slice(0, i));
      if (!this.nodes.has(key)) {
        this.nodes.set(key, { name: path.segments[i - 1]!, format: 'node', access: new Set(['Get']), value: null, type: undefined, dynamic: false });
      }
    }
    this.nodes.set(path.key, {
      name: path.segments.at(-1) ?? '.',
      format: spec.format,
      access: new Set(spec.access),
      value: spec.format === 'node' ? null : (spec.value ?? null),
      type: spec.type,
      dynamic: spec.dynamic ?? false,
    });
  }

  get(locURI: string): TreeOutcome {
    const path = resolveNodePath(locURI);
    if (!path.ok) return { status: StatusCode.BadRequest };
    const node = this.nodes.get(path.key);
    if (!node) return { status: StatusCode.NotFound };
    if (!node.access.has('Get')) return { status: StatusCode.CommandNotAllowed };
    if (node.format === 'node') {
      return { status: StatusCode.OK, result: { format: 'node', type: node.type ?? 'text/plain', data: this.childNames(path.key).join('/') } };
    }
    return { status: StatusCode.OK, result: { format: node.format, type: node.type ?? 'text/plain', data: node.value } };
  }

  replace(locURI: string, value: WriteValue): TreeOutcome {
    const path = resolveNodePath(locURI);
    if (!path.ok) return { status: StatusCode.BadRequest };
    const node = this.nodes.get(path.key);
    if (!node) return { status: StatusCode.NotFound };
    if (!node.access.has('Replace') || node.format === 'node') return { status: StatusCode.CommandNotAllowed };
    const bad = checkValue(node.format, value);
    if (bad) return { status: bad };
    node.value = value.data ?? '';
    if (value.type) node.type = value.type;
    return { status: StatusCode.OK };
  }

  add(locURI: string, value: WriteValue): TreeOutcome {
    const path = resolveNodePath(locURI);
    if (!path.ok || path.segments.length === 0) return { status: StatusCode.BadRequest };
    if (this.nodes.has(path.key)) return { status: StatusCode.AlreadyExists };
    // Nearest existing ancestor must accept new children (implicit Add of missing interiors below it).
    let depth = path.segments.length - 1;
    while (depth > 0 && !this.nodes.has(keyOf(path.segments.slice(0, depth)))) depth--;
    const ancestor = this.nodes.get(keyOf(path.segments.slice(0, depth)));
    if (!ancestor || ancestor.format !== 'node' || !ancestor.dynamic) return { status: StatusCode.CommandNotAllowed };
    const format = (value.format ?? 'chr') as NodeFormat;
    if (!isNodeFormat(format)) return { status: StatusCode.UnsupportedMediaType };
    const bad = format === 'node' ? undefined : checkValue(format, value);
    if (bad) return { status: bad };
    for (let i = depth + 1; i < path.segments.length; i++) {
      this.nodes.set(keyOf(path.segments.slice(0, i)), {
        name: path.segments[i - 1]!,
        format: 'node',
        access: new Set(ALL_ACCESS),
        value: null,
        type: undefined,
        dynamic: true,
      });
    }
    this.nodes.set(path.key, {
      name: path.segments.at(-1)!,
      format,
      access: new Set(ALL_ACCESS),
      value: format === 'node' ? null : (value.data ?? ''),
      type: value.type,
      dynamic: format === 'node',
    });
    return { status: StatusCode.OK };
  }

  delete(locURI: string): TreeOutcome {
    const path = resolveNodePath(locURI);
    if (!path.ok) return { status: StatusCode.BadRequest };
    const node = this.nodes.get(path.key);
    if (!node) return { status: StatusCode.NotFound };
    if (!node.access.has('Delete')) return { status: StatusCode.CommandNotAllowed };
    this.removeSubtree(path.key);
    return { status: StatusCode.OK };
  }

  /** The access check of Exec; running the operation is the device's business. */
  checkExec(locURI: string): TreeOutcome {
    const path = resolveNodePath(locURI);
    if (!path.ok) return { status: StatusCode.BadRequest };
    const node = this.nodes.get(path.key);
    if (!node) return { status: StatusCode.NotFound };
    if (!node.access.has('Exec')) return { status: StatusCode.CommandNotAllowed };
    return { status: StatusCode.OK };
  }

  /** Device-internal read, bypassing access rules; undefined when the node does not exist. */
  read(locURI: string): string | null | undefined {
    const path = resolveNodePath(locURI);
    if (!path.ok) return undefined;
    const node = this.nodes.get(path.key);
    return node ? node.value : undefined;
  }

  exists(locURI: string): boolean {
    const path = resolveNodePath(locURI);
    return path.ok && this.nodes.has(path.key);
  }

  /** Device-internal write of an existing leaf (the CSP updating its own state, e.g. Push/ChannelURI). */
  write(locURI: string, value: string | null): void {
    const path = resolveNodePath(locURI);
    const node = path.ok ? this.nodes.get(path.key) : undefined;
    if (!node || node.format === 'node') throw new Error(`no leaf node ${locURI}`);
    node.value = value;
  }

  /** Device-internal removal of a subtree (e.g. unenrollment removing the provider). */
  remove(locURI: string): void {
    const path = resolveNodePath(locURI);
    if (path.ok) this.removeSubtree(path.key);
  }

  snapshot(): TreeSnapshot {
    const copy = new Map<string, NodeState>();
    for (const [k, n] of this.nodes) copy.set(k, { ...n });
    return copy;
  }

  restore(snapshot: TreeSnapshot): void {
    this.nodes = new Map();
    for (const [k, n] of snapshot) this.nodes.set(k, { ...n });
  }

  get size(): number {
    return this.nodes.size;
  }

  private childNames(key: string): string[] {
    const names: string[] = [];
    for (const [k, n] of this.nodes) if (k !== '' && parentKey(k) === key) names.push(n.name);
    return names;
  }

  private removeSubtree(key: string): void {
    if (key === '') return;
    for (const k of [...this.nodes.keys()]) if (k === key || k.startsWith(`${key}/`)) this.nodes.delete(k);
  }
}

const FORMATS: ReadonlySet<string> = new Set(['node', 'chr', 'int', 'bool', 'b64', 'xml', 'null', 'date', 'time', 'float']);

function isNodeFormat(f: string): f is NodeFormat {
  return FORMATS.has(f);
}

/** 415 when the sender's Meta Format is not the node's, or the value does not parse in the node's format. */
function checkValue(format: NodeFormat, value: WriteValue): string | undefined {
  if (value.format !== undefined && value.format !== format) return StatusCode.UnsupportedMediaType;
  const data = value.data ?? '';
  if (format === 'int' && !/^-?\d+$/.test(data)) return StatusCode.UnsupportedMediaType;
  if (format === 'bool' && !/^(true|false)$/i.test(data)) return StatusCode.UnsupportedMediaType;
  return undefined;
}
