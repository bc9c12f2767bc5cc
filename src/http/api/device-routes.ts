import type { Request } from 'express';
import type { DeviceDetails, DeviceFilter, PushState } from '../../store/views.js';
import { HttpError } from '../error-taxonomy.js';
import { validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { deviceBody } from './api-bodies.js';

interface DeviceListQuery {
  providerId?: string;
  lastSeenAfter?: string;
  lastSeenBefore?: string;
  pushState?: PushState;
  hasPendingCommands?: boolean;
  limit: number;
  cursor?: string;
}

/** GET /devices (filters, cursor pagination) and GET /devices/{deviceId}. */
export function deviceRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('get', '/devices', async (req, res) => {
    const q = validQuery<DeviceListQuery>(req, schemas, 'device-list-query');
    const filter: DeviceFilter = {
      ...pageOf(q),
      ...(q.providerId !== undefined ? { providerId: q.providerId } : {}),
      ...(q.lastSeenAfter !== undefined ? { lastSeenAfter: new Date(q.lastSeenAfter) } : {}),
      ...(q.lastSeenBefore !== undefined ? { lastSeenBefore: new Date(q.lastSeenBefore) } : {}),
      ...(q.pushState !== undefined ? { pushState: q.pushState } : {}),
      ...(q.hasPendingCommands !== undefined ? { hasPendingCommands: q.hasPendingCommands } : {}),
    };
    const page = await ports.devices.listDevices(filter);
    respond(deps, res, 200, 'device-list', { items: page.items.map(deviceBody), nextCursor: page.nextCursor });
  });
  // One store call: getDevice reads the last session in the same statement as the device.
  routes.add('get', '/devices/:deviceId', async (req, res) => {
    respond(deps, res, 200, 'device', deviceBody(await existingDevice(req, deps)));
  });
}

/** The device named by the :deviceId path parameter, or a device-not-found error. */
export async function existingDevice(req: Request, deps: ApiDeps): Promise<DeviceDetails> {
  const deviceId = validParam(req, deps.schemas, 'deviceId', 'deviceId');
  const device = await deps.ports.devices.getDevice(deviceId);
  if (!device) throw new HttpError('device-not-found', `no device ${deviceId}`);
  return device;
}

export function pageOf(q: { limit: number; cursor?: string }): { limit: number; cursor?: string } {
  return q.cursor === undefined ? { limit: q.limit } : { limit: q.limit, cursor: q.cursor };
}
