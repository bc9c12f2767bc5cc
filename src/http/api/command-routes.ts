import type { CommandSpec, CommandState } from '../../session/ports.js';
import { checkCommand } from '../command-rules.js';
import { HttpError } from '../error-taxonomy.js';
import { validBody, validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { CommandNotFoundError } from '../../store/errors.js';
import { respond, type ApiDeps } from './api-deps.js';
import { commandBody } from './api-bodies.js';
import { pageOf } from './device-routes.js';
import { assertDeviceWhenEmpty, missingDeviceOr } from './missing-device.js';

type CommandRequest = CommandSpec & { addFallbackToReplace?: boolean; expiresAt?: string };

/**
 * Queue (202), list, read and cancel OMA-DM commands of one device. Each answer is one store call; whether the device
 * exists is asked only when that call finds nothing (enqueueCommand itself refuses an unknown device).
 */
export function commandRoutes(routes: RouteTable, deps: ApiDeps, clock: () => Date): void {
  const { ports, schemas } = deps;
  routes.add('post', '/devices/:deviceId/commands', async (req, res) => {
    const body = validBody<CommandRequest>(req, schemas, 'command-request');
    const { addFallbackToReplace, expiresAt, ...spec } = body;
    checkCommand(spec as CommandSpec);
    const expires = expiresAt === undefined ? null : new Date(expiresAt);
    if (expires && expires.getTime() <= clock().getTime()) {
      throw new HttpError('invalid-command', 'expiresAt is in the past', { errors: [{ in: 'body', pointer: '/expiresAt', message: 'is in the past' }] });
    }
    if (addFallbackToReplace && spec.verb !== 'Add') {
      throw new HttpError('invalid-command', 'addFallbackToReplace only applies to an Add', {
        errors: [{ in: 'body', pointer: '/addFallbackToReplace', message: 'only applies to an Add' }],
      });
    }
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    // UnknownDeviceError → 404 device-not-found (problem-response.ts).
    const { id } = await ports.commands.enqueueCommand(deviceId, spec as CommandSpec, {
      addFallbackToReplace: addFallbackToReplace ?? false,
      expiresAt: expires,
    });
    res.setHeader('Location', `${req.baseUrl}/devices/${encodeURIComponent(deviceId)}/commands/${id}`);
    respond(deps, res, 202, 'command-accepted', { id, state: 'queued' });
  });
  routes.add('get', '/devices/:deviceId/commands', async (req, res) => {
    const q = validQuery<{ state?: CommandState; limit: number; cursor?: string }>(req, schemas, 'command-list-query');
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const page = await ports.commands.listCommands(deviceId, { ...pageOf(q), ...(q.state === undefined ? {} : { state: q.state }) });
    await assertDeviceWhenEmpty(deps, deviceId, page);
    respond(deps, res, 200, 'command-list', { items: page.items.map(commandBody), nextCursor: page.nextCursor });
  });
  routes.add('get', '/devices/:deviceId/commands/:commandId', async (req, res) => {
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const commandId = validParam(req, schemas, 'commandId', 'commandId');
    const command = await ports.commands.getCommand(deviceId, commandId);
    if (!command) throw await missingDeviceOr(deps, deviceId, new HttpError('command-not-found', `no command ${commandId} for this device`));
    respond(deps, res, 200, 'command', commandBody(command));
  });
  routes.add('post', '/devices/:deviceId/commands/:commandId/cancel', async (req, res) => {
    const deviceId = validParam(req, schemas, 'deviceId', 'deviceId');
    const commandId = validParam(req, schemas, 'commandId', 'commandId');
    let cancelled;
    try {
      cancelled = await ports.commands.cancelCommand(deviceId, commandId);
    } catch (error) {
      // CommandNotCancellableError maps to 409 (problem-response.ts); a command not found may be a device not found.
      if (error instanceof CommandNotFoundError) throw await missingDeviceOr(deps, deviceId, new HttpError('command-not-found', `no command ${commandId} for this device`, {}, { cause: error }));
      throw error;
    }
    respond(deps, res, 200, 'command', commandBody(cancelled));
  });
}
