import { HttpError } from '../error-taxonomy.js';
import { validBody, validParam } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { deviceProviderBody } from './api-bodies.js';

/**
 * PUT/GET /devices/{deviceId}/provider: which provider (DMClient `Provider/{ProviderID}`, its PFN and WNS credentials)
 * a device belongs to. PUT works before the device ever checked in (pre-provisioning: its first session gets the bound
 * provider's PFN) and moves a known device: its next session sets the new provider's PFN under the new ProviderID, and
 * its ChannelURI of the old PFN takes no more wakes (store/device-binding.ts). The provider must exist.
 */
export function deviceProviderRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('put', '/devices/:deviceId/provider', async (req, res) => {
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const { providerId } = validBody<{ providerId: string }>(req, schemas, 'device-provider-put');
    if (!(await ports.providers.getProvider(providerId))) {
      throw new HttpError('provider-not-found', `no provider ${providerId}: create it with PUT /api/v1/providers/${providerId} first`);
    }
    const result = await ports.devices.bindDevice(deviceId, providerId);
    deps.logger.info({ deviceId, providerId, previousProviderId: result.previousProviderId, moved: result.moved }, 'device bound to provider');
    respond(deps, res, result.created ? 201 : 200, 'device-provider', {
      ...deviceProviderBody(result.view),
      moved: result.moved,
      previousProviderId: result.previousProviderId,
    });
  });
  routes.add('get', '/devices/:deviceId/provider', async (req, res) => {
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const view = await ports.devices.getDeviceProvider(deviceId);
    if (!view) throw new HttpError('device-not-found', `no device ${deviceId} and no provider binding for it`);
    respond(deps, res, 200, 'device-provider', deviceProviderBody(view));
  });
}
