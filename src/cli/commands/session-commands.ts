import type { Command } from 'commander';
import { seg } from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import { formatTable, text, when } from '../format-table.js';
import { clientFor, print, withConnection, type OperatorFlags } from '../operator-command.js';

interface ExchangedBody {
  encoding: 'utf8' | 'base64';
  body: string;
  bytes: number;
  /** WBXML: a readable XML rendering (null with xmlError when it cannot be rendered). */
  xml?: string | null;
  xmlError?: string;
}

/** `sessions ID` and `messages ID SESSIONID` (the raw SyncML in and out). */
export function registerSessionCommands(program: Command, io: CliIo): void {
  withConnection(program.command('sessions').description('a device\'s management sessions, newest first').argument('<deviceId>')).action(
    async (deviceId: string, flags: OperatorFlags) => {
      const page = await clientFor(flags, io).get<{ items: Array<{ sessionId: string; trigger: string | null; startedAt: string; updatedAt: string; ended: boolean }> }>(
        `/api/v1/devices/${seg(deviceId)}/sessions`,
      );
      print(io, flags, page, () =>
        page.items.length === 0
          ? 'no sessions\n'
          : formatTable(['SESSION', 'TRIGGER', 'STARTED', 'LAST MESSAGE', 'ENDED'], page.items.map((s) => [s.sessionId, text(s.trigger), when(s.startedAt), when(s.updatedAt), s.ended ? 'yes' : 'no'])),
      );
    },
  );

  withConnection(program.command('messages').description('the raw SyncML of a session, in order').argument('<deviceId>').argument('<sessionId>')).action(
    async (deviceId: string, sessionId: string, flags: OperatorFlags) => {
      const page = await clientFor(flags, io).get<{ items: Array<{ msgId: string; at: string; contentType: string; request: ExchangedBody; reply: ExchangedBody }> }>(
        `/api/v1/devices/${seg(deviceId)}/sessions/${seg(sessionId)}/messages?limit=500`,
      );
      print(io, flags, page, () =>
        page.items.length === 0
          ? 'no stored messages for this session\n'
          : page.items
              .map((m) => `── device → server  MsgID ${m.msgId}  ${when(m.at)}  ${m.contentType}\n${show(m.request)}\n── server → device\n${show(m.reply)}\n`)
              .join('\n'),
      );
    },
  );
}

function show(body: ExchangedBody): string {
  if (body.encoding === 'utf8') return body.body.trimEnd();
  if (typeof body.xml === 'string') return `(${body.bytes} bytes of WBXML, shown as XML; --json has the bytes)\n${body.xml}`;
  return `(${body.bytes} bytes, base64${body.xmlError ? `; not renderable as XML: ${body.xmlError}` : ''}) ${body.body}`;
}
