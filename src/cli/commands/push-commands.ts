import type { Command } from 'commander';
import { seg } from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import { formatTable, text, when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';

/** `wake ID` and `pushes ID`. */
export function registerPushCommands(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('wake')
      .description('wake a device through WNS so it opens a session now')
      .argument('<deviceId>')
      .option('--ttl <seconds>', 'X-WNS-TTL: drop the notification after this many seconds')
      .option('--no-cache', 'do not let WNS cache the notification for an offline device'),
  ).action(async (deviceId: string, flags: OperatorFlags & { ttl?: string; cache: boolean }) => {
    const body = { ...(flags.ttl !== undefined ? { ttlSeconds: Number(flags.ttl) } : {}), ...(flags.cache ? {} : { cache: false }) };
    const r = await clientFor(flags, io).post<{ wakeId: string; state: string; coalesced: boolean }>(`/api/v1/devices/${seg(deviceId)}/push`, body);
    print(io, flags, r, () =>
      r.coalesced ? `a wake is already outstanding (${r.wakeId}, ${r.state}); not sending another\n` : `wake ${r.wakeId} accepted (${r.state})\n`,
    );
  });

  withConnection(program.command('pushes').description('a device\'s wakes and WNS answers, newest first').argument('<deviceId>')).action(
    async (deviceId: string, flags: OperatorFlags) => {
      const page = await clientFor(flags, io).get<{
        items: Array<{ wakeId: string; state: string; requestedAt: string; sentAt: string | null; latencyMs: number | null; outcome: string | null; attempts: Array<{ httpStatus: number | null }> }>;
      }>(`/api/v1/devices/${seg(deviceId)}/pushes`);
      print(io, flags, page, () =>
        page.items.length === 0
          ? 'no wakes\n'
          : formatTable(
              ['WAKE', 'STATE', 'REQUESTED', 'SENT', 'LATENCY', 'OUTCOME', 'WNS'],
              page.items.map((w) => [w.wakeId, w.state, when(w.requestedAt), when(w.sentAt), w.latencyMs === null ? '-' : `${w.latencyMs} ms`, text(w.outcome), w.attempts.map((a) => text(a.httpStatus)).join(',') || '-']),
            ),
      );
    },
  );
}
