/**
 * `WnsRegistrar` over the fake WNS server (test/support/fake-wns.ts): registering creates a channel on the fake
 * (a real URI the gateway POSTs to), the fake's wake events are routed to the device that holds the channel, and
 * the device's view of the channel is mirrored onto the fake: battery saver / offline → 'disconnected' (the fake
 * then caches or drops wakes like WNS), expiry on the device's clock → 410, release → 404.
 */
import type { FakeWns, FakeWake } from '../fake-wns.js';
import { WnsRegistrationError, type WakeNotification, type WnsRegistrar, type WnsRegistration, type WnsRegistrationFailure } from './wns-registrar.js';

export interface FakeWnsRegistrarOptions {
  /** Client id of the WNS credentials that own each PFN's channels (403 for any other sender). */
  pfnOwners?: Record<string, string>;
  /** PFNs WNS refuses to register, and why. */
  refusedPfns?: Record<string, WnsRegistrationFailure>;
}

export interface FakeWnsRegistrar extends WnsRegistrar {
  /** Channel id (the path on the fake) of a channel URI. */
  channelIdOf(channelUri: string): string;
  /** Wakes the fake delivered, by channel id. */
  readonly delivered: FakeWake[];
  /** Stops routing wakes. */
  detach(): void;
}

export function fakeWnsRegistrar(fake: FakeWns, options: FakeWnsRegistrarOptions = {}): FakeWnsRegistrar {
  const holders = new Map<string, (n: WakeNotification) => void>();
  const delivered: FakeWake[] = [];
  let counter = 0;
  const channelIdOf = (uri: string): string => new URL(uri).pathname.slice(1);
  const detach = fake.onWake((wake) => {
    delivered.push(wake);
    const onWake = holders.get(wake.channelId);
    onWake?.({ channelUri: fake.channelUri(wake.channelId), payload: wake.payload.toString('utf8') });
  });

  return {
    delivered,
    channelIdOf,
    detach: () => {
      detach();
    },
    async register(req, onWake): Promise<WnsRegistration> {
      const refusal = options.refusedPfns?.[req.pfn];
      if (refusal) throw new WnsRegistrationError(refusal);
      const channelId = `${req.deviceId.replace(/[^A-Za-z0-9._~-]/g, '_').slice(0, 120)}-${++counter}`;
      const owner = options.pfnOwners?.[req.pfn];
      fake.setupChannel(channelId, { state: 'active', device: 'connected', ...(owner ? { ownerClientId: owner } : {}) });
      holders.set(channelId, onWake);
      return { channelUri: fake.channelUri(channelId) };
    },
    release(channelUri) {
      const id = channelIdOf(channelUri);
      holders.delete(id);
      fake.setupChannel(id, { state: 'invalid' });
    },
    expire(channelUri) {
      fake.setupChannel(channelIdOf(channelUri), { state: 'expired' });
    },
    setConnected(channelUri, connected) {
      fake.setDevice(channelIdOf(channelUri), connected ? 'connected' : 'disconnected');
    },
  };
}
