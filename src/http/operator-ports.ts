/**
 * What the operator API needs from the rest of the gateway: narrow slices of the store's role interfaces
 * (src/store/roles.ts) and of the push dispatcher. The composition root passes the real ones in.
 */
import type { PushDispatcher } from '../push/dispatcher.js';
import type { CommandQueue, DeviceDirectory, ProviderDirectory, WakeQueue } from '../store/roles.js';

export interface ReadinessCheck {
  ok: boolean;
  durationMs?: number;
  detail?: string;
}

export interface ReadinessProbe {
  /** Database reachable, migrations applied. Must not throw. */
  check(): Promise<{ database: ReadinessCheck; migrations: ReadinessCheck }>;
}

export interface OperatorPorts {
  providers: Pick<ProviderDirectory, 'upsertProvider' | 'getProvider'>;
  devices: Pick<DeviceDirectory, 'getDevice' | 'listDevices' | 'bindDevice' | 'getDeviceProvider' | 'listSessions' | 'getSession' | 'listMessages'>;
  commands: CommandQueue;
  wakes: Pick<WakeQueue, 'listWakeHistory'>;
  push: Pick<PushDispatcher, 'requestWake' | 'requestWakes'>;
  readiness: ReadinessProbe;
}
