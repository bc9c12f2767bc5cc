/**
 * One OMA-DM session as the Windows DMClient runs it (PROTOCOL.md a.3, a.5, a.6):
 * package 1 → server reply → device answers (SyncHdr Status first, then a Status per command in order, Results
 * for Gets) → … until the server's package holds no management commands: the device's answer would then be
 * only a SyncHdr Status, which "MUST NOT be sent" (MS-MDM §2.2.6.1), and the session ends.
 * - A server message without Final is part of a multi-message package: the device answers with its Statuses and
 *   Alert 1222, and no Final (a device MUST NOT close its package before the server closed its own).
 * - Large Results go out in MoreData chunks, one chunk per message, no Final until the last chunk; the server's
 *   interim "Next Message" replies (213 + Alert 1222, no Final) are answered with the next chunk.
 * - Server Alert 1223 ends the session with no reply; the device can abort with its own 1223 (+ Final).
 * - Exec of DMClient Unenroll aborts the session at once, with no reply.
 * The transport is injected: the HTTP one uses the team's codec; tests can script the server at model level.
 */
import type { Command, SyncML } from '../../../src/syncml/model.js';
import { AlertCode } from '../../../src/syncml/codes.js';
import { executeServerMessage, type ExecutedCommand, type ExecutorHost } from './command-executor.js';
import { BREAK, buildMessage, chunkResults, deviceHeader, package1Commands, syncHdrStatus, type OutboxEntry, type Package1Input } from './device-package.js';
import { checkServerReply } from './reply-check.js';

export interface DmTransport {
  /** Sends one device message to `url` and returns the server's reply. */
  exchange(message: SyncML, url: string): Promise<SyncML>;
}

export type SessionEnd = 'completed' | 'server-abort' | 'device-abort' | 'unenroll' | 'auth-failed' | 'error' | 'too-many-messages';

export interface SessionReport {
  sessionId: string;
  trigger: '1200' | '1201';
  messagesSent: number;
  endedBy: SessionEnd;
  error?: string;
  /** Every server command the device executed, with the status it returned. */
  executed: ExecutedCommand[];
  /** Statuses the server returned for the device's commands (CmdRef, Cmd, code). */
  serverStatuses: { msgRef: string; cmdRef: string; cmd: string; data: string }[];
  /** Protocol rules the server broke (see reply-check.ts). */
  violations: string[];
  /** Largest number of chunks one large object took. */
  largeObjectChunks: number;
}

export interface SessionParams extends Package1Input {
  transport: DmTransport;
  host: ExecutorHost;
  deviceId: string;
  serverUrl: string;
  sessionId: string;
  /** MaxMsgSize the device declares in its SyncHdr Meta (limits what the server sends). */
  maxMsgSize?: number;
  /** Bytes of object data per chunk; default from the server's MaxMsgSize, else 64 KiB. */
  largeObjectChunkBytes?: number;
  /** Send Alert 1223 instead of the answer to the n-th server message (1-based). */
  abortAfterServerMessages?: number;
  /** Guard against a server that never ends the session. */
  maxMessages?: number;
  /** Observer for every exchange (transcript capture, tests). */
  onExchange?(sent: SyncML, received: SyncML): void;
}

const DEFAULT_CHUNK = 64 * 1024;
/** Room left in a message for the header, Statuses and the chunk's own markup. */
const MESSAGE_OVERHEAD = 2048;

export async function runDmSession(p: SessionParams): Promise<SessionReport> {
  const report: SessionReport = {
    sessionId: p.sessionId,
    trigger: p.trigger,
    messagesSent: 0,
    endedBy: 'completed',
    executed: [],
    serverStatuses: [],
    violations: [],
    largeObjectChunks: 0,
  };
  const maxMessages = p.maxMessages ?? 100;
  let url = p.serverUrl;
  let msgId = 1;
  let serverMsgs = 0;
  let chunkBytes = p.largeObjectChunkBytes ?? DEFAULT_CHUNK;
  let outbox: OutboxEntry[] = package1Commands(p);
  let toSend = takeMessage(outbox);
  outbox = toSend.rest;
  let final = outbox.length === 0;
  let aborting = false;

  try {
    for (;;) {
      if (report.messagesSent >= maxMessages) {
        report.endedBy = 'too-many-messages';
        return report;
      }
      const header = deviceHeader({ sessionId: p.sessionId, msgId, serverUrl: p.serverUrl, deviceId: p.deviceId, ...(p.maxMsgSize ? { maxMsgSize: p.maxMsgSize } : {}) });
      const sent = buildMessage(header, toSend.commands, final);
      const reply = await p.transport.exchange(sent, url);
      report.messagesSent++;
      msgId++;
      serverMsgs++;
      p.onExchange?.(sent, reply);
      report.violations.push(...checkServerReply(sent, reply, serverMsgs));
      for (const c of reply.body.commands) {
        if (c.kind === 'Status') report.serverStatuses.push({ msgRef: c.msgRef ?? '1', cmdRef: c.cmdRef, cmd: c.cmd, data: c.data });
      }
      if (aborting) {
        report.endedBy = 'device-abort';
        return report;
      }
      const hdrStatus = reply.body.commands.find((c) => c.kind === 'Status' && c.cmdRef === '0');
      if (hdrStatus?.kind === 'Status' && (hdrStatus.data === '401' || hdrStatus.data === '407')) {
        report.endedBy = 'auth-failed';
        return report;
      }
      if (reply.header.respURI) url = reply.header.respURI;
      const serverMax = reply.header.meta?.maxMsgSize;
      if (serverMax && !p.largeObjectChunkBytes) chunkBytes = Math.max(256, serverMax - MESSAGE_OVERHEAD);

      // The device is in the middle of its own package when its last message left chunks in the outbox; the
      // server's message is then a "Next Message" response, not a package of its own.
      const deviceMidPackage = outbox.length > 0;
      const ex = await executeServerMessage(reply, p.host);
      report.executed.push(...ex.executed);
      if (ex.abort) {
        report.endedBy = ex.abort;
        return report;
      }

      const answers: Command[] = [syncHdrStatus(reply.header)];
      if (p.abortAfterServerMessages !== undefined && serverMsgs >= p.abortAfterServerMessages) {
        answers.push({ kind: 'Alert', cmdID: '', data: AlertCode.SessionAbort, items: [] });
        toSend = { commands: answers, rest: [] };
        final = true;
        aborting = true;
        continue;
      }
      const chunked = chunkResults(ex.replies, chunkBytes);
      report.largeObjectChunks = Math.max(report.largeObjectChunks, countChunks(chunked));
      outbox = [...chunked, ...outbox];
      const next = takeMessage(outbox);
      outbox = next.rest;
      const serverPackageOpen = !reply.body.final && !deviceMidPackage;
      if (serverPackageOpen) {
        toSend = { commands: [...answers, ...next.commands, { kind: 'Alert', cmdID: '', data: AlertCode.NextMessage, items: [] }], rest: [] };
        final = false;
        continue;
      }
      if (next.commands.length === 0 && outbox.length === 0 && !deviceMidPackage) return report; // only a SyncHdr Status: not sent
      toSend = { commands: [...answers, ...next.commands], rest: [] };
      final = outbox.length === 0;
    }
  } catch (err) {
    report.endedBy = 'error';
    report.error = err instanceof Error ? err.message : String(err);
    return report;
  }
}

/** Takes commands up to the first message boundary. */
function takeMessage(outbox: OutboxEntry[]): { commands: Command[]; rest: OutboxEntry[] } {
  const i = outbox.indexOf(BREAK);
  if (i < 0) return { commands: outbox as Command[], rest: [] };
  return { commands: outbox.slice(0, i) as Command[], rest: outbox.slice(i + 1) };
}

function countChunks(entries: OutboxEntry[]): number {
  const breaks = entries.filter((e) => e === BREAK).length;
  return breaks > 0 ? breaks + 1 : 0;
}
