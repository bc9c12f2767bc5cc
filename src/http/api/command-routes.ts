import type { CommandSpec, CommandState } from '../../session/ports.js';
import { checkCommand } from '../command-rules.js';
import { HttpError } from '../error-taxonomy.js';
import { validBody, validParam, validQuery } from '../request-validation.js';
import type { RouteTable } from '../route-table.js';
import { respond, type ApiDeps } from './api-deps.js';
import { commandBody } from './api-bodies.js';
import { existingDevice, pageOf } from './device-routes.js';

type CommandRequest = CommandSpec & { addFallbackToReplace?: boolean; expiresAt?: string };

/** Queue (202), list, read and cancel OMA-DM commands of one device. */
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
    const device = await existingDevice(req, deps);
    const { id } = await ports.commands.enqueueCommand(device.deviceId, spec as CommandSpec, {
      addFallbackToReplace: addFallbackToReplace ?? false,
      expiresAt: expires,
    });
    res.setHeader('Location', `${req.baseUrl}/devices/${encodeURIComponent(device.deviceId)}/commands/${id}`);
    respond(deps, res, 202, 'command-accepted', { id, state: 'queued' });
  });
  routes.add('get', '/devices/:deviceId/commands', async (req, res) => {
    const q = validQuery<{ state?: CommandState; limit: number; cursor?: string }>(req, schemas, 'command-list-query');
    const device = await existingDevice(req, deps);
    const page = await ports.commands.listCommands(device.deviceId, { ...pageOf(q), ...(q.state === undefined ? {} : { state: q.state }) });
    respond(deps, res, 200, 'command-list', { items: page.items.map(commandBody), nextCursor: page.nextCursor });
  });
  routes.add('get', '/devices/:deviceId/commands/:commandId', async (req, res) => {
    const device = await existingDevice(req, deps);
    const commandId = validParam(req, schemas, 'commandId', 'commandId');
    const command = await ports.commands.getCommand(device.deviceId, commandId);
    if (!command) throw new HttpError('command-not-found', `no command ${commandId} for this device`);
    respond(deps, res, 200, 'command', commandBody(command));
  });
  routes.add('post', '/devices/:deviceId/commands/:commandId/cancel', async (req, res) => {
    const device = await existingDevice(req, deps);
    const commandId = validParam(req, schemas, 'commandId', 'commandId');
    // CommandNotFoundError / CommandNotCancellableError map to 404 / 409 (problem-response.ts).
    respond(deps, res, 200, 'command', commandBody(await ports.commands.cancelCommand(device.deviceId, commandId)));
  });
}
