import type { Command } from 'commander';
import { CliExit, type CliIo } from '../cli-io.js';

/** `simulate …`: registration seam; the device simulator command arrives with the transcripts issue. */
export function registerSimulate(program: Command, _io: CliIo): void {
  program
    .command('simulate')
    .description('simulate Windows devices against a gateway (arrives with the transcripts issue)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliExit(2, 'simulate arrives with the transcripts issue; it is not available in this build yet');
    });
}
