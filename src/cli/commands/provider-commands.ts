import type { Command } from 'commander';
import { seg } from '../api-client.js';
import { CliExit, type CliIo } from '../cli-io.js';
import { formatFields, text, when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';

interface ProviderBody {
  providerId: string;
  pfn: string | null;
  wns: { auth: string; clientId: string; clientSecretSet: boolean; tenant: string | null; tokenUrl: string | null } | null;
  pollSchedule: Record<string, number | boolean> | null;
  problem: string | null;
  pausedUntil: string | null;
  updatedAt: string;
}

/** `providers put ID …` and `providers get ID`. The client secret is read from WNS_CLIENT_SECRET unless given. */
export function registerProviderCommands(program: Command, io: CliIo): void {
  const providers = program.command('providers').description('push providers (PFN and WNS credentials)');
  withConnection(
    providers
      .command('put')
      .description('set a provider\'s PFN and WNS credentials')
      .argument('<providerId>')
      .requiredOption('--pfn <pfn>', 'package family name devices register for push with')
      .requiredOption('--client-id <id>', 'WNS client id (package SID ms-app://…, or the Entra application id)')
      .option('--client-secret <secret>', 'WNS client secret (prefer env WNS_CLIENT_SECRET: flags show up in ps and shell history)')
      .option('--auth <flow>', 'classic | entra', 'classic')
      .option('--tenant <tenant>', 'Entra tenant id (with --auth entra)')
      .option('--token-url <url>', 'token endpoint override for this provider')
      .option('--poll-schedule <json>', 'DMClient poll schedule as JSON, e.g. {"intervalForFirstSetOfRetries":15,"numberOfFirstRetries":5}'),
  ).action(
    async (
      providerId: string,
      flags: OperatorFlags & { pfn: string; clientId: string; clientSecret?: string; auth: string; tenant?: string; tokenUrl?: string; pollSchedule?: string },
    ) => {
      const clientSecret = flags.clientSecret ?? io.env.WNS_CLIENT_SECRET;
      let pollSchedule: unknown;
      if (flags.pollSchedule !== undefined) {
        try {
          pollSchedule = JSON.parse(flags.pollSchedule);
        } catch {
          throw new CliExit(2, '--poll-schedule is not valid JSON');
        }
      }
      const body = {
        pfn: flags.pfn,
        wns: {
          auth: flags.auth,
          clientId: flags.clientId,
          ...(clientSecret !== undefined ? { clientSecret } : {}),
          ...(flags.tenant !== undefined ? { tenant: flags.tenant } : {}),
          ...(flags.tokenUrl !== undefined ? { tokenUrl: flags.tokenUrl } : {}),
        },
        ...(pollSchedule !== undefined ? { pollSchedule } : {}),
      };
      const p = await clientFor(flags, io).put<ProviderBody>(`/api/v1/providers/${seg(providerId)}`, body);
      print(io, flags, p, () => describe(p));
    },
  );
  withConnection(providers.command('get').description('a provider, secrets masked').argument('<providerId>')).action(async (providerId: string, flags: OperatorFlags) => {
    const p = await clientFor(flags, io).get<ProviderBody>(`/api/v1/providers/${seg(providerId)}`);
    print(io, flags, p, () => describe(p));
  });
}

function describe(p: ProviderBody): string {
  return formatFields([
    ['provider', p.providerId],
    ['PFN', text(p.pfn)],
    ['WNS', p.wns ? `${p.wns.auth} client ${p.wns.clientId}, secret ${p.wns.clientSecretSet ? 'set (not shown)' : 'NOT set'}${p.wns.tenant ? `, tenant ${p.wns.tenant}` : ''}` : 'no credentials'],
    ['poll schedule', p.pollSchedule ? Object.entries(p.pollSchedule).map(([k, v]) => `${k}=${String(v)}`).join(' ') : 'none (devices keep their own)'],
    ['problem', text(p.problem)],
    ['paused until', when(p.pausedUntil)],
    ['updated', when(p.updatedAt)],
  ]);
}
