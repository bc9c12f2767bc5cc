import type { ProviderInput } from '../../store/views.js';
import { HttpError } from '../error-taxonomy.js';
import { validBody, validParam } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { providerBody } from './api-bodies.js';

/** PUT/GET /providers/{providerId}. The request body (with the WNS client secret) is never logged or returned. */
export function providerRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('put', '/providers/:providerId', async (req, res) => {
    const providerId = validParam(req, schemas, 'providerId', 'providerId');
    const input = validBody<ProviderInput>(req, schemas, 'provider-put');
    const existed = (await ports.providers.getProvider(providerId)) !== null;
    const stored = await ports.providers.putProvider(providerId, input);
    respond(deps, res, existed ? 200 : 201, 'provider', providerBody(stored));
  });
  routes.add('get', '/providers/:providerId', async (req, res) => {
    const providerId = validParam(req, schemas, 'providerId', 'providerId');
    const stored = await ports.providers.getProvider(providerId);
    if (!stored) throw new HttpError('provider-not-found', `no provider ${providerId}`);
    respond(deps, res, 200, 'provider', providerBody(stored));
  });
}
