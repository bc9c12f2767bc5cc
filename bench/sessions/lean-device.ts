/**
 * A lean scripted Windows device for load: package 1 (Alert 1201, LoginStatus, DevInfo Replace — the simulator's own
 * builders), then it answers every server command the way a healthy DMClient does (Status 200; Results for a Get:
 * a ChannelURI, Push/Status 0, or a short value) until the server's package carries no more commands. No CSP tree,
 * no timers: the load generator's cost per message stays small and identical against the gateway and the baseline.
 */
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import type { Command, SyncML } from '../../src/syncml/model.js';
import { buildMessage, deviceHeader, package1Commands, syncHdrStatus } from '../../test/support/simulator/device-package.js';

export type PostMessage = (body: string) => Promise<Uint8Array>;

export interface SessionRun {
  messages: number;
  /** Per device message: milliseconds from sending to the whole reply read. */
  latencies: number[];
  /** performance.now() when each device message was sent. */
  sentAt: number[];
  /** The server's messages, in order (kept only when asked, to record the baseline's fixed replies). */
  replies?: string[];
}

const MAX_MESSAGES = 12;

/** Called before each device message after the first (1-based MsgID): lets a load generator hold sessions open. */
export type BeforeMessage = (msgId: number) => Promise<void>;

export async function runLeanSession(
  deviceId: string,
  sessionId: string,
  serverUrl: string,
  post: PostMessage,
  keepReplies = false,
  beforeMessage?: BeforeMessage,
): Promise<SessionRun> {
  const run: SessionRun = { messages: 0, latencies: [], sentAt: [], ...(keepReplies ? { replies: [] } : {}) };
  let outgoing: SyncML = buildMessage(
    deviceHeader({ sessionId, msgId: 1, serverUrl, deviceId }),
    package1Commands({
      trigger: '1201',
      loginStatus: 'user',
      genericAlerts: [],
      devInfo: [
        { locURI: './DevInfo/DevId', value: deviceId },
        { locURI: './DevInfo/Man', value: 'Microsoft Corporation' },
        { locURI: './DevInfo/Mod', value: 'Surface Laptop 5' },
        { locURI: './DevInfo/DmV', value: '1.3' },
        { locURI: './DevInfo/Lang', value: 'en-US' },
      ],
    }),
    true,
  );
  for (let msgId = 1; msgId <= MAX_MESSAGES; msgId += 1) {
    if (msgId > 1) await beforeMessage?.(msgId);
    const body = serializeSyncML(outgoing);
    const t0 = performance.now();
    const replyBytes = await post(body);
    run.latencies.push(performance.now() - t0);
    run.sentAt.push(t0);
    run.messages += 1;
    const reply = parseSyncML(replyBytes);
    run.replies?.push(Buffer.from(replyBytes).toString('utf8'));
    const answers = answer(reply.body.commands, reply.header.msgID, deviceId);
    const ended = answers.length === 0 && reply.body.final;
    if (ended) return run;
    const commands: Command[] = [syncHdrStatus(reply.header), ...answers];
    if (!reply.body.final) commands.push({ kind: 'Alert', cmdID: '', data: '1222', items: [] });
    outgoing = buildMessage(deviceHeader({ sessionId, msgId: msgId + 1, serverUrl, deviceId }), commands, true);
  }
  throw new Error(`session ${deviceId}/${sessionId} did not end within ${MAX_MESSAGES} messages`);
}

function answer(commands: readonly Command[], msgRef: string, deviceId: string): Command[] {
  const out: Command[] = [];
  for (const c of commands) {
    if (c.kind === 'Status' || c.kind === 'Results') continue;
    if (c.kind === 'Unknown') continue;
    if (c.kind === 'Alert' && c.data === '1223') return []; // the server ended the session
    out.push({ kind: 'Status', cmdID: '', msgRef, cmdRef: c.cmdID, cmd: c.kind, data: '200', items: [] });
    if (c.kind === 'Atomic' || c.kind === 'Sequence') {
      out.push(...answer(c.commands, msgRef, deviceId));
      continue;
    }
    if (c.kind === 'Get') {
      out.push({
        kind: 'Results',
        cmdID: '',
        msgRef,
        cmdRef: c.cmdID,
        cmd: 'Get',
        items: c.items.map((item) => {
          const path = item.target?.locURI ?? '';
          return { source: { locURI: path }, meta: { format: path.endsWith('/Status') ? 'int' : 'chr', type: 'text/plain' }, data: { kind: 'text' as const, text: valueOf(path, deviceId) } };
        }),
      });
    }
  }
  return out;
}

function valueOf(path: string, deviceId: string): string {
  if (path.endsWith('/Push/ChannelURI')) return `https://db5p.notify.windows.com/?token=AwYAAAD${encodeURIComponent(deviceId)}8sQ2rqkqMNmQxs4x9Q%2bX1ePb1Kx0CvJ7`;
  if (path.endsWith('/Push/Status')) return '0';
  if (path.endsWith('/SwV')) return '10.0.22631.3447';
  return 'bench-value';
}
