import type { Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../error-taxonomy.js';
import type { OperatorPorts } from '../operator-ports.js';
import type { SchemaRegistry } from '../schema-registry.js';

export interface ApiDeps {
  ports: OperatorPorts;
  schemas: SchemaRegistry;
  logger: Logger;
  /** Check every response against its schema before sending (tests turn it on; a mismatch is a 500 and a log line). */
  validateResponses: boolean;
  /** The bundled OpenAPI document served at /api/v1/openapi.json. */
  openApiDocument: () => unknown;
}

/** Sends `body` as JSON, after checking it against schemas/api/<schema> when `validateResponses` is on. */
export function respond(deps: ApiDeps, res: Response, status: number, schema: string, body: unknown): void {
  const json = JSON.stringify(body);
  if (deps.validateResponses) {
    const violations = deps.schemas.check(schema, JSON.parse(json));
    if (violations.length > 0) {
      deps.logger.error({ schema, violations }, 'response does not match its schema');
      throw new HttpError('internal');
    }
  }
  res.status(status).type('application/json').send(json);
}
