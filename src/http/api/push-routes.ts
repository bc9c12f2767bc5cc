import type { DeviceFilter, PushState } from '../../store/views.js';
import { validBody, validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { wakeBody } from './api-bodies.js';
import { pageOf } from './device-routes.js';
import { assertDeviceWhenEmpty } from './missing-device.js';

interface PushRequest {
  ttlSeconds?: number;
  cache?: boolean;
}

interface BulkPushRequest extends PushRequest {
  deviceIds?: string[];
  filter?: { hasPendingCommands?: true; providerId?: string; lastSeenAfter?: string; lastSeenBefore?: string; pushState?: PushState };
}

/** Wake one device (202, or 409 with the reason), its wake history, and bulk wake by list or filter. */
export function pushRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('post', '/devices/:deviceId/push', async (req, res) => {
    const body = validBody<PushRequest>(req, schemas, 'push-request', { emptyAllowed: true });
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    // UnknownDeviceError → 404 device-not-found, NoUsableChannelError → 409 no-usable-channel with the reason (problem-response.ts).
    const { wake, coalesced } = await ports.push.requestWake(deviceId, { ttlSeconds: body.ttlSeconds ?? null, cache: body.cache ?? true });
    respond(deps, res, 202, 'push-accepted', { wakeId: wake.id, deviceId, state: wake.state, coalesced });
  });
  routes.add('get', '/devices/:deviceId/pushes', async (req, res) => {
    const q = validQuery<{ limit: number; cursor?: string }>(req, schemas, 'page-query');
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const wakes = await ports.wakes.listWakeHistory(deviceId, pageOf(q));
    await assertDeviceWhenEmpty(deps, deviceId, wakes);
    respond(deps, res, 200, 'wake-list', { items: wakes.items.map(wakeBody), nextCursor: wakes.nextCursor });
  });
  routes.add('post', '/push', async (req, res) => {
    const body = validBody<BulkPushRequest>(req, schemas, 'bulk-push-request');
    const options = { ttlSeconds: body.ttlSeconds ?? null, cache: body.cache ?? true };
    const target = body.deviceIds !== undefined ? { deviceIds: body.deviceIds } : { filter: deviceFilter(body.filter ?? {}) };
    const summary = await ports.push.requestWakes(target, options);
    respond(deps, res, 202, 'bulk-push-result', {
      requested: summary.requested,
      created: summary.created,
      coalesced: summary.coalesced,
      refusedCount: summary.refusedCount,
      refused: summary.refused,
    });
  });
}

function deviceFilter(filter: NonNullable<BulkPushRequest['filter']>): DeviceFilter {
  return {
    ...(filter.hasPendingCommands ? { hasPendingCommands: true } : {}),
    ...(filter.providerId !== undefined ? { providerId: filter.providerId } : {}),
    ...(filter.lastSeenAfter !== undefined ? { lastSeenAfter: new Date(filter.lastSeenAfter) } : {}),
    ...(filter.lastSeenBefore !== undefined ? { lastSeenBefore: new Date(filter.lastSeenBefore) } : {}),
    ...(filter.pushState !== undefined ? { pushState: filter.pushState } : {}),
  };
}
