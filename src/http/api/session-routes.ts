import { HttpError } from '../error-taxonomy.js';
import { validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { messageBody, sessionBody } from './api-bodies.js';
import { pageOf } from './device-routes.js';
import { assertDeviceWhenEmpty, missingDeviceOr } from './missing-device.js';

/** A device's sessions (newest first) and the raw SyncML exchanged in each (in order). */
export function sessionRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { ports, schemas } = deps;
  routes.add('get', '/devices/:deviceId/sessions', async (req, res) => {
    const q = validQuery<{ limit: number; cursor?: string }>(req, schemas, 'page-query');
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const page = await ports.devices.listSessions(deviceId, pageOf(q));
    await assertDeviceWhenEmpty(deps, deviceId, page);
    respond(deps, res, 200, 'session-list', { items: page.items.map(sessionBody), nextCursor: page.nextCursor });
  });
  routes.add('get', '/devices/:deviceId/sessions/:sessionId', async (req, res) => {
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const sessionId = validParam(req, schemas, 'sessionId', 'sessionId');
    const session = await ports.devices.getSession(deviceId, sessionId);
    if (!session) throw await missingDeviceOr(deps, deviceId, sessionNotFound(sessionId));
    respond(deps, res, 200, 'session', sessionBody(session));
  });
  routes.add('get', '/devices/:deviceId/sessions/:sessionId/messages', async (req, res) => {
    const q = validQuery<{ limit: number; cursor?: string }>(req, schemas, 'page-query');
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const sessionId = validParam(req, schemas, 'sessionId', 'sessionId');
    const page = await ports.devices.listMessages(deviceId, sessionId, pageOf(q));
    // Messages imply the session; an empty page is either a session whose messages retention dropped (200, empty)
    // or no such session (404) — only then is the session, and on a miss the device, looked up.
    if (page.items.length === 0 && !(await ports.devices.getSession(deviceId, sessionId))) {
      throw await missingDeviceOr(deps, deviceId, sessionNotFound(sessionId));
    }
    respond(deps, res, 200, 'message-list', { items: page.items.map(messageBody), nextCursor: page.nextCursor });
  });
}

function sessionNotFound(sessionId: string): HttpError {
  return new HttpError('session-not-found', `no session ${sessionId} for this device`);
}
