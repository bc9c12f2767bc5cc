import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { ApiError } from './api-client.js';
import { CliExit, type CliIo } from './cli-io.js';
import { registerBind } from './commands/bind-command.js';
import { registerCommandCommands } from './commands/command-commands.js';
import { registerDevices } from './commands/devices-command.js';
import { registerMigrate } from './commands/migrate-command.js';
import { registerProviderCommands } from './commands/provider-commands.js';
import { registerPushCommands } from './commands/push-commands.js';
import { registerReplay } from './commands/replay-command.js';
import { registerServe } from './commands/serve-command.js';
import { registerSessionCommands } from './commands/session-commands.js';
import { registerSimulate } from './commands/simulate-command.js';

/** Every subcommand registers itself from its own file; add a new one to this list. */
const registrations = [
  registerServe,
  registerMigrate,
  registerReplay,
  registerSimulate,
  registerDevices,
  registerBind,
  registerCommandCommands,
  registerPushCommands,
  registerSessionCommands,
  registerProviderCommands,
];

export function createProgram(io: CliIo): Command {
  const program = new Command('omadm-gateway')
    .description('OMA-DM (SyncML) gateway for Windows device management with WNS push wake-up')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  for (const register of registrations) register(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI with `args` (without node and script) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliExit) {
      if (error.message) io.stderr.write(`${error.message}\n`);
      return error.code;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`omadm-gateway: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.stderr.write(`error: ${error.message}\n`);
      for (const e of error.problem.errors ?? []) io.stderr.write(`  ${e.pointer || '(body)'}: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`omadm-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
