/**
 * The store's narrow role interfaces: each consumer asks only for what it uses (the engine: SessionPorts; the API: the
 * directories and the command queue; push: channels, credentials and the wake queue). createStore returns all of them.
 */
import type { CommandSpec, SessionPorts } from '../session/ports.js';
import type { ChannelRef } from './channel-repository.js';
import type { WakeOutcome, WakePageRequest } from './wake-request.js';
import type { WakeResult, WakeSettled, WakeSettlement, WakeSettleItem, WakeSettleOutcome } from './wake-settlement.js';
import type {
  AlertFilter,
  AlertView,
  ChannelView,
  CommandFilter,
  CommandView,
  DeviceBindingResult,
  DeviceDetails,
  DeviceFilter,
  DeviceProviderView,
  EnqueueOptions,
  Page,
  PageRequest,
  ProviderCredentials,
  ProviderDetails,
  ProviderInput,
  PushAttemptInput,
  PushAttemptView,
  SessionSummary,
  StoredMessage,
  WakeHistory,
  WakeRequest,
  WakeView,
} from './views.js';

export type { WakeOutcome, WakePageRequest };
export type { ChannelRef, WakeResult, WakeSettled, WakeSettlement, WakeSettleItem, WakeSettleOutcome };

export interface CommandQueue {
  /** Throws UnknownDeviceError for a device that never checked in. */
  enqueueCommand(deviceId: string, spec: CommandSpec, options?: EnqueueOptions): Promise<CommandView>;
  getCommand(deviceId: string, commandId: string): Promise<CommandView | null>;
  /** Newest first. */
  listCommands(deviceId: string, filter?: CommandFilter): Promise<Page<CommandView>>;
  /** Only while queued: throws CommandNotFoundError or CommandNotCancellableError. */
  cancelCommand(deviceId: string, commandId: string): Promise<CommandView>;
}

export interface ProviderDirectory {
  putProvider(providerId: string, input: ProviderInput): Promise<ProviderDetails>;
  /** putProvider saying whether it created the provider; one transaction (existence, upsert, read back). */
  upsertProvider(providerId: string, input: ProviderInput): Promise<{ provider: ProviderDetails; created: boolean }>;
  /** Secrets masked. */
  getProvider(providerId: string): Promise<ProviderDetails | null>;
  listProviders(): Promise<ProviderDetails[]>;
}

export interface DeviceDirectory {
  getDevice(deviceId: string): Promise<DeviceDetails | null>;
  listDevices(filter?: DeviceFilter): Promise<Page<DeviceDetails>>;
  /**
   * Works for a device that has not checked in yet (its first session then uses this provider); a known device moved
   * to another provider is provisioned anew at its next session (device-binding.ts). Does not check that the provider
   * exists (the API does).
   */
  bindDevice(deviceId: string, providerId: string): Promise<DeviceBindingResult>;
  /** The device's provider and binding; null when it never checked in and has no binding. */
  getDeviceProvider(deviceId: string): Promise<DeviceProviderView | null>;
  /** Newest first. */
  listSessions(deviceId: string, page?: PageRequest): Promise<Page<SessionSummary>>;
  /** One session of the device, or null (also for an unknown device). */
  getSession(deviceId: string, sessionId: string): Promise<SessionSummary | null>;
  /** Oldest first: the raw SyncML in and out. */
  listMessages(deviceId: string, sessionId: string, page?: PageRequest): Promise<Page<StoredMessage>>;
  /** Newest first. */
  listAlerts(filter?: AlertFilter): Promise<Page<AlertView>>;
  /** Newest first. */
  listChannels(deviceId: string): Promise<ChannelView[]>;
}

/** What push reads and records. */
export interface PushStore {
  /** Decrypted WNS credentials; null when the provider is unknown or has none. */
  getProviderCredentials(providerId: string): Promise<ProviderCredentials | null>;
  recordProviderProblem(providerId: string, problem: string, options?: { pausedUntil?: Date | null; at?: Date }): Promise<boolean>;
  clearProviderProblem(providerId: string): Promise<boolean>;
  /** Active and unexpired, else null. */
  activeChannel(deviceId: string, now?: Date): Promise<ChannelView | null>;
  markChannel(ref: ChannelRef, state: 'gone' | 'invalid', reason: string, at?: Date): Promise<boolean>;
}

export interface WakeQueue {
  /** Throws UnknownDeviceError or NoUsableChannelError; coalesces into an outstanding wake. */
  requestWake(request: WakeRequest): Promise<{ wake: WakeView; coalesced: boolean }>;
  /**
   * requestWake for a fan-out page (at most MAX_WAKE_PAGE ids, wake-request.ts) in ONE transaction, set-based: one
   * outcome per listed id, in order, each what requestWake would have answered (a refusal is an outcome, not a throw).
   */
  requestWakes(request: WakePageRequest & { at?: Date }): Promise<WakeOutcome[]>;
  claimWakes(claim: { workerId: string; limit: number; leaseMs: number; now?: Date }): Promise<WakeView[]>;
  markWakeSent(wakeId: string, result: { sentAt: Date; outcome: string; workerId?: string }): Promise<boolean>;
  /** `attempted`: whether a request reached (or tried to reach) the channel; only then is one of the bounded attempts used. */
  rescheduleWake(
    wakeId: string,
    retry: { nextAttemptAt: Date; outcome: string; reason?: string | null; attempted: boolean; workerId?: string },
  ): Promise<boolean>;
  failWake(wakeId: string, failure: { outcome: string; reason: string; attempted?: boolean; workerId?: string }): Promise<boolean>;
  /**
   * What the dispatcher writes after processing a claimed wake, in ONE transaction: its push attempts, the channel and
   * provider consequences, and the wake's new state. `changed` is false when the wake is no longer this worker's (the
   * attempts, channel and provider changes are still recorded: the requests happened).
   */
  settleWake(wakeId: string, settlement: WakeSettlement): Promise<WakeSettled>;
  /**
   * Many settlements in ONE transaction (group commit), each item with the result settleWake would give it had they
   * been settled one after another in this order. Never rejects: when the batch fails (after one retry of a lost lock
   * race) each item is settled alone, and an item that fails alone gets `{ error }` while the others are settled.
   */
  settleWakes(items: readonly WakeSettleItem[]): Promise<WakeSettleOutcome[]>;
  /** Sent wakes whose TTL or hold window passed without a session, unsent ones past requested_at + min(TTL, max age) → expired. */
  expireWakes(now?: Date): Promise<number>;
  getWake(wakeId: string): Promise<WakeView | null>;
  listWakes(deviceId: string, page?: PageRequest): Promise<Page<WakeView>>;
  /** Newest first, each wake with every attempt recorded for it: the page and its attempts (by wake id) in one read. */
  listWakeHistory(deviceId: string, page?: PageRequest): Promise<Page<WakeHistory>>;
  recordPushAttempt(attempt: PushAttemptInput): Promise<void>;
  listPushAttempts(deviceId: string, page?: PageRequest): Promise<Page<PushAttemptView>>;
}

export interface Housekeeping {
  /** Queued/sent commands past their expiry → expired. */
  expireCommands(now?: Date): Promise<number>;
  /** Sent commands whose session never answered since `olderThan` → queued again. */
  requeueStaleSent(olderThan: Date): Promise<number>;
  /** Readiness: throws when the database is unreachable. */
  ping(): Promise<void>;
  /** Readiness: true when the database lacks a migration this build knows. */
  hasPendingMigrations(): Promise<boolean>;
  close(): Promise<void>;
}

export type Store = SessionPorts & CommandQueue & ProviderDirectory & DeviceDirectory & PushStore & WakeQueue & Housekeeping;
