import { HttpError } from '../error-taxonomy.js';
import { validParam } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { providerBody } from './api-bodies.js';
import { validProviderBody } from './provider-body.js';

/**
 * PUT/GET /providers/{providerId}. The request body (with the WNS client secret) is never logged or returned. PUT
 * replaces the provider's settings: a body without `pollSchedule` clears it (devices keep the schedule they hold).
 */
export function providerRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('put', '/providers/:providerId', async (req, res) => {
    const providerId = validParam(req, schemas, 'providerId', 'providerId');
    const input = validProviderBody(req, schemas);
    const { provider, created } = await ports.providers.upsertProvider(providerId, input);
    respond(deps, res, created ? 201 : 200, 'provider', providerBody(provider));
  });
  routes.add('get', '/providers/:providerId', async (req, res) => {
    const providerId = validParam(req, schemas, 'providerId', 'providerId');
    const stored = await ports.providers.getProvider(providerId);
    if (!stored) throw new HttpError('provider-not-found', `no provider ${providerId}`);
    respond(deps, res, 200, 'provider', providerBody(stored));
  });
}
