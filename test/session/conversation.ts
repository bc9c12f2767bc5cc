/**
 * A device talking to the pure session engine, message by message: the session state is threaded through, and the
 * effects are applied to a small in-memory picture of the device and its queue (what the store would do), so a test
 * reads like the conversation it checks. Every reply is also checked against the transcript rule checker
 * (src/transcript/check-reply-rules.ts): send() throws on a broken rule, and finish() reports the Final rule, which
 * needs the device's next message. A test names the rules it deliberately departs from in skipRules.
 */
import { jsonCopy } from '../../src/session/engine-data.js';
import { handleMessage, type EngineOptions, type SessionOutput } from '../../src/session/engine.js';
import type { PollSchedule } from '../../src/csp/poll-schedule.js';
import type { CommandOutcome, CommandSpec, CommandState, DeviceRecord, QueuedCommand, SessionEffect, SessionState } from '../../src/session/ports.js';
import type { Command, SyncML } from '../../src/syncml/model.js';
import { checkReplyRules, RULE_IDS, type RuleViolation } from '../../src/transcript/check-reply-rules.js';
import { DEVICE_ID, SERVER_URI } from '../support/syncml-builders.js';

export const PROVIDER_ID = 'omadm-gateway';
export const PFN = 'Contoso.MDMPush_8wekyb3d8bbwe';
export const PUSH = `./Vendor/MSFT/DMClient/Provider/${PROVIDER_ID}/Push`;
export const PFN_PATH = `${PUSH}/PFN`;
export const CHANNEL_PATH = `${PUSH}/ChannelURI`;
export const STATUS_PATH = `${PUSH}/Status`;
export const CHANNEL = 'https://db5p.notify.windows.com/?token=AwYAAAB%2bQ';

/** Deterministic sizes: bytes of the JSON form of a command. */
export const jsonMeasure = (command: Command): number => JSON.stringify(command).length;

export interface ConversationOptions {
  pfn?: string | null;
  /** The provider's DMClient Poll schedule (default none). */
  pollSchedule?: PollSchedule | null;
  device?: Partial<DeviceRecord> | null;
  engine?: Partial<EngineOptions>;
  now?: Date;
  /** Rules of checkReplyRules this conversation deliberately departs from. */
  skipRules?: string[];
}

export interface QueueEntry extends QueuedCommand {
  outcome?: CommandOutcome;
  sentAs?: { msgID: string; cmdID: string };
}

export class Conversation {
  now: Date;
  session: SessionState | null = null;
  device: DeviceRecord | null;
  pfn: string | null;
  pollSchedule: PollSchedule | null;
  readonly queue: QueueEntry[] = [];
  readonly effects: SessionEffect[] = [];
  readonly violations: Array<RuleViolation & { msgID: string }> = [];
  channel: string | null | undefined;
  pushStatus: number | undefined;
  private seq = 0;
  private lastReply: SyncML | null = null;
  private lastDevice: SyncML | null = null;

  constructor(private readonly options: ConversationOptions = {}) {
    this.now = options.now ?? new Date('2025-03-01T10:00:00Z');
    this.pfn = options.pfn === undefined ? PFN : options.pfn;
    this.pollSchedule = options.pollSchedule ?? null;
    this.device =
      options.device === null || options.device === undefined
        ? null
        : {
            deviceId: DEVICE_ID,
            providerId: PROVIDER_ID,
            devInfo: {},
            enrollmentState: 'enrolled',
            provisionedPfn: null,
            firstSeenAt: this.now,
            lastSeenAt: this.now,
            ...options.device,
          };
  }

  get engineOptions(): EngineOptions {
    return { serverURI: SERVER_URI, measure: jsonMeasure, ...this.options.engine };
  }

  enqueue(spec: CommandSpec, extra: Partial<QueuedCommand> = {}): string {
    const id = `cmd-${++this.seq}`;
    this.queue.push({ id, deviceId: DEVICE_ID, spec, state: 'queued', attempts: 0, createdAt: this.now, expiresAt: null, addFallbackToReplace: false, ...extra });
    return id;
  }

  command(id: string): QueueEntry {
    const found = this.queue.find((c) => c.id === id);
    if (!found) throw new Error(`no command ${id}`);
    return found;
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  /** One device message → the engine → state and effects applied. */
  send(message: SyncML): SessionOutput {
    this.checkPrevious(message);
    const output = handleMessage(
      {
        now: this.now,
        device: this.device,
        session: this.session,
        provider: { providerId: PROVIDER_ID, pfn: this.pfn, ...(this.pollSchedule ? { pollSchedule: jsonCopy(this.pollSchedule) } : {}) },
        pending: this.queue.filter((c) => c.state === 'queued').map(({ outcome: _o, sentAs: _s, ...c }) => ({ ...c, spec: jsonCopy(c.spec) })),
      },
      jsonCopy(message),
      this.engineOptions,
    );
    this.session = JSON.parse(JSON.stringify(output.session)) as SessionState;
    for (const effect of output.effects) this.apply(effect);
    this.effects.push(...output.effects);
    this.lastDevice = message;
    this.lastReply = output.reply;
    // Every rule but Final can be judged now (Final may depend on the device's next message: see checkPrevious).
    const now = checkReplyRules(message, output.reply, { skip: ['final', ...(this.options.skipRules ?? [])] });
    if (now.length > 0) throw new Error(`reply MsgID ${output.reply.header.msgID} breaks protocol rules: ${JSON.stringify(now)}`);
    return output;
  }

  /** Runs the rule check on the last exchange (called with the next device message, or by finish()). */
  private checkPrevious(next: SyncML | undefined): void {
    if (!this.lastDevice || !this.lastReply) return;
    const found = checkReplyRules(this.lastDevice, this.lastReply, {
      ...(next && next.header.sessionID === this.lastDevice.header.sessionID ? { nextDeviceMessage: next } : {}),
      skip: RULE_IDS.filter((r) => r !== 'final' || this.options.skipRules?.includes(r)),
    });
    this.violations.push(...found.map((v) => ({ ...v, msgID: this.lastReply?.header.msgID ?? '?' })));
  }

  /** Checks the last exchange too; returns every rule violation seen. */
  finish(): Array<RuleViolation & { msgID: string }> {
    this.checkPrevious(undefined);
    this.lastDevice = null;
    return this.violations;
  }

  private apply(effect: SessionEffect): void {
    switch (effect.type) {
      case 'device.seen':
        this.device ??= {
          deviceId: effect.deviceId,
          providerId: PROVIDER_ID,
          devInfo: {},
          enrollmentState: 'enrolled',
          provisionedPfn: null,
          firstSeenAt: effect.at,
          lastSeenAt: effect.at,
        };
        if (Object.keys(effect.devInfo).length > 0) this.device.devInfo = effect.devInfo;
        this.device.lastSeenAt = effect.at;
        return;
      case 'device.unenrolled':
        if (this.device) this.device.enrollmentState = 'unenrolled';
        return;
      case 'push.pfnProvisioned':
        if (this.device) this.device.provisionedPfn = effect.pfn;
        return;
      case 'push.pfnRejected':
        if (this.device) this.device.provisionedPfn = null;
        return;
      case 'push.pollProvisioned':
        if (this.device) this.device.provisionedPollHash = effect.pollHash;
        return;
      case 'push.pollRejected':
        if (this.device && effect.deviceState === 'unknown') this.device.provisionedPollHash = null;
        return;
      case 'push.channelReported':
        this.channel = effect.channelUri;
        return;
      case 'push.statusReported':
        this.pushStatus = effect.pushStatus;
        return;
      case 'command.sent': {
        const c = this.command(effect.commandId);
        c.state = 'sent';
        c.attempts += 1;
        c.sentAs = { msgID: effect.msgID, cmdID: effect.cmdID };
        return;
      }
      case 'command.completed': {
        const c = this.command(effect.commandId);
        c.state = effect.state;
        c.outcome = effect.outcome;
        return;
      }
      case 'command.requeued': {
        const c = this.command(effect.commandId);
        if (c.state === 'sent') c.state = 'queued' as CommandState;
        return;
      }
      case 'command.respecified':
        this.command(effect.commandId).spec = effect.spec;
        return;
      case 'alert.received':
      case 'session.serverInitiated':
        return;
    }
  }

  effectsOf<T extends SessionEffect['type']>(type: T): Array<Extract<SessionEffect, { type: T }>> {
    return this.effects.filter((e): e is Extract<SessionEffect, { type: T }> => e.type === type);
  }
}
