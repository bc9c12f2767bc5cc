import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './error-taxonomy.js';

/**
 * Operator authentication: `Authorization: Bearer <token>`. Both sides are hashed (SHA-256) so the comparison is
 * constant-time and independent of the token's length; a missing header, another scheme and a wrong token all get
 * the same 401, with no hint of which part was wrong.
 */
export interface OperatorAuthenticator {
  /** True when `authorization` (the raw header) carries the operator token. */
  verify(authorization: string | undefined): boolean;
}

export function createBearerAuthenticator(token: string): OperatorAuthenticator {
  const expected = digest(token);
  return {
    verify(authorization) {
      const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization ?? '');
      // Always hash and compare, so a missing or malformed header costs the same as a wrong token.
      const presented = digest(match?.[1] ?? '');
      return timingSafeEqual(presented, expected) && match !== null;
    },
  };
}

export function requireOperator(auth: OperatorAuthenticator): RequestHandler {
  return (req, _res, next) => {
    if (auth.verify(req.headers.authorization)) next();
    else next(new HttpError('unauthorized'));
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
