// The `omadm-gateway` command (bin/omadm-gateway.js loads this through tsx). Subcommands live in commands/.
import { processIo } from './cli-io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
