import type { RouteTable } from '../route-table.js';
import type { ApiDeps } from './api-deps.js';

/** GET /openapi.json: the bundled OpenAPI 3.1 document. */
export function metaRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add('get', '/openapi.json', (_req, res) => {
    res.status(200).type('application/json').send(JSON.stringify(deps.openApiDocument()));
  });
}
