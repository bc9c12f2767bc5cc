import type { Command } from 'commander';
import { seg } from '../api-client.js';
import { CliExit, type CliIo } from '../cli-io.js';
import { formatFields, formatTable, text, when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';

interface CommandBody {
  id: string;
  state: string;
  command: { verb: string; target?: string; commands?: unknown[] };
  attempts: number;
  status: string | null;
  statusMeaning?: string | null;
  results: Array<{ source: string; format?: string; data?: string }>;
  children?: Array<{ status: string }>;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
}

interface QueueFlags extends OperatorFlags {
  verb?: string;
  target?: string;
  data?: string;
  format?: string;
  type?: string;
  command?: string;
  addFallbackToReplace?: boolean;
  expiresAt?: string;
}

/** `queue ID …`, `command ID CMDID`, `commands ID`, `cancel ID CMDID`. */
export function registerCommandCommands(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('queue')
      .description('queue an OMA-DM command for a device (delivered at its next session; wake it to make that now)')
      .argument('<deviceId>')
      .option('--verb <verb>', 'Get | Replace | Add | Delete | Exec')
      .option('--target <locuri>', 'node URI, e.g. ./DevInfo/Mod')
      .option('--data <data>', 'Item Data')
      .option('--format <format>', 'Meta Format: chr int bool b64 xml node date time float null')
      .option('--type <type>', 'Meta Type, e.g. text/plain')
      .option('--command <json>', 'the whole command as JSON (for Atomic/Sequence), instead of --verb/--target')
      .option('--add-fallback-to-replace', 'retry an Add answered 418 as a Replace')
      .option('--expires-at <time>', 'give up if not delivered by then (ISO 8601)'),
  ).action(async (deviceId: string, flags: QueueFlags) => {
    const body = commandBody(flags);
    const accepted = await clientFor(flags, io).post<{ id: string; state: string }>(`/api/v1/devices/${seg(deviceId)}/commands`, body);
    print(io, flags, accepted, () => `queued ${accepted.id}\n  follow it with: omadm-gateway command ${deviceId} ${accepted.id}\n`);
  });

  withConnection(program.command('command').description('one queued command: state, SyncML status, results').argument('<deviceId>').argument('<commandId>')).action(
    async (deviceId: string, commandId: string, flags: OperatorFlags) => {
      const c = await clientFor(flags, io).get<CommandBody>(`/api/v1/devices/${seg(deviceId)}/commands/${seg(commandId)}`);
      print(io, flags, c, () => describeCommand(c));
    },
  );

  withConnection(program.command('commands').description('a device\'s commands, newest first').argument('<deviceId>').option('--state <state>', 'queued | sent | done | failed | expired | cancelled')).action(
    async (deviceId: string, flags: OperatorFlags & { state?: string }) => {
      const query = flags.state ? `?state=${encodeURIComponent(flags.state)}` : '';
      const page = await clientFor(flags, io).get<{ items: CommandBody[] }>(`/api/v1/devices/${seg(deviceId)}/commands${query}`);
      print(io, flags, page, () =>
        page.items.length === 0
          ? 'no commands\n'
          : formatTable(['ID', 'STATE', 'STATUS', 'VERB', 'TARGET', 'CREATED'], page.items.map((c) => [c.id, c.state, text(c.status), c.command.verb, text(c.command.target), when(c.createdAt)])),
      );
    },
  );

  withConnection(program.command('cancel').description('cancel a command that is still queued').argument('<deviceId>').argument('<commandId>')).action(
    async (deviceId: string, commandId: string, flags: OperatorFlags) => {
      const c = await clientFor(flags, io).post<CommandBody>(`/api/v1/devices/${seg(deviceId)}/commands/${seg(commandId)}/cancel`);
      print(io, flags, c, () => `cancelled ${c.id}\n`);
    },
  );
}

function commandBody(flags: QueueFlags): Record<string, unknown> {
  let body: Record<string, unknown>;
  if (flags.command !== undefined) {
    try {
      body = JSON.parse(flags.command) as Record<string, unknown>;
    } catch {
      throw new CliExit(2, '--command is not valid JSON');
    }
  } else {
    if (!flags.verb || !flags.target) throw new CliExit(2, 'give --verb and --target (or --command JSON)');
    body = {
      verb: flags.verb,
      target: flags.target,
      ...(flags.data !== undefined ? { data: flags.data } : {}),
      ...(flags.format !== undefined ? { format: flags.format } : {}),
      ...(flags.type !== undefined ? { type: flags.type } : {}),
    };
  }
  if (flags.addFallbackToReplace) body.addFallbackToReplace = true;
  if (flags.expiresAt) body.expiresAt = flags.expiresAt;
  return body;
}

function describeCommand(c: CommandBody): string {
  const out = formatFields([
    ['command', c.id],
    ['what', `${c.command.verb} ${c.command.target ?? `(${c.command.commands?.length ?? 0} commands)`}`],
    ['state', c.state],
    ['status', c.status === null ? '-' : `${c.status}${c.statusMeaning ? ` ${c.statusMeaning}` : ''}`],
    ['attempts', String(c.attempts)],
    ['created', when(c.createdAt)],
    ['sent', when(c.sentAt)],
    ['completed', when(c.completedAt)],
  ]);
  const results = c.results.map((r) => `  ${r.source} = ${text(r.data)}${r.format ? ` (${r.format})` : ''}\n`).join('');
  const children = (c.children ?? []).map((child, i) => `  child ${i + 1}: ${child.status}\n`).join('');
  return out + (results ? `results:\n${results}` : '') + (children ? `children:\n${children}` : '');
}
