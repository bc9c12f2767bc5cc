/**
 * Store views → API bodies (schemas/api). Wire types, rows and API bodies stay separate types (DESIGN house style);
 * this is the one place that maps the operator-side domain types to JSON.
 */
import { pushStatusMeaning } from '../../csp/index.js';
import type { CommandOutcome } from '../../session/ports.js';
import type {
  CommandView,
  DeviceDetails,
  DeviceProviderView,
  ProviderDetails,
  PushAttemptView,
  SessionSummary,
  StoredMessage,
  WakeHistory,
} from '../../store/views.js';
import { statusMeaning } from '../../syncml/codes.js';
import { isWbxmlContentType, renderWbxmlAsXml } from './wbxml-rendering.js';

export function providerBody(p: ProviderDetails) {
  return {
    providerId: p.providerId,
    pfn: p.pfn,
    wns: p.wns && { auth: p.wns.auth, clientId: p.wns.clientId, clientSecretSet: p.wns.clientSecretSet, tenant: p.wns.tenant, tokenUrl: p.wns.tokenUrl },
    pollSchedule: p.pollSchedule ?? null,
    problem: p.problem,
    problemAt: p.problemAt,
    pausedUntil: p.pausedUntil,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function deviceBody(d: DeviceDetails) {
  const { push } = d;
  const channel = push.channel;
  return {
    deviceId: d.deviceId,
    providerId: d.providerId,
    enrollmentState: d.enrollmentState,
    devInfo: d.devInfo,
    firstSeenAt: d.firstSeenAt,
    lastSeenAt: d.lastSeenAt,
    lastSession: d.lastSession && sessionBody(d.lastSession),
    pendingCommands: d.pendingCommands,
    push: {
      state: push.state,
      usable: push.state === 'active',
      pfnProvisioned: push.provisionedPfn !== null && push.provisionedPfn === push.providerPfn,
      provisionedPfn: push.provisionedPfn,
      providerPfn: push.providerPfn,
      channelUri: channel?.channelUri ?? null,
      channelFirstReportedAt: channel?.firstReportedAt ?? null,
      channelReportedAt: channel?.lastReportedAt ?? null,
      channelExpiresAt: channel?.expiresAt ?? null,
      status: push.status,
      statusMeaning: push.status === null ? null : pushStatusMeaning(push.status),
      statusReportedAt: push.statusAt,
    },
  };
}

export function deviceProviderBody(v: DeviceProviderView) {
  return { deviceId: v.deviceId, providerId: v.providerId, source: v.source, binding: v.binding, checkedIn: v.checkedIn };
}

export function sessionBody(s: SessionSummary) {
  return { sessionId: s.sessionId, trigger: s.trigger, startedAt: s.startedAt, updatedAt: s.updatedAt, ended: s.ended };
}

export function commandBody(c: CommandView) {
  return {
    id: c.id,
    deviceId: c.deviceId,
    state: c.state,
    command: c.spec,
    addFallbackToReplace: c.addFallbackToReplace,
    attempts: c.attempts,
    status: c.status,
    statusMeaning: c.status === null ? null : (statusMeaning[c.status] ?? null),
    results: c.outcome?.results ?? [],
    ...(c.outcome?.children ? { children: c.outcome.children.map(outcomeBody) } : {}),
    msgId: c.msgID,
    cmdId: c.cmdID,
    sessionId: c.sessionId,
    createdAt: c.createdAt,
    sentAt: c.sentAt,
    completedAt: c.completedAt,
    expiresAt: c.expiresAt,
  };
}

function outcomeBody(o: CommandOutcome): Record<string, unknown> {
  return { status: o.status, results: o.results, ...(o.children ? { children: o.children.map(outcomeBody) } : {}) };
}

export function messageBody(m: StoredMessage) {
  return { msgId: m.msgID, at: m.at, contentType: m.contentType, request: exchangedBody(m.request, m.contentType), reply: exchangedBody(m.reply, m.contentType) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * XML as text when it is valid UTF-8; WBXML and anything else as base64 of the original bytes. WBXML also gets `xml`,
 * a readable rendering (decode → serializeSyncML; null with `xmlError` when it cannot be rendered).
 */
function exchangedBody(bytes: Uint8Array, contentType: string) {
  if (isWbxmlContentType(contentType)) {
    return { encoding: 'base64' as const, body: Buffer.from(bytes).toString('base64'), bytes: bytes.byteLength, ...renderWbxmlAsXml(bytes) };
  }
  if (/xml/i.test(contentType) && !/wbxml/i.test(contentType)) {
    try {
      return { encoding: 'utf8' as const, body: utf8.decode(bytes), bytes: bytes.byteLength };
    } catch {
      // not UTF-8: fall through to base64
    }
  }
  return { encoding: 'base64' as const, body: Buffer.from(bytes).toString('base64'), bytes: bytes.byteLength };
}

export function wakeBody(w: WakeHistory) {
  return {
    wakeId: w.id,
    deviceId: w.deviceId,
    providerId: w.providerId,
    channelUri: w.channelUri,
    state: w.state,
    requestedAt: w.requestedAt,
    ttlSeconds: w.ttlSeconds,
    cache: w.cache,
    attemptCount: w.attempts,
    nextAttemptAt: w.nextAttemptAt,
    sentAt: w.sentAt,
    wokeAt: w.wokeAt,
    latencyMs: w.latencyMs,
    outcome: w.outcome,
    reason: w.reason,
    coalesced: w.coalesced,
    attempts: w.pushAttempts.map(attemptBody),
  };
}

function attemptBody(a: PushAttemptView) {
  return {
    at: a.at,
    httpStatus: a.httpStatus,
    outcome: a.outcome,
    wnsStatus: a.wnsStatus,
    deviceConnectionStatus: a.deviceConnectionStatus,
    msgId: a.msgId,
    debugTrace: a.debugTrace,
    errorDescription: a.errorDescription,
    durationMs: a.durationMs,
  };
}
