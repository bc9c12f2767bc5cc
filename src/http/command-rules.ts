import type { CommandSpec } from '../session/ports.js';
import { HttpError } from './error-taxonomy.js';
import { locUriProblem } from './loc-uri.js';
import type { SchemaViolation } from './schema-registry.js';

/**
 * Checks beyond the JSON Schema that decide whether a command can be sent as SyncML at all:
 * LocURIs (loc-uri.ts); Windows rejects a nested Atomic and a Get inside an Atomic with 500 (OMA-SUP, PROTOCOL.md a.4);
 * the OMA DTD has no Sequence inside a Sequence; Get and Delete carry no Data; Data must fit its Meta Format.
 * Throws HttpError invalid-loc-uri / invalid-command listing every problem.
 */
export function checkCommand(spec: CommandSpec): void {
  const locUris: SchemaViolation[] = [];
  const others: SchemaViolation[] = [];
  walk(spec, '', { inAtomic: false, inSequence: false }, locUris, others);
  if (locUris.length > 0) {
    throw new HttpError('invalid-loc-uri', locUris.map((v) => `${v.pointer}: ${v.message}`).join('; '), { errors: [...locUris, ...others] });
  }
  if (others.length > 0) {
    throw new HttpError('invalid-command', others.map((v) => `${v.pointer}: ${v.message}`).join('; '), { errors: others });
  }
}

function walk(
  spec: CommandSpec,
  pointer: string,
  scope: { inAtomic: boolean; inSequence: boolean },
  locUris: SchemaViolation[],
  others: SchemaViolation[],
): void {
  const add = (list: SchemaViolation[], at: string, message: string) => list.push({ in: 'body', pointer: at, message });
  if ('commands' in spec) {
    if (spec.verb === 'Atomic' && scope.inAtomic) add(others, `${pointer}/verb`, 'an Atomic cannot be nested in an Atomic (Windows answers 500)');
    if (spec.verb === 'Sequence' && scope.inSequence) add(others, `${pointer}/verb`, 'a Sequence cannot be nested in a Sequence');
    const inner = { inAtomic: scope.inAtomic || spec.verb === 'Atomic', inSequence: scope.inSequence || spec.verb === 'Sequence' };
    spec.commands.forEach((child, i) => walk(child, `${pointer}/commands/${i}`, inner, locUris, others));
    return;
  }
  const targetProblem = locUriProblem(spec.target);
  if (targetProblem) add(locUris, `${pointer}/target`, `LocURI ${targetProblem}`);
  if (spec.verb === 'Get' && scope.inAtomic) add(others, `${pointer}/verb`, 'a Get cannot be inside an Atomic (Windows answers 500)');
  if ((spec.verb === 'Get' || spec.verb === 'Delete') && spec.data !== undefined) add(others, `${pointer}/data`, `a ${spec.verb} carries no data`);
  if (spec.data !== undefined && spec.format !== undefined) {
    const formatProblem = dataFormatProblem(spec.data, spec.format);
    if (formatProblem) add(others, `${pointer}/data`, formatProblem);
  }
}

function dataFormatProblem(data: string, format: string): string | null {
  switch (format) {
    case 'int':
      return /^-?\d{1,20}$/.test(data) ? null : 'is not an integer (format int)';
    case 'bool':
      return data === 'true' || data === 'false' ? null : 'must be true or false (format bool)';
    case 'float':
      return /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(data) ? null : 'is not a number (format float)';
    case 'b64':
      return /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(data) ? null : 'is not base64 (format b64)';
    case 'node':
    case 'null':
      return data === '' ? null : `must be empty (format ${format})`;
    default:
      return null;
  }
}
