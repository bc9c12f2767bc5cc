import type { Request, RequestHandler, Response, Router } from 'express';
import { HttpError } from './error-taxonomy.js';

export type Method = 'get' | 'put' | 'post' | 'delete';

export interface RouteEntry {
  method: Method;
  /** Express syntax, e.g. /devices/:deviceId */
  path: string;
  /** The same path in OpenAPI syntax, e.g. /devices/{deviceId} */
  openApiPath: string;
}

/**
 * Registers routes on an Express router and remembers them, so tests can check that every route is in the OpenAPI
 * document, and a known path with an unknown method gets 405 with Allow instead of 404.
 */
export interface RouteTable {
  add(method: Method, path: string, handler: (req: Request, res: Response) => Promise<void> | void): void;
  /** Call once after every `add`: answers other methods on known paths with 405. */
  finish(): void;
  readonly entries: readonly RouteEntry[];
}

export function createRouteTable(router: Router, prefix = ''): RouteTable {
  const entries: RouteEntry[] = [];
  return {
    entries,
    add(method, path, handler) {
      entries.push({ method, path: prefix + path, openApiPath: prefix + path.replace(/:([A-Za-z]+)/g, '{$1}') });
      const template = prefix + path;
      const wrapped: RequestHandler = async (req, res) => {
        res.locals.route = template;
        await handler(req, res);
      };
      router[method](path, wrapped);
    },
    finish() {
      const byPath = new Map<string, Set<string>>();
      for (const e of entries) {
        const local = e.path.slice(prefix.length);
        const methods = byPath.get(local) ?? new Set<string>();
        methods.add(e.method.toUpperCase());
        if (e.method === 'get') methods.add('HEAD');
        byPath.set(local, methods);
      }
      for (const [path, methods] of byPath) {
        router.all(path, (_req, res, next) => {
          res.setHeader('Allow', [...methods].join(', '));
          next(new HttpError('method-not-allowed', `allowed: ${[...methods].join(', ')}`));
        });
      }
    },
  };
}
