import type { Command } from 'commander';
import { runReplayCommand } from '../../transcript/run-replay-command.js';
import { startInProcessGateway } from '../../transcript/start-in-process-gateway.js';
import type { ReplayMode } from '../../transcript/transcript.js';
import { CliExit, type CliIo } from '../cli-io.js';

/** `replay FILE…`: each transcript against its own fresh in-process gateway (src/transcript). */
export function registerReplay(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description('replay SyncML transcripts against a fresh in-process gateway and compare the replies')
    .argument('<files...>', 'transcript files or directories')
    .option('--mode <mode>', 'override every transcript\'s mode (strict | device-only)')
    .option('--database-url <url>', 'replay on PostgreSQL instead of a fresh SQLite')
    .option('-v, --verbose', 'print notes and the gateway\'s replies')
    .option('--json', 'one JSON report per line')
    .action(async (files: string[], flags: { mode?: string; databaseUrl?: string; verbose?: boolean; json?: boolean }) => {
      const code = await runReplayCommand(files, {
        startGateway: (options) => startInProcessGateway({ ...options, ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}) }),
        ...(flags.mode ? { mode: flags.mode as ReplayMode } : {}),
        verbose: flags.verbose ?? false,
        json: flags.json ?? false,
        write: (text) => void io.stdout.write(text),
      });
      if (code !== 0) throw new CliExit(code, '');
    });
}
