import type { Command } from 'commander';
import { ApiError, seg, type ApiClient } from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import { formatFields, formatTable, text, when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';
import { providerLine, type DeviceProviderBody } from './bind-command.js';

interface DeviceBody {
  deviceId: string;
  providerId: string;
  enrollmentState: string;
  devInfo: Record<string, string>;
  firstSeenAt: string;
  lastSeenAt: string;
  lastSession: { sessionId: string; trigger?: string | null; startedAt?: string; ended?: boolean } | null;
  pendingCommands: number;
  push: {
    state: string;
    usable: boolean;
    pfnProvisioned: boolean;
    provisionedPfn: string | null;
    providerPfn: string | null;
    channelUri: string | null;
    channelReportedAt: string | null;
    channelExpiresAt: string | null;
    status: number | null;
    statusMeaning: string | null;
  };
}

/** `devices` (list with filters) and `device ID` (one device in detail). */
export function registerDevices(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('devices')
      .description('list devices with their push state')
      .option('--provider <id>', 'only this provider')
      .option('--push-state <state>', 'active | expired | gone | invalid | none')
      .option('--pending', 'only devices with queued commands')
      .option('--limit <n>', 'page size', '50')
      .option('--cursor <cursor>', 'next page (from a previous --json output)'),
  ).action(async (flags: OperatorFlags & { provider?: string; pushState?: string; pending?: boolean; limit: string; cursor?: string }) => {
    const query = new URLSearchParams({ limit: flags.limit });
    if (flags.provider) query.set('providerId', flags.provider);
    if (flags.pushState) query.set('pushState', flags.pushState);
    if (flags.pending) query.set('hasPendingCommands', 'true');
    if (flags.cursor) query.set('cursor', flags.cursor);
    const page = await clientFor(flags, io).get<{ items: DeviceBody[]; nextCursor: string | null }>(`/api/v1/devices?${query}`);
    print(io, flags, page, () => {
      if (page.items.length === 0) return 'no devices\n';
      const rows = page.items.map((d) => [d.deviceId, d.providerId, when(d.lastSeenAt), d.push.state, String(d.pendingCommands), text(d.devInfo.Mod)]);
      const more = page.nextCursor ? `more: --cursor ${page.nextCursor}\n` : '';
      return formatTable(['DEVICE', 'PROVIDER', 'LAST SEEN', 'PUSH', 'PENDING', 'MODEL'], rows) + more;
    });
  });

  withConnection(program.command('device').description('one device: provider, DevInfo, last session, push state').argument('<deviceId>')).action(
    async (deviceId: string, flags: OperatorFlags) => {
      const client = clientFor(flags, io);
      let d: DeviceBody;
      try {
        d = await client.get<DeviceBody>(`/api/v1/devices/${seg(deviceId)}`);
      } catch (error) {
        // Not checked in yet: a device bound in advance (`bind`) is still shown with its provider.
        const bound = !flags.json && error instanceof ApiError && error.status === 404 ? await providerOf(client, deviceId) : null;
        if (!bound) throw error;
        io.stdout.write(formatFields([['device', bound.deviceId], ['provider', providerLine(bound)], ['checked in', "not yet: its first session gets this provider's PFN"]]));
        return;
      }
      const provider = flags.json ? null : await providerOf(client, deviceId);
      print(io, flags, d, () =>
        formatFields([
          ['device', d.deviceId],
          ['provider', provider ? providerLine(provider) : d.providerId],
          ['enrollment', d.enrollmentState],
          ['devinfo', Object.entries(d.devInfo).map(([k, v]) => `${k}=${v}`).join(' ') || '-'],
          ['first seen', when(d.firstSeenAt)],
          ['last seen', when(d.lastSeenAt)],
          ['last session', d.lastSession ? `${d.lastSession.sessionId} (trigger ${text(d.lastSession.trigger)}, ${d.lastSession.ended ? 'ended' : 'open'})` : '-'],
          ['pending commands', String(d.pendingCommands)],
          ['push', `${d.push.state}${d.push.usable ? ' (can be woken)' : ''}`],
          ['PFN provisioned', d.push.pfnProvisioned ? `yes (${text(d.push.provisionedPfn)})` : `no (device has ${text(d.push.provisionedPfn)}, provider has ${text(d.push.providerPfn)})`],
          ['ChannelURI', text(d.push.channelUri)],
          ['reported', when(d.push.channelReportedAt)],
          ['expires', when(d.push.channelExpiresAt)],
          ['Push/Status', d.push.status === null ? '-' : `${d.push.status} ${text(d.push.statusMeaning)}`],
        ]),
      );
    },
  );
}

/** The device's provider and binding, or null when the gateway knows neither. */
async function providerOf(client: ApiClient, deviceId: string): Promise<DeviceProviderBody | null> {
  try {
    return await client.get<DeviceProviderBody>(`/api/v1/devices/${seg(deviceId)}/provider`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
