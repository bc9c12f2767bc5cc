/**
 * A model-level stand-in for the gateway's session behaviour, used to test the simulated device before (and
 * independently of) the real gateway: every session it runs the push plan (Replace PFN when the device is not
 * known to hold it, Add after a 404, Get ChannelURI and Push/Status) and any commands queued for the device; it
 * forgets the provisioned PFN when the device reports Push/Status 1-3, 5 or 6. Per device, keyed by SyncHdr Source.
 */
import type { Alert, Command, Status, SyncML } from '../../src/syncml/model.js';
import { pushPaths } from '../support/simulator/device-tree.js';
import type { DmTransport } from '../support/simulator/dm-session.js';
import { add, get, replace, serverMessage } from '../support/simulator/scripted-server.js';

export interface ObservedSession {
  deviceId: string;
  sessionId: string;
  trigger: string;
  channelUri?: string | null;
  pushStatus?: number;
  pfnStatus?: string;
  alerts: Alert[];
  statuses: Status[];
}

interface DeviceState {
  provisioned: boolean;
  queued: Command[];
  msgId: number;
  pending: Map<string, string>;
  channelUri: string | null;
}

const push = pushPaths('omadm-gateway');

export class MiniGateway implements DmTransport {
  pfn: string | null;
  readonly sessions: ObservedSession[] = [];
  private readonly devices = new Map<string, DeviceState>();

  constructor(pfn: string | null) {
    this.pfn = pfn;
  }

  state(deviceId: string): DeviceState {
    let s = this.devices.get(deviceId);
    if (!s) {
      s = { provisioned: false, queued: [], msgId: 0, pending: new Map(), channelUri: null };
      this.devices.set(deviceId, s);
    }
    return s;
  }

  /** Commands for the device's next session. */
  queue(deviceId: string, ...commands: Command[]): void {
    this.state(deviceId).queued.push(...commands);
  }

  channelOf(deviceId: string): string | null {
    return this.state(deviceId).channelUri;
  }

  async exchange(m: SyncML): Promise<SyncML> {
    const deviceId = m.header.source.locURI;
    const st = this.state(deviceId);
    const first = m.body.commands[0];
    if (first?.kind === 'Alert' && (first.data === '1200' || first.data === '1201')) {
      st.msgId = 0;
      this.sessions.push({ deviceId, sessionId: m.header.sessionID, trigger: first.data, alerts: m.body.commands.filter((c): c is Alert => c.kind === 'Alert'), statuses: [] });
      const cmds: Command[] = [];
      if (this.pfn && !st.provisioned) cmds.push(replace(push.pfn, this.pfn));
      cmds.push(get(push.channelUri), get(push.status), ...st.queued.splice(0));
      return this.reply(m, st, cmds);
    }
    const s = [...this.sessions].reverse().find((x) => x.deviceId === deviceId)!;
    const followUp: Command[] = [];
    for (const c of m.body.commands) {
      if (c.kind === 'Status') {
        s.statuses.push(c);
        const what = st.pending.get(c.cmdRef);
        if (what?.endsWith('/PFN')) {
          s.pfnStatus = c.data;
          if (c.data === '200') st.provisioned = true;
          if (c.data === '404' && what.startsWith('Replace') && this.pfn) followUp.push(add(push.pfn, this.pfn), get(push.channelUri), get(push.status));
        }
        if (what === `Get ${push.channelUri}` && c.data === '404') s.channelUri = null;
      }
      if (c.kind === 'Results') {
        const item = c.items[0]!;
        const text = item.data?.kind === 'text' ? item.data.text : null;
        if (item.source?.locURI === push.channelUri) {
          s.channelUri = text;
          st.channelUri = text;
        }
        if (item.source?.locURI === push.status) {
          s.pushStatus = Number(text);
          if (s.pushStatus >= 1 && s.pushStatus <= 6 && s.pushStatus !== 4) st.provisioned = false;
        }
      }
    }
    return this.reply(m, st, followUp);
  }

  private reply(m: SyncML, st: DeviceState, commands: Command[]): SyncML {
    const reply = serverMessage(m, ++st.msgId, { commands });
    st.pending = new Map(
      reply.body.commands.flatMap((c) => (c.kind === 'Replace' || c.kind === 'Add' || c.kind === 'Get' ? [[c.cmdID, `${c.kind} ${c.items[0]?.target?.locURI ?? ''}`] as const] : [])),
    );
    return reply;
  }
}
