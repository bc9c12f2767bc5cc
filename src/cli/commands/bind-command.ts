import type { Command } from 'commander';
import { pushPaths } from '../../csp/dmclient-paths.js';
import { seg } from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import { when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';

/** GET/PUT /api/v1/devices/{deviceId}/provider (schemas/api/device-provider.schema.json). */
export interface DeviceProviderBody {
  deviceId: string;
  providerId: string;
  source: 'binding' | 'default';
  binding: { providerId: string; createdAt: string; updatedAt: string } | null;
  checkedIn: boolean;
  moved?: boolean;
  previousProviderId?: string | null;
}

/** `fabrikam (bound 2026-01-15T09:00:00Z)` or `omadm-gateway (default)`. */
export function providerLine(p: DeviceProviderBody): string {
  return p.source === 'binding' ? `${p.providerId} (bound ${when(p.binding?.updatedAt)})` : `${p.providerId} (default)`;
}

/** `bind DEVICE PROVIDER`: pre-provision a device's provider, or move a known device to another one. */
export function registerBind(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('bind')
      .description("bind a device to a provider (before its first check-in, or to move it: its next session sets the new provider's PFN)")
      .argument('<deviceId>')
      .argument('<providerId>'),
  ).action(async (deviceId: string, providerId: string, flags: OperatorFlags) => {
    const r = await clientFor(flags, io).put<DeviceProviderBody>(`/api/v1/devices/${seg(deviceId)}/provider`, { providerId });
    const pfnNode = pushPaths(r.providerId).pfn;
    print(io, flags, r, () => {
      if (!r.checkedIn) return `device ${r.deviceId} bound to provider ${r.providerId}; its first session gets the PFN under ${pfnNode}\n`;
      if (!r.moved) return `device ${r.deviceId} stays with provider ${r.providerId}; nothing to re-provision\n`;
      return (
        `device ${r.deviceId} moved from provider ${r.previousProviderId ?? '-'} to ${r.providerId}; its next session sets the PFN under ${pfnNode}\n` +
        'that session comes at its next poll (or from a wake queued before the bind); until then its ChannelURI of the old PFN takes no new wakes\n'
      );
    });
  });
}
