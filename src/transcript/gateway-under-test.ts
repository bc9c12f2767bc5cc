/**
 * What the replay runner needs from a gateway: where to POST SyncML, a way to apply the transcript's setup,
 * a read-out of the stored state, and shutdown. The in-process implementation (start-in-process-gateway.ts)
 * builds it on the app's composition root over a fresh embedded database.
 */
import type { CommandSpec, ResultItem } from '../session/ports.js';
import type { DeviceBinding, ProviderSetup } from './transcript.js';

export interface GatewayStartOptions {
  /** The replay clock; the gateway must read time only from it. */
  clock: () => Date;
  defaultProviderId?: string;
  /**
   * The server URI the transcript's device talks to (its SyncHdr Target, without a query string): the gateway
   * should use it as the Source of its replies (a.2: server → device swaps Target and Source).
   */
  serverUri: string;
}

export interface SeedRequest {
  providers?: Array<Omit<ProviderSetup, 'beforeMessage'>>;
  devices?: DeviceBinding[];
  commands?: Array<{ deviceId: string; spec: CommandSpec; addFallbackToReplace?: boolean }>;
}

export interface SeedResult {
  /** Ids of the queued commands, in the order of `commands`. */
  commandIds: string[];
}

export interface DeviceSnapshot {
  deviceId: string;
  providerId: string;
  enrollmentState: string;
  provisionedPfn: string | null;
  devInfo: Record<string, string>;
  pushStatus: number | null;
  /** The active ChannelURI, null when there is none. */
  channelUri: string | null;
  /** The device's confirmed Poll schedule is its provider's current one (absent: the gateway does not say). */
  pollProvisioned?: boolean;
}

export interface CommandSnapshot {
  id: string;
  deviceId: string;
  state: string;
  status: string | null;
  results: ResultItem[];
  /** Atomic/Sequence: child statuses in order. */
  children?: string[];
}

export interface AlertSnapshot {
  deviceId: string;
  sessionId: string;
  alert: string;
  alertType?: string | null;
  format?: string | null;
  mark?: string | null;
  source?: string | null;
  data?: string | null;
}

export interface ChannelSnapshot {
  deviceId: string;
  channelUri: string;
  state: string;
}

export interface StateSnapshot {
  devices: DeviceSnapshot[];
  commands: CommandSnapshot[];
  /** In the order received. */
  alerts: AlertSnapshot[];
  channels: ChannelSnapshot[];
}

export interface GatewayUnderTest {
  /** Full URL of the SyncML endpoint. */
  url: string;
  seed(request: SeedRequest): Promise<SeedResult>;
  inspect(): Promise<StateSnapshot>;
  /**
   * Time has passed on the replay clock: run, once, what the gateway otherwise runs on a timer (housekeeping:
   * expiring commands, requeueing commands whose session went away). Called before each device message.
   */
  tick?(): Promise<void>;
  close(): Promise<void>;
}

export type StartGateway = (options: GatewayStartOptions) => Promise<GatewayUnderTest>;
