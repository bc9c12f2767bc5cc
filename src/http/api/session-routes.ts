import { validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { messageBody, sessionBody } from './api-bodies.js';
import { existingDevice, pageOf } from './device-routes.js';

/** A device's sessions (newest first) and the raw SyncML exchanged in each (in order). */
export function sessionRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('get', '/devices/:deviceId/sessions', async (req, res) => {
    const q = validQuery<{ limit: number; cursor?: string }>(req, schemas, 'page-query');
    const device = await existingDevice(req, deps);
    const page = await ports.devices.listSessions(device.deviceId, pageOf(q));
    respond(deps, res, 200, 'session-list', { items: page.items.map(sessionBody), nextCursor: page.nextCursor });
  });
  routes.add('get', '/devices/:deviceId/sessions/:sessionId/messages', async (req, res) => {
    const q = validQuery<{ limit: number; cursor?: string }>(req, schemas, 'page-query');
    const device = await existingDevice(req, deps);
    const sessionId = validParam(req, schemas, 'sessionId', 'sessionId');
    // A session whose messages the retention limit already dropped (or that never existed) is an empty list.
    const page = await ports.devices.listMessages(device.deviceId, sessionId, pageOf(q));
    respond(deps, res, 200, 'message-list', { items: page.items.map(messageBody), nextCursor: page.nextCursor });
  });
}
