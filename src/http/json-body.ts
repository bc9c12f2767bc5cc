import express, { type Request, type RequestHandler } from 'express';
import { HttpError } from './error-taxonomy.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * JSON bodies of the operator API: a body must be application/json (or +json), at most `limit` bytes (413 beyond),
 * and strict JSON (an object or array). A request without a body passes with `req.body` undefined.
 */
export function jsonBody(limit: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (hasBody(req) && !req.is(JSON_TYPES)) {
        next(new HttpError('unsupported-media-type', 'send the body as application/json'));
        return;
      }
      next();
    },
    express.json({ limit, strict: true, type: JSON_TYPES }),
  ];
}

/** Same rule as type-is: a Transfer-Encoding or a non-zero Content-Length means a body. */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
