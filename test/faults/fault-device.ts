/**
 * A device for the fault tests: runs whole sessions against whatever gateway process is current, keeps count of every
 * command that actually reached it (per target), and on a network error either retransmits the same message once the
 * gateway is back (what a retrying client does) or abandons the session and opens a new one later (what Windows does
 * when a session breaks).
 */
import { parseSyncML, serializeSyncML, type Command, type SyncML } from '../../src/syncml/index.js';
import { answerReply, answersFrom, deviceMessage, DEV_INFO, package1, serverCommands } from '../support/syncml-builders.js';

export interface FaultDeviceOptions {
  deviceId: string;
  /** The current gateway base URL ('' while it is down). */
  url: () => string;
  channelUri?: string;
  onError: 'retransmit' | 'abandon';
  /** Called after every answered exchange (the test's kill switch counts them). */
  onExchange?: () => void;
}

export class FaultDevice {
  /** How many times each command target reached the device (in replies it actually received). */
  readonly received = new Map<string, number>();
  sessions = 0;
  retransmissions = 0;
  abandoned = 0;
  private nextSession = 1;

  constructor(readonly o: FaultDeviceOptions) {}

  /** Runs sessions until one completes (a broken one is abandoned or retransmitted, per onError). */
  async checkIn(deadline = Date.now() + 120_000): Promise<SyncML[]> {
    for (;;) {
      const result = await this.session(deadline);
      if (result) return result;
      this.abandoned += 1;
    }
  }

  private async session(deadline: number): Promise<SyncML[] | null> {
    const sessionID = String(this.nextSession++);
    const id = this.o.deviceId;
    this.sessions += 1;
    const replies: SyncML[] = [];
    let message: SyncML = package1({ sessionID, deviceId: id, devInfo: { ...DEV_INFO, DevId: id } });
    for (let msgID = 2; msgID < 40; msgID++) {
      const reply = await this.exchange(serializeSyncML(message), deadline);
      if (reply === null) return null;
      replies.push(reply);
      for (const c of serverCommands(reply)) this.count(c);
      if (serverCommands(reply).length === 0) return replies;
      const push = serverCommands(reply)
        .flatMap((c) => ('items' in c ? c.items.map((i) => i.target?.locURI ?? '') : []))
        .find((t) => t.includes('/Push/'));
      const base = (push ?? '').replace(/\/Push\/.*$/, '/Push');
      const values: Record<string, string> = { [`${base}/Status`]: '0', ...(this.o.channelUri ? { [`${base}/ChannelURI`]: this.o.channelUri } : {}) };
      for (const c of serverCommands(reply)) {
        const target = 'items' in c ? c.items[0]?.target?.locURI : undefined;
        if (c.kind === 'Get' && target?.startsWith('./DevDetail/Ext/')) values[target] = `value of ${target}`;
      }
      message = deviceMessage({ msgID, sessionID, deviceId: id }, answerReply(reply, answersFrom(values)));
    }
    throw new Error(`${id}: session ${sessionID} did not end`);
  }

  /** One message; null when the session broke and onError is 'abandon'. */
  private async exchange(body: string, deadline: number): Promise<SyncML | null> {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`${this.o.deviceId}: no gateway answer before the deadline`);
      const url = this.o.url();
      if (url !== '') {
        try {
          const response = await fetch(`${url}/ManagementServer/MDM.svc`, {
            method: 'POST',
            headers: { 'content-type': 'application/vnd.syncml.dm+xml' },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          const text = await response.text();
          if (response.status === 200) {
            this.o.onExchange?.();
            return parseSyncML(text);
          }
          if (response.status !== 503 && response.status !== 429) throw new Error(`${this.o.deviceId}: HTTP ${response.status} ${text.slice(0, 200)}`);
        } catch (error) {
          if ((error as Error).message.startsWith(`${this.o.deviceId}:`)) throw error;
          // Connection refused / reset / aborted: the gateway went away mid-exchange.
          if (this.o.onError === 'abandon') return null;
          this.retransmissions += attempt === 0 ? 1 : 0;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private count(c: Command): void {
    if ('commands' in c) c.commands.forEach((x) => this.count(x));
    const target = 'items' in c ? c.items[0]?.target?.locURI : undefined;
    if (target) this.received.set(target, (this.received.get(target) ?? 0) + 1);
  }
}
