import type { Request } from 'express';
import { HttpError } from './error-taxonomy.js';
import type { SchemaRegistry, SchemaViolation } from './schema-registry.js';

/** The JSON body, checked against schemas/api/<schema>.schema.json; an absent body counts as `{}` when allowed. */
export function validBody<T>(req: Request, schemas: SchemaRegistry, schema: string, options: { emptyAllowed?: boolean } = {}): T {
  const body: unknown = req.body === undefined && options.emptyAllowed ? {} : req.body;
  if (body === undefined) throw new HttpError('validation-failed', 'a JSON body is required', { errors: [{ in: 'body', pointer: '', message: 'is required' }] });
  return checked(schemas.check(schema, body), 'body', body) as T;
}

/** The query string as a typed object (text coerced to the schema's types, defaults filled in). Unknown parameters fail. */
export function validQuery<T>(req: Request, schemas: SchemaRegistry, schema: string): T {
  const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  return checked(schemas.checkQuery(schema, query), 'query', query) as T;
}

/** A path parameter, checked against ids.schema.json#/$defs/<kind>. */
export function validParam(req: Request, schemas: SchemaRegistry, name: string, kind: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new HttpError('validation-failed', `path parameter ${name} is missing`);
  const violations = schemas.check(`ids#/$defs/${kind}`, value).map((v) => ({ ...v, pointer: `/${name}` }));
  return checked(violations, 'path', value) as string;
}

function checked(violations: SchemaViolation[], part: 'body' | 'query' | 'path', value: unknown): unknown {
  if (violations.length === 0) return value;
  const errors = violations.map((v) => ({ in: part, pointer: v.pointer, message: v.message }));
  const detail = errors.map((e) => `${part}${e.pointer || ''} ${e.message}`).join('; ');
  throw new HttpError('validation-failed', detail, { errors });
}
