/**
 * The DMClient Push side of a simulated device (PROTOCOL.md d.1, f):
 * - PFN set → register with WNS (`WnsRegistrar`) → ChannelURI, Push/Status 0. Registration happens while the
 *   session runs, right after the command that wrote the PFN, so a Get of ChannelURI later in the same package
 *   sees the new channel.
 * - No PFN → ChannelURI "null" (the node answers 200 with no Data, or 404 when `channelUriWithoutPfn` is
 *   'not-found'), Push/Status 4 "no Channel URI assigned".
 * - Registration refused → Status 1 (invalid PFN), 2 (MSA auth), 3 (revoked PFN); unavailable → stays 4, retried.
 * - Renewal 15 days after issue (new ChannelURI, then a session); when renewal cannot run (offline) it is retried
 *   4 hours later, 1 day later once past the 15-day mark (the 1511/1607 retry logic, without the ±jitter).
 * - 30 days after issue without renewal → Status 5 "Channel URI has expired" (the stale URI is still reported).
 * - The same PFN written again while the channel is not healthy (Status ≠ 0) re-registers: that is how a server
 *   recovers after WNS 410 (PUSH-2017 workaround).
 * - Battery saver on → Status 7 at once (the brief's choice; Windows sets it when a wake arrives and is dropped)
 *   and raw notifications are not acted upon; off → the status is recomputed.
 */
import type { CspTree } from './csp-tree.js';
import { DAY, HOUR, type DeviceClock, type TimerId } from './sim-clock.js';
import { WnsRegistrationError, type WakeNotification, type WnsRegistrar } from './wns-registrar.js';

export const PushStatus = {
  Success: 0,
  InvalidPfn: 1,
  MsaAuth: 2,
  RevokedPfn: 3,
  NoChannel: 4,
  Expired: 5,
  PowerOrConnectivity: 7,
} as const;

export interface PushChannelDeps {
  deviceId: string;
  tree: CspTree;
  paths: { push: string; pfn: string; channelUri: string; status: string };
  clock: DeviceClock;
  registrar?: WnsRegistrar;
  channelUriWithoutPfn: 'empty' | 'not-found';
  /** A raw notification the device should act on (not during battery saver). */
  onWake(n: WakeNotification): void;
  /** Channel renewed: the device opens a session. */
  onRenewed(): Promise<void>;
  isOnline(): boolean;
}

export interface ChannelState {
  pfn: string | null;
  channelUri: string | null;
  issuedAt: Date | null;
  expiresAt: Date | null;
  status: number;
  batterySaver: boolean;
}

const CHANNEL_LIFETIME = 30 * DAY;
const RENEW_AFTER = 15 * DAY;

export class PushChannel {
  private pfn: string | null = null;
  private channelUri: string | null = null;
  private issuedAt: Date | null = null;
  private expiresAt: Date | null = null;
  private failure: number | null = null;
  private batterySaver = false;
  private pfnTouched = false;
  private renewTimer: TimerId | null = null;
  private expiryTimer: TimerId | null = null;
  registrations = 0;
  renewals = 0;
  wakesReceived = 0;
  wakesIgnored = 0;

  constructor(private readonly deps: PushChannelDeps) {
    this.publish();
  }

  state(): ChannelState {
    return {
      pfn: this.pfn,
      channelUri: this.channelUri,
      issuedAt: this.issuedAt,
      expiresAt: this.expiresAt,
      status: this.status(),
      batterySaver: this.batterySaver,
    };
  }

  /** The server wrote (Add/Replace/Delete) somewhere under Push; the next `sync` looks at the PFN. */
  notePfnWrite(): void {
    this.pfnTouched = true;
  }

  /** Brings the channel in line with the PFN in the tree (after each server command). */
  async sync(): Promise<void> {
    const value = this.deps.tree.read(this.deps.paths.pfn);
    const pfn = value ? value : null;
    const touched = this.pfnTouched;
    this.pfnTouched = false;
    if (pfn === null) {
      if (this.pfn !== null) this.drop();
      return;
    }
    const healthy = this.channelUri !== null && this.status() === PushStatus.Success;
    if (pfn !== this.pfn || (touched && !healthy && !this.batterySaver)) await this.register(pfn, false);
  }

  setBatterySaver(on: boolean): void {
    this.batterySaver = on;
    this.connectionChanged();
    this.publish();
  }

  /** Tells the registrar whether the device's WNS connection is up (battery saver or offline take it down). */
  connectionChanged(): void {
    if (this.channelUri) this.deps.registrar?.setConnected?.(this.channelUri, !this.batterySaver && this.deps.isOnline());
  }

  /** Device-side removal (unenrollment): release and forget the channel, cancel timers. */
  shutdown(): void {
    this.drop();
  }

  /** Stops renewal and expiry timers; the channel state is kept (end of a simulation run). */
  stopTimers(): void {
    this.cancelTimers();
  }

  private async register(pfn: string, renewal: boolean): Promise<void> {
    this.pfn = pfn;
    const registrar = this.deps.registrar;
    if (!registrar) {
      this.failure = PushStatus.NoChannel;
      this.publish();
      return;
    }
    try {
      const reg = await registrar.register({ deviceId: this.deps.deviceId, pfn }, (n) => this.wake(n));
      const now = this.deps.clock.now();
      this.retireOldChannel();
      this.registrations++;
      if (renewal) this.renewals++;
      this.channelUri = reg.channelUri;
      this.issuedAt = now;
      this.expiresAt = reg.expiresAt ?? new Date(now.getTime() + CHANNEL_LIFETIME);
      this.failure = null;
      this.connectionChanged();
      this.scheduleRenewal(new Date(now.getTime() + RENEW_AFTER));
      this.scheduleExpiry(this.expiresAt);
    } catch (err) {
      if (!(err instanceof WnsRegistrationError)) throw err;
      this.failure = failureStatus(err);
      if (!renewal) {
        this.channelUri = null;
        this.issuedAt = null;
        this.expiresAt = null;
        this.cancelTimers();
      }
      if (err.reason === 'unavailable') this.scheduleRenewal(this.retryAt());
    }
    this.publish();
  }

  /** A superseded channel stays deliverable until its own expiry, then WNS answers 410 for it. */
  private retireOldChannel(): void {
    const uri = this.channelUri;
    const expires = this.expiresAt;
    if (!uri || !expires) return;
    const registrar = this.deps.registrar;
    this.deps.clock.schedule(expires, () => registrar?.expire?.(uri), `expire old channel ${this.deps.deviceId}`);
  }

  private wake(n: WakeNotification): void {
    this.wakesReceived++;
    if (this.batterySaver || !this.deps.isOnline()) {
      this.wakesIgnored++;
      return;
    }
    this.deps.onWake(n);
  }

  private async renew(): Promise<void> {
    this.renewTimer = null;
    if (this.pfn === null) return;
    if (!this.deps.isOnline()) {
      this.scheduleRenewal(this.retryAt());
      return;
    }
    const before = this.channelUri;
    await this.register(this.pfn, true);
    if (this.channelUri !== null && this.channelUri !== before && this.failure === null) await this.deps.onRenewed();
  }

  /** 1511 retry logic: > 15 days left → at the 15-day mark; otherwise 4 hours; past expiry → 1 day. */
  private retryAt(): Date {
    const now = this.deps.clock.now().getTime();
    const expires = this.expiresAt?.getTime();
    if (expires !== undefined && expires - now > RENEW_AFTER) return new Date(expires - RENEW_AFTER);
    if (expires !== undefined && expires <= now) return new Date(now + DAY);
    return new Date(now + 4 * HOUR);
  }

  private scheduleRenewal(at: Date): void {
    if (this.renewTimer !== null) this.deps.clock.cancel(this.renewTimer);
    this.renewTimer = this.deps.clock.schedule(at, () => this.renew(), `renew ${this.deps.deviceId}`);
  }

  private scheduleExpiry(at: Date): void {
    if (this.expiryTimer !== null) this.deps.clock.cancel(this.expiryTimer);
    this.expiryTimer = this.deps.clock.schedule(
      at,
      () => {
        this.expiryTimer = null;
        if (this.channelUri) this.deps.registrar?.expire?.(this.channelUri);
        this.publish();
      },
      `expire ${this.deps.deviceId}`,
    );
  }

  private cancelTimers(): void {
    if (this.renewTimer !== null) this.deps.clock.cancel(this.renewTimer);
    if (this.expiryTimer !== null) this.deps.clock.cancel(this.expiryTimer);
    this.renewTimer = null;
    this.expiryTimer = null;
  }

  private drop(): void {
    if (this.channelUri) void this.deps.registrar?.release?.(this.channelUri);
    this.pfn = null;
    this.channelUri = null;
    this.issuedAt = null;
    this.expiresAt = null;
    this.failure = null;
    this.cancelTimers();
    this.publish();
  }

  private status(): number {
    if (this.pfn === null) return PushStatus.NoChannel;
    if (this.failure !== null && this.failure !== PushStatus.NoChannel) return this.failure;
    if (this.channelUri === null) return PushStatus.NoChannel;
    if (this.expiresAt && this.deps.clock.now().getTime() >= this.expiresAt.getTime()) return PushStatus.Expired;
    if (this.batterySaver) return PushStatus.PowerOrConnectivity;
    return PushStatus.Success;
  }

  /** Writes ChannelURI and Status into the tree, where the server reads them. */
  private publish(): void {
    const { tree, paths } = this.deps;
    if (!tree.exists(paths.push)) return;
    if (this.channelUri === null && this.deps.channelUriWithoutPfn === 'not-found') tree.remove(paths.channelUri);
    else {
      if (!tree.exists(paths.channelUri)) tree.define(paths.channelUri, { format: 'chr', access: ['Get'], value: null });
      tree.write(paths.channelUri, this.channelUri);
    }
    if (tree.exists(paths.status)) tree.write(paths.status, String(this.status()));
  }
}

function failureStatus(err: WnsRegistrationError): number {
  switch (err.reason) {
    case 'invalid-pfn':
      return PushStatus.InvalidPfn;
    case 'msa-auth':
      return PushStatus.MsaAuth;
    case 'revoked-pfn':
      return PushStatus.RevokedPfn;
    case 'unavailable':
      return PushStatus.NoChannel;
  }
}
