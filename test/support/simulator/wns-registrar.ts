/**
 * How a simulated device gets a WNS channel and hears raw notifications. The simulator depends on this narrow
 * interface only; `InMemoryWnsRegistrar` serves unit tests, and an adapter over test/support/fake-wns.ts serves
 * end-to-end runs (the gateway POSTs to the channel URI; the fake tells the registrar; the device wakes).
 */

export interface WnsRegistration {
  channelUri: string;
  /** When WNS says the channel expires; the device assumes 30 days after issue when absent (PROTOCOL.md e.7). */
  expiresAt?: Date;
}

export interface WakeNotification {
  channelUri: string;
  payload?: string;
}

export interface WnsRegistrar {
  /**
   * Opens the device's WNS connection for `pfn` and returns a channel. The registrar calls `onWake` for every raw
   * notification delivered to that channel until `release` (older channels stay deliverable until they expire).
   */
  register(req: { deviceId: string; pfn: string }, onWake: (n: WakeNotification) => void): Promise<WnsRegistration>;
  release?(channelUri: string): Promise<void> | void;
  /** The channel reached its expiry on the device's clock: WNS now answers 410 for it. */
  expire?(channelUri: string): void;
  /** The device's WNS connection went down (battery saver, offline) or came back. */
  setConnected?(channelUri: string, connected: boolean): void;
}

/** Why WNS refused to register, mapped to Push/Status by the device (PROTOCOL.md d.1). */
export type WnsRegistrationFailure = 'invalid-pfn' | 'msa-auth' | 'revoked-pfn' | 'unavailable';

export class WnsRegistrationError extends Error {
  constructor(
    readonly reason: WnsRegistrationFailure,
    options?: { cause?: unknown },
  ) {
    super(`WNS registration failed: ${reason}`, options);
    this.name = 'WnsRegistrationError';
  }
}

/** A registrar with no network: channel URIs under https://sim.notify.windows.com, wakes delivered by `deliver`. */
export class InMemoryWnsRegistrar implements WnsRegistrar {
  private readonly channels = new Map<string, { deviceId: string; pfn: string; onWake: (n: WakeNotification) => void }>();
  private readonly refused = new Map<string, WnsRegistrationFailure>();
  private counter = 0;
  registrations = 0;

  constructor(private readonly host = 'sim.notify.windows.com') {}

  async register(req: { deviceId: string; pfn: string }, onWake: (n: WakeNotification) => void): Promise<WnsRegistration> {
    const refusal = this.refused.get(req.pfn);
    if (refusal) throw new WnsRegistrationError(refusal);
    this.registrations++;
    const channelUri = `https://${this.host}/?token=${encodeURIComponent(req.deviceId)}-${++this.counter}`;
    this.channels.set(channelUri, { ...req, onWake });
    return { channelUri };
  }

  release(channelUri: string): void {
    this.channels.delete(channelUri);
  }

  expire(channelUri: string): void {
    this.channels.delete(channelUri);
  }

  /** Makes every later registration with `pfn` fail. */
  refuse(pfn: string, reason: WnsRegistrationFailure): void {
    this.refused.set(pfn, reason);
  }

  accept(pfn: string): void {
    this.refused.delete(pfn);
  }

  /** Delivers a raw notification; false when nobody holds the channel. */
  deliver(channelUri: string, payload = ''): boolean {
    const ch = this.channels.get(channelUri);
    if (!ch) return false;
    ch.onWake({ channelUri, payload });
    return true;
  }

  channelsOf(deviceId: string): string[] {
    return [...this.channels].filter(([, c]) => c.deviceId === deviceId).map(([uri]) => uri);
  }
}
