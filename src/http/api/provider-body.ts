/**
 * The body of PUT /providers/{providerId}: schemas/api/provider-put.schema.json, and for `pollSchedule` also the
 * MS-MDE2 §2.2.9.3 rules a server MUST NOT break (csp/poll-schedule.ts), so a schedule no device may be given is
 * refused here with the rule named, not found out at the next session. Where the JSON Schema already catches the same
 * field (NumberOfFirstRetries 0, a remaining interval under 1440), the rule's message replaces the schema's.
 */
import type { Request } from 'express';
import { pollScheduleViolations } from '../../csp/poll-schedule.js';
import type { ProviderInput } from '../../store/views.js';
import { HttpError } from '../error-taxonomy.js';
import { validBody } from '../request-validation.js';
import type { SchemaRegistry } from '../schema-registry.js';

interface BodyError {
  in: 'body';
  pointer: string;
  message: string;
  rule?: string;
}

export function validProviderBody(req: Request, schemas: SchemaRegistry): ProviderInput {
  const body: unknown = req.body;
  const schedule = isObject(body) ? body['pollSchedule'] : undefined;
  if (!isObject(schedule)) return validBody<ProviderInput>(req, schemas, 'provider-put');
  // Shape problems (types, unknown fields) are the schema's to report; the MS-MDE2 rules are checked here.
  const rules: BodyError[] = pollScheduleViolations(schedule)
    .filter((v) => v.rule !== 'shape')
    .map((v) => ({ in: 'body', pointer: `/pollSchedule${v.field ? `/${v.field}` : ''}`, message: v.message, rule: v.rule }));
  const covered = new Set(rules.map((r) => r.pointer));
  const schema: BodyError[] = schemas
    .check('provider-put', body)
    .filter((v) => !covered.has(v.pointer))
    .map((v) => ({ in: 'body', pointer: v.pointer, message: v.message }));
  const errors = [...schema, ...rules];
  if (errors.length === 0) return body as unknown as ProviderInput;
  throw new HttpError('validation-failed', errors.map((e) => `body${e.pointer} ${e.message}`).join('; '), { errors });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
