/**
 * A simulated Windows device: its CSP tree, its DMClient push channel, its poll schedule, and the DM sessions it
 * opens (1201 for check-ins, polls and channel renewals; 1200 when woken by a raw notification). One session
 * runs at a time; wakes that arrive during a session are coalesced into one 1200 session afterwards.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { StatusCode } from '../../../src/syncml/codes.js';
import type { CspTree } from './csp-tree.js';
import { buildDeviceTree, pollPath, POLL_DEFAULTS, providerRoot, pushPaths, REBOOT_NOW_PATH, type DeviceProfile } from './device-tree.js';
import { UNENROLL_ALERT, type GenericAlert } from './device-package.js';
import { runDmSession, type DmTransport, type SessionParams, type SessionReport } from './dm-session.js';
import type { ExecOutcome, ExecutorHost } from './command-executor.js';
import { resolveNodePath } from './node-path.js';
import { nextPollAt, type PollSchedule } from './poll-schedule.js';
import { PushChannel } from './push-channel.js';
import type { DeviceClock, TimerId } from './sim-clock.js';
import type { WakeNotification, WnsRegistrar } from './wns-registrar.js';

export type SessionReason = 'check-in' | 'poll' | 'wake' | 'channel-renewal' | 'unenroll-alert' | 'manual';

export interface DeviceSessionRecord extends SessionReport {
  reason: SessionReason;
  /** Simulated time the session started. */
  startedAt: Date;
  /** Wall-clock duration of the session. */
  wallMs: number;
  /** For wake sessions: wall-clock time from the raw notification to the session's first message. */
  wakeToSessionMs?: number;
}

export interface SessionExtras {
  alerts?: GenericAlert[];
  abortAfterServerMessages?: number;
}

export interface SimulatedDeviceOptions extends Partial<DeviceProfile> {
  serverUrl: string;
  transport: DmTransport;
  clock: DeviceClock;
  registrar?: WnsRegistrar;
  /** ChannelURI while no PFN is set: 'empty' = 200 with no Data ("will return null", d.1, default); 'not-found' = 404. */
  channelUriWithoutPfn?: 'empty' | 'not-found';
  sequenceOnError?: 'continue' | 'stop';
  /** Exec answers 202 (accepted, asynchronous) instead of 200 for CSP operations other than Unenroll. */
  asyncExec?: boolean;
  loginStatus?: 'user' | 'others' | 'none';
  maxMsgSize?: number;
  largeObjectChunkBytes?: number;
  /** Schedule polls from the DMClient Poll nodes on the clock (default true). */
  polling?: boolean;
  /** Wall clock in ms for latencies (default performance.now). */
  monotonic?: () => number;
  onSession?(record: DeviceSessionRecord, device: SimulatedDevice): void;
  /** Bounds how many sessions run at once across devices: every session runs inside it. */
  sessionGate?: <T>(run: () => Promise<T>) => Promise<T>;
  /** Passed through to every session (transcript capture). */
  onExchange?: SessionParams['onExchange'];
}

export class SimulatedDevice {
  readonly profile: DeviceProfile;
  readonly tree: CspTree;
  readonly push: PushChannel;
  readonly sessions: DeviceSessionRecord[] = [];
  enrolled = true;
  online = true;
  reboots = 0;

  private sessionCounter = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private wakePendingSince: number | null = null;
  private rebootPending = false;
  private pollTimer: TimerId | null = null;
  private pollAnchor: Date;
  private pollSchedule: PollSchedule | null = null;
  private readonly monotonic: () => number;

  constructor(private readonly opts: SimulatedDeviceOptions) {
    this.profile = {
      deviceId: opts.deviceId ?? randomUUID().toUpperCase(),
      providerId: opts.providerId ?? 'omadm-gateway',
      manufacturer: opts.manufacturer ?? 'Contoso',
      model: opts.model ?? 'Simulated PC',
      dmVersion: opts.dmVersion ?? '1.3',
      language: opts.language ?? 'en-US',
      swVersion: opts.swVersion ?? '10.0.22631.4317',
      deviceName: opts.deviceName ?? 'SIM-PC',
      pfnMode: opts.pfnMode ?? 'replace-creates',
      largeObjectBytes: opts.largeObjectBytes ?? 1024,
    };
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.tree = buildDeviceTree(this.profile);
    this.push = new PushChannel({
      deviceId: this.profile.deviceId,
      tree: this.tree,
      paths: pushPaths(this.profile.providerId),
      clock: opts.clock,
      ...(opts.registrar ? { registrar: opts.registrar } : {}),
      channelUriWithoutPfn: opts.channelUriWithoutPfn ?? 'empty',
      onWake: (n) => this.onWake(n),
      onRenewed: async () => {
        await this.openSession('channel-renewal');
      },
      isOnline: () => this.online,
    });
    this.pollAnchor = opts.clock.now();
    if (opts.polling ?? true) this.schedulePoll();
  }

  get deviceId(): string {
    return this.profile.deviceId;
  }

  /**
   * Opens a client-initiated session (1201) now, or after the running one. Null when offline or unenrolled.
   * `alerts` go into package 1 (e.g. generic alerts); `abortAfterServerMessages` makes the device abort with 1223.
   */
  checkIn(reason: SessionReason = 'check-in', extra: SessionExtras = {}): Promise<DeviceSessionRecord | null> {
    return this.openSession(reason, extra.alerts ?? [], extra.abortAfterServerMessages);
  }

  /** User-initiated unenrollment: a session with the 1226 userrequest alert, then the provider is removed. */
  async unenrollByUser(): Promise<DeviceSessionRecord | null> {
    const record = await this.openSession('unenroll-alert', [UNENROLL_ALERT]);
    this.removeEnrollment();
    return record;
  }

  setBatterySaver(on: boolean): void {
    this.push.setBatterySaver(on);
  }

  setOnline(on: boolean): void {
    this.online = on;
    this.push.connectionChanged();
  }

  /** Resolves when no session is running or queued. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await this.queue;
  }

  /** Cancels the device's timers (polls, renewal, expiry); its state stays readable. */
  stop(): void {
    if (this.pollTimer !== null) this.opts.clock.cancel(this.pollTimer);
    this.pollTimer = null;
    this.push.stopTimers();
  }

  private onWake(_n: WakeNotification): void {
    if (!this.enrolled) return;
    if (this.wakePendingSince !== null) return; // coalesced into the session already queued
    this.wakePendingSince = this.monotonic();
    void this.openSession('wake');
  }

  private openSession(reason: SessionReason, alerts: GenericAlert[] = [], abortAfter?: number): Promise<DeviceSessionRecord | null> {
    this.inFlight++;
    const run = this.queue.then(() => this.runSession(reason, alerts, abortAfter));
    this.queue = run.catch(() => undefined).finally(() => {
      this.inFlight--;
    });
    return run;
  }

  private async runSession(reason: SessionReason, alerts: GenericAlert[], abortAfter?: number): Promise<DeviceSessionRecord | null> {
    let wakeSince: number | null = null;
    if (reason === 'wake') {
      wakeSince = this.wakePendingSince;
      this.wakePendingSince = null;
    }
    if (!this.online || (!this.enrolled && reason !== 'unenroll-alert')) return null;
    const gate = this.opts.sessionGate ?? ((run) => run());
    return gate(() => this.runSessionNow(reason, alerts, wakeSince, abortAfter));
  }

  private async runSessionNow(reason: SessionReason, alerts: GenericAlert[], wakeSince: number | null, abortAfter?: number): Promise<DeviceSessionRecord> {
    const startedAt = this.opts.clock.now();
    const t0 = this.monotonic();
    const wakeToSessionMs = wakeSince === null ? undefined : t0 - wakeSince;
    this.sessionCounter = (this.sessionCounter % 255) + 1;
    const report = await runDmSession({
      transport: this.opts.transport,
      host: this.executorHost(),
      deviceId: this.profile.deviceId,
      serverUrl: this.opts.serverUrl,
      sessionId: String(this.sessionCounter),
      trigger: reason === 'wake' ? '1200' : '1201',
      loginStatus: this.opts.loginStatus ?? 'user',
      devInfo: ['DevId', 'Man', 'Mod', 'DmV', 'Lang'].map((n) => ({ locURI: `./DevInfo/${n}`, value: this.tree.read(`./DevInfo/${n}`) ?? '' })),
      genericAlerts: alerts,
      ...(abortAfter !== undefined ? { abortAfterServerMessages: abortAfter } : {}),
      ...(this.opts.maxMsgSize ? { maxMsgSize: this.opts.maxMsgSize } : {}),
      ...(this.opts.largeObjectChunkBytes ? { largeObjectChunkBytes: this.opts.largeObjectChunkBytes } : {}),
      ...(this.opts.onExchange ? { onExchange: this.opts.onExchange } : {}),
    });
    const record: DeviceSessionRecord = {
      ...report,
      reason,
      startedAt,
      wallMs: this.monotonic() - t0,
      ...(wakeToSessionMs !== undefined ? { wakeToSessionMs } : {}),
    };
    this.sessions.push(record);
    this.opts.onSession?.(record, this);
    await this.afterSession(record);
    return record;
  }

  private async afterSession(record: DeviceSessionRecord): Promise<void> {
    if (this.rebootPending) {
      this.rebootPending = false;
      this.reboots++;
    }
    if (record.endedBy === 'unenroll') {
      // "The server doesn't get a response for the unenrollment, instead a generic alert notification is sent"
      // in a new session; then the enrollment is gone (PROTOCOL.md "Unenrollment").
      await this.runSessionNow('unenroll-alert', [UNENROLL_ALERT], null); // already inside the session gate
      this.removeEnrollment();
      return;
    }
    if (this.enrolled && (this.opts.polling ?? true)) {
      const schedule = this.readPollSchedule();
      if (JSON.stringify(schedule) !== JSON.stringify(this.pollSchedule)) {
        this.pollAnchor = this.opts.clock.now();
        this.schedulePoll();
      }
    }
  }

  private removeEnrollment(): void {
    this.enrolled = false;
    this.stop();
    this.push.shutdown();
    this.tree.remove(providerRoot(this.profile.providerId));
  }

  private executorHost(): ExecutorHost {
    const pushKey = resolveNodePath(pushPaths(this.profile.providerId).push);
    return {
      tree: this.tree,
      sequenceOnError: this.opts.sequenceOnError ?? 'continue',
      afterCommand: () => this.push.sync(),
      noteWrite: (locURI) => {
        const p = resolveNodePath(locURI);
        if (p.ok && pushKey.ok && (p.key === pushKey.key || p.key.startsWith(`${pushKey.key}/`))) this.push.notePfnWrite();
      },
      runExec: (locURI, data) => this.runExec(locURI, data),
    };
  }

  private runExec(locURI: string, _data: string | undefined): ExecOutcome {
    const key = resolveNodePath(locURI);
    const unenroll = resolveNodePath(`${providerRoot(this.profile.providerId)}/Unenroll`);
    if (key.ok && unenroll.ok && key.key === unenroll.key) return { status: StatusCode.OK, abortSession: 'unenroll' };
    const reboot = resolveNodePath(REBOOT_NOW_PATH);
    if (key.ok && reboot.ok && key.key === reboot.key) {
      this.rebootPending = true;
      return { status: StatusCode.OK };
    }
    return { status: this.opts.asyncExec ? StatusCode.Accepted : StatusCode.OK };
  }

  private readPollSchedule(): PollSchedule {
    const num = (name: string): number => {
      const v = this.tree.read(pollPath(this.profile.providerId, name));
      const n = Number(v ?? POLL_DEFAULTS[name] ?? '0');
      return Number.isFinite(n) ? n : 0;
    };
    return {
      IntervalForFirstSetOfRetries: num('IntervalForFirstSetOfRetries'),
      NumberOfFirstRetries: num('NumberOfFirstRetries'),
      IntervalForSecondSetOfRetries: num('IntervalForSecondSetOfRetries'),
      NumberOfSecondRetries: num('NumberOfSecondRetries'),
      IntervalForRemainingScheduledRetries: num('IntervalForRemainingScheduledRetries'),
      NumberOfRemainingScheduledRetries: num('NumberOfRemainingScheduledRetries'),
    };
  }

  private schedulePoll(): void {
    if (this.pollTimer !== null) this.opts.clock.cancel(this.pollTimer);
    this.pollSchedule = this.readPollSchedule();
    const at = nextPollAt(this.pollSchedule, this.pollAnchor, this.opts.clock.now());
    this.pollTimer = this.opts.clock.schedule(
      at,
      async () => {
        this.pollTimer = null;
        await this.openSession('poll');
        if (this.enrolled && this.pollTimer === null) this.schedulePoll();
      },
      `poll ${this.profile.deviceId}`,
    );
  }
}
