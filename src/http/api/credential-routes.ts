import type { DeviceCredentialDirectory, DeviceCredentialInput, DeviceCredentials } from '../../auth/credential-ports.js';
import { InvalidCredentialInputError } from '../../store/credential-repository.js';
import { HttpError } from '../error-taxonomy.js';
import { validBody, validParam } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';

/**
 * PUT/GET/DELETE /devices/{deviceId}/credentials: the OMA-DM md5 credentials of a device (DEVICE_AUTH=md5,
 * src/auth/). Passwords are turned into B64(MD5(name:password)) and sealed; nothing secret is ever returned or logged.
 * The device need not have checked in yet (credentials are provisioned at enrollment).
 */
export function credentialRoutes(routes: RouteTable, deps: ApiDeps, credentials: DeviceCredentialDirectory): void {
  routes.add('put', '/devices/:deviceId/credentials', async (req, res) => {
    const deviceId = validParam(req, deps.schemas, 'deviceId', 'deviceId');
    const input = validBody<DeviceCredentialInput>(req, deps.schemas, 'device-credentials-put');
    let stored: { created: boolean; credentials: DeviceCredentials };
    try {
      stored = await credentials.putDeviceCredentials(deviceId, input);
    } catch (error) {
      if (error instanceof InvalidCredentialInputError) throw new HttpError('validation-failed', error.message, {}, { cause: error });
      throw error;
    }
    respond(deps, res, stored.created ? 201 : 200, 'device-credentials', masked(stored.credentials));
  });
  routes.add('get', '/devices/:deviceId/credentials', async (req, res) => {
    const deviceId = validParam(req, deps.schemas, 'deviceId', 'deviceId');
    const stored = await credentials.getDeviceCredentials(deviceId);
    if (!stored) throw new HttpError('credentials-not-found', `no credentials for device ${deviceId}`);
    respond(deps, res, 200, 'device-credentials', masked(stored));
  });
  routes.add('delete', '/devices/:deviceId/credentials', async (req, res) => {
    const deviceId = validParam(req, deps.schemas, 'deviceId', 'deviceId');
    if (!(await credentials.deleteDeviceCredentials(deviceId))) throw new HttpError('credentials-not-found', `no credentials for device ${deviceId}`);
    res.status(204).end();
  });
}

function masked(c: DeviceCredentials) {
  return {
    deviceId: c.deviceId,
    client: { name: c.clientName },
    server: c.serverName === null ? null : { name: c.serverName },
    authenticatedSessionId: c.authSessionId,
    failures: c.failures,
  };
}
