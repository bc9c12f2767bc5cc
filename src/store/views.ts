/**
 * Domain types for the operator side of the store (what the API and push read). Not rows (see entities/) and not API
 * bodies (http/ maps these to JSON). Session-side domain types live in src/session/ports.ts.
 */
import type { CommandOutcome, CommandSpec, CommandState, DeviceRecord, QueuedCommand } from '../session/ports.js';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  /** Default 50, at most 500. */
  limit?: number;
  cursor?: string | null;
}

// ── providers ────────────────────────────────────────────────────────────────────────────────────────────────────────

export type WnsAuthFlow = 'classic' | 'entra';

export interface WnsSettingsInput {
  /** Default 'classic' (login.live.com with the package SID); 'entra' needs `tenant`. */
  auth?: WnsAuthFlow;
  clientId: string;
  /** Omitted on an update: keep the stored secret. */
  clientSecret?: string;
  tenant?: string | null;
  /** Overrides the token endpoint for this provider. */
  tokenUrl?: string | null;
}

export interface ProviderInput {
  pfn: string | null;
  /** null or omitted: the provider has no WNS credentials (devices get the PFN but cannot be woken). */
  wns?: WnsSettingsInput | null;
  /** Poll schedule to provision through DMClient Poll nodes (opaque to the store). */
  pollSchedule?: unknown;
}

/** A provider as operators see it: secrets masked. */
export interface ProviderDetails {
  providerId: string;
  pfn: string | null;
  wns: { auth: WnsAuthFlow; clientId: string; clientSecretSet: boolean; tenant: string | null; tokenUrl: string | null } | null;
  pollSchedule: unknown;
  /** Set by push when WNS refuses the credentials (e.g. "403 credentials do not match PFN"). */
  problem: string | null;
  problemAt: Date | null;
  /** Push sends for this provider are paused until then. */
  pausedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The decrypted credentials; only push asks for these (getProviderCredentials). */
export interface ProviderCredentials {
  providerId: string;
  pfn: string | null;
  auth: WnsAuthFlow;
  clientId: string;
  clientSecret: string;
  tenant: string | null;
  tokenUrl: string | null;
}

// ── devices and channels ─────────────────────────────────────────────────────────────────────────────────────────────

export type ChannelState = 'active' | 'superseded' | 'gone' | 'invalid';

export interface ChannelView {
  id: string;
  deviceId: string;
  channelUri: string;
  firstReportedAt: Date;
  lastReportedAt: Date;
  /** first report + 30 days (PROTOCOL.md f: "only valid for 30 days"). */
  expiresAt: Date;
  state: ChannelState;
  stateReason: string | null;
  stateAt: Date | null;
}

/**
 * Push reachability from the newest reported channel: 'active' usable; 'expired' past its 30 days; 'gone' WNS said 410;
 * 'invalid' WNS said 404 or the policy refused it; 'none' never reported, the device reported none, or its channel
 * was superseded when it moved to another provider (device-binding.ts).
 */
export type PushState = 'active' | 'expired' | 'gone' | 'invalid' | 'none';

export interface DevicePush {
  state: PushState;
  /** PFN the device confirmed holding. */
  provisionedPfn: string | null;
  /** The provider's current PFN (null when the provider has none configured). */
  providerPfn: string | null;
  /** The newest reported channel (null when none was ever reported). */
  channel: ChannelView | null;
  /** DMClient Push/Status as last read (PROTOCOL.md d.1), with when. */
  status: number | null;
  statusAt: Date | null;
}

export interface DeviceDetails extends DeviceRecord {
  lastSessionId: string | null;
  /** The session of the device's newest committed message (read in the same statement as the device). */
  lastSession: SessionSummary | null;
  pendingCommands: number;
  push: DevicePush;
}

export interface DeviceFilter extends PageRequest {
  providerId?: string;
  lastSeenAfter?: Date;
  lastSeenBefore?: Date;
  pushState?: PushState | PushState[];
  /** Only devices with at least one queued command (e.g. for a bulk wake). */
  hasPendingCommands?: boolean;
}

/**
 * Which provider a device belongs to (DESIGN.md: enrollment record, else a per-device binding, else DEFAULT_PROVIDER_ID).
 * `providerId` is the one its next session uses: the device record's once it checked in, before that the binding's.
 */
export interface DeviceProviderView {
  deviceId: string;
  providerId: string;
  /** 'binding': an operator binding chose it; 'default': DEFAULT_PROVIDER_ID as it was at the device's first check-in. */
  source: 'binding' | 'default';
  binding: { providerId: string; createdAt: Date; updatedAt: Date } | null;
  /** The device has checked in (false: pre-provisioned by a binding only). */
  checkedIn: boolean;
}

export interface DeviceBindingResult {
  view: DeviceProviderView;
  /** No binding existed for the device before. */
  created: boolean;
  /**
   * A known device changed provider: its provisioned PFN, confirmed Poll schedule and Push/Status were forgotten and its
   * active channel superseded, so its next session sets the new provider's PFN under the new Provider/{ProviderID}.
   */
  moved: boolean;
  /** The device record's provider before (else the previous binding's); null when neither existed. */
  previousProviderId: string | null;
}

// ── commands ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface EnqueueOptions {
  /** After this the command is not sent any more and becomes 'expired'. */
  expiresAt?: Date | null;
  addFallbackToReplace?: boolean;
}

export interface CommandView extends QueuedCommand {
  seq: number;
  /** The MsgID/CmdID/SessionID it last went out with (null while queued). */
  msgID: string | null;
  cmdID: string | null;
  sessionId: string | null;
  /** Status code the device returned (top level). */
  status: string | null;
  outcome: CommandOutcome | null;
  sentAt: Date | null;
  completedAt: Date | null;
}

export interface CommandFilter extends PageRequest {
  state?: CommandState | CommandState[];
}

// ── sessions, messages, alerts ───────────────────────────────────────────────────────────────────────────────────────

export interface SessionSummary {
  deviceId: string;
  sessionId: string;
  trigger: string | null;
  ended: boolean;
  version: number;
  startedAt: Date;
  updatedAt: Date;
}

export interface StoredMessage {
  id: string;
  deviceId: string;
  sessionId: string;
  msgID: string;
  contentType: string;
  at: Date;
  request: Uint8Array;
  reply: Uint8Array;
}

export interface AlertView {
  id: string;
  deviceId: string;
  sessionId: string;
  alert: string;
  alertType: string | null;
  format: string | null;
  mark: string | null;
  source: string | null;
  data: string | null;
  receivedAt: Date;
}

export interface AlertFilter extends PageRequest {
  deviceId?: string;
  alert?: string;
  alertType?: string;
}

// ── wakes and push attempts ──────────────────────────────────────────────────────────────────────────────────────────

export type WakeState = 'pending' | 'sending' | 'sent' | 'woke' | 'expired' | 'failed';

export interface WakeView {
  id: string;
  deviceId: string;
  providerId: string;
  channelUri: string;
  state: WakeState;
  requestedAt: Date;
  ttlSeconds: number | null;
  cache: boolean;
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimedUntil: Date | null;
  sentAt: Date | null;
  wokeAt: Date | null;
  latencyMs: number | null;
  outcome: string | null;
  reason: string | null;
  /** How many later requests were folded into this one while it was outstanding. */
  coalesced: number;
}

export interface WakeRequest {
  deviceId: string;
  ttlSeconds?: number | null;
  /** X-WNS-Cache-Policy: cache (default true). */
  cache?: boolean;
  /** Request time (default: the store clock). */
  at?: Date;
}

export interface PushAttemptInput {
  wakeId: string | null;
  deviceId: string;
  at: Date;
  httpStatus: number | null;
  outcome: string;
  wnsStatus?: string | null;
  deviceConnectionStatus?: string | null;
  msgId?: string | null;
  debugTrace?: string | null;
  errorDescription?: string | null;
  durationMs: number;
}

export interface PushAttemptView extends Required<PushAttemptInput> {
  id: string;
}

/** A wake with the WNS attempts recorded for it (newest first). */
export interface WakeHistory extends WakeView {
  pushAttempts: PushAttemptView[];
}

export type { CommandOutcome, CommandSpec, CommandState };
