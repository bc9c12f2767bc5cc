/**
 * Replays a transcript against a fresh gateway: applies the setup, sends each device message over real HTTP,
 * compares each reply with the recorded server message (strict) and checks the protocol rules (always), then
 * checks the expectations on stored state. The gateway, the codec and the HTTP client are passed in.
 */
import type { SyncML } from '../syncml/model.js';
import { CONTENT_TYPE_WBXML, CONTENT_TYPE_XML } from '../syncml/model.js';
import { checkCommandPatterns } from './check-command-patterns.js';
import { checkExpectations } from './check-expectations.js';
import { checkReplyRules } from './check-reply-rules.js';
import { diffSyncML, formatDifference } from './diff-syncml.js';
import type { GatewayUnderTest, StartGateway } from './gateway-under-test.js';
import { describeCommand, matchCommands } from './match-commands.js';
import { parseDuration } from './parse-duration.js';
import { ReferenceMap } from './reference-map.js';
import type { ExchangeReport, ReplayReport } from './replay-report.js';
import type { Transcript, TranscriptMessage } from './transcript.js';

export interface ReplayCodec {
  parse(input: Uint8Array | string): SyncML;
  serialize(message: SyncML): string;
  /** Needed for transcripts whose encoding is wbxml. */
  wbxml?: { decode(bytes: Uint8Array): SyncML; encode(message: SyncML): Uint8Array };
}

/** One encoding on the wire: its content type, and how a message goes out and a reply comes back. */
interface Wire {
  encoding: Transcript['encoding'];
  contentType: string;
  encode(message: SyncML): Uint8Array;
  decode(bytes: Uint8Array): SyncML;
}

function wireFor(t: Transcript, codec: ReplayCodec): Wire {
  if (t.encoding === 'wbxml') {
    const wbxml = codec.wbxml;
    if (!wbxml) throw new Error('this transcript is WBXML, and the replay was given no WBXML codec');
    return { encoding: 'wbxml', contentType: CONTENT_TYPE_WBXML, encode: (m) => wbxml.encode(m), decode: (b) => wbxml.decode(b) };
  }
  return { encoding: 'xml', contentType: CONTENT_TYPE_XML, encode: (m) => Buffer.from(codec.serialize(m), 'utf8'), decode: (b) => codec.parse(b) };
}

export interface ReplayDeps {
  startGateway: StartGateway;
  codec: ReplayCodec;
  fetch?: typeof fetch;
}

export const DEFAULT_CLOCK_START = '2025-01-06T09:00:00Z';
const USER_AGENT = 'MSFT OMA DM Client/1.2.0.1'; // MS-MDM §2.1 Note 2

interface SessionTrack {
  sessionId: string;
  lastDeviceMsgID: number;
  lastReplyMsgID: number;
}

export async function replayTranscript(t: Transcript, deps: ReplayDeps): Promise<ReplayReport> {
  const report: ReplayReport = {
    file: t.name,
    ...(t.header.purpose ? { purpose: t.header.purpose } : {}),
    mode: t.mode,
    ok: false,
    exchanges: [],
    expectationFailures: [],
  };
  const setup = t.header.setup ?? {};
  let now = Date.parse(setup.clock?.start ?? DEFAULT_CLOCK_START);
  const step = parseDuration(setup.clock?.step ?? '1s');
  const advance = setup.clock?.advance ?? {};
  const deviceMessages = t.messages.filter((m) => m.side === 'device');
  const defaultDeviceId = deviceMessages[0]?.syncml.header.source.locURI ?? '';
  const doFetch = deps.fetch ?? fetch;

  let gateway: GatewayUnderTest | null = null;
  try {
    const wire = wireFor(t, deps.codec);
    gateway = await deps.startGateway({
      clock: () => new Date(now),
      serverUri: t.serverUri.replace(/[?#].*$/, ''),
      ...(setup.defaultProviderId ? { defaultProviderId: setup.defaultProviderId } : {}),
    });
    const commandIds = new Map<string, string>();
    const queue = async (atMessage: number): Promise<void> => {
      const providers = (setup.providers ?? []).filter((p) => (p.beforeMessage ?? 1) === atMessage && atMessage > 1);
      if (providers.length) await (gateway as GatewayUnderTest).seed({ providers: providers.map(({ beforeMessage: _, ...p }) => p) });
      const due = (setup.commands ?? []).filter((c) => (c.beforeMessage ?? 1) === atMessage);
      if (!due.length) return;
      const seeded = await (gateway as GatewayUnderTest).seed({
        commands: due.map((c) => ({
          deviceId: c.deviceId ?? defaultDeviceId,
          spec: c.spec,
          ...(c.addFallbackToReplace !== undefined ? { addFallbackToReplace: c.addFallbackToReplace } : {}),
        })),
      });
      due.forEach((c, k) => {
        const id = seeded.commandIds[k];
        if (id !== undefined) commandIds.set(c.ref, id);
      });
    };
    const initialProviders = (setup.providers ?? []).filter((p) => (p.beforeMessage ?? 1) === 1).map(({ beforeMessage: _, ...p }) => p);
    await gateway.seed({
      ...(initialProviders.length ? { providers: initialProviders } : {}),
      ...(setup.devices ? { devices: setup.devices } : {}),
    });

    const sessions = new Map<string, SessionTrack>();
    const refMaps = new Map<string, ReferenceMap>();
    for (let i = 0; i < t.messages.length; i++) {
      const m = t.messages[i] as TranscriptMessage;
      if (m.side !== 'device') continue;
      await queue(m.index);
      now += step + (advance[String(m.index)] !== undefined ? parseDuration(advance[String(m.index)] as string) : 0);
      await gateway.tick?.();
      const next = t.messages[i + 1];
      const recorded = next?.side === 'server' ? next : undefined;
      report.exchanges.push(
        await exchange(t, m, recorded, { gateway, deps, wire, doFetch, sessions, refMaps, nextDevice: nextDeviceMessage(t, i) }),
      );
    }
    if (t.header.expect) {
      const state = await gateway.inspect();
      report.expectationFailures = checkExpectations(t.header.expect, state, { defaultDeviceId, commandIds });
    }
  } catch (error) {
    report.error = `replay stopped: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    if (gateway) {
      try {
        await gateway.close();
      } catch (error) {
        report.error ??= `closing the gateway failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
  report.ok =
    !report.error &&
    report.expectationFailures.length === 0 &&
    report.exchanges.every((x) => x.differences.length === 0 && x.violations.length === 0 && x.failures.length === 0);
  return report;
}

/** A decoded WBXML reply, readable in reports: as the XML serializer writes it. */
function renderReply(codec: ReplayCodec, reply: SyncML): string {
  try {
    return codec.serialize(reply);
  } catch (error) {
    return `(WBXML reply not renderable as XML: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The device's next message in the same session, if any (a 1222 there lets the reply omit Final). */
function nextDeviceMessage(t: Transcript, i: number): SyncML | undefined {
  const current = (t.messages[i] as TranscriptMessage).syncml.header;
  for (let k = i + 1; k < t.messages.length; k++) {
    const m = t.messages[k] as TranscriptMessage;
    if (m.side !== 'device') continue;
    const h = m.syncml.header;
    if (h.source.locURI !== current.source.locURI) continue;
    return h.sessionID === current.sessionID && h.msgID !== '1' ? m.syncml : undefined;
  }
  return undefined;
}

interface ExchangeContext {
  gateway: GatewayUnderTest;
  deps: ReplayDeps;
  wire: Wire;
  doFetch: typeof fetch;
  sessions: Map<string, SessionTrack>;
  refMaps: Map<string, ReferenceMap>;
  nextDevice: SyncML | undefined;
}

async function exchange(t: Transcript, m: TranscriptMessage, recorded: TranscriptMessage | undefined, ctx: ExchangeContext): Promise<ExchangeReport> {
  // Options about the reply may sit on the device message or on the recorded server message (the latter wins).
  const opts = { ...t.header.messages?.[String(m.index)], ...(recorded ? t.header.messages?.[String(recorded.index)] : {}) };
  const hdr = m.syncml.header;
  const deviceId = hdr.source.locURI;
  const msgID = Number(hdr.msgID);
  const x: ExchangeReport = {
    deviceMessage: m.index,
    ...(recorded ? { serverMessage: recorded.index } : {}),
    httpStatus: 0,
    sent: 'verbatim',
    differences: [],
    violations: [],
    failures: [],
    notes: [],
  };

  // Session bookkeeping: a new SessionID or MsgID 1 starts a session; the server numbers its replies 1, 2, 3…
  let track = ctx.sessions.get(deviceId);
  let refMap = ctx.refMaps.get(deviceId);
  if (!refMap) ctx.refMaps.set(deviceId, (refMap = new ReferenceMap()));
  let replayed = false;
  if (!track || track.sessionId !== hdr.sessionID || hdr.msgID === '1') {
    if (track && track.sessionId === hdr.sessionID && track.lastDeviceMsgID === 1 && msgID === 1) replayed = true;
    else {
      track = { sessionId: hdr.sessionID, lastDeviceMsgID: 0, lastReplyMsgID: 0 };
      ctx.sessions.set(deviceId, track);
      refMap.reset();
    }
  } else if (msgID <= track.lastDeviceMsgID) replayed = true;
  if (replayed) x.notes.push(`device MsgID ${hdr.msgID} repeats or goes back (last was ${track.lastDeviceMsgID}): the reply MsgID sequence is not checked`);

  const rewrite = refMap.rewrite(m.syncml);
  if (rewrite.dropped.length) x.notes.push(`dropped the device's answers to recorded commands the gateway did not send (MsgRef/CmdRef ${rewrite.dropped.join(', ')})`);
  if (rewrite.unknown.length) x.notes.push(`the device refers to commands the gateway never sent (MsgRef/CmdRef ${rewrite.unknown.join(', ')})`);
  // As written when the message is in the transcript's encoding and nothing was remapped; else through the model.
  let body: Uint8Array;
  if (rewrite.changed) {
    body = ctx.wire.encode(rewrite.message);
    x.sent = 'rewritten';
  } else if (m.encoding !== ctx.wire.encoding) {
    body = ctx.wire.encode(m.syncml);
    x.sent = 'converted';
  } else body = m.bytes ?? Buffer.from(m.text, 'utf8');

  const response = await ctx.doFetch(ctx.gateway.url, {
    method: 'POST',
    headers: { 'content-type': ctx.wire.contentType, accept: ctx.wire.contentType, 'user-agent': USER_AGENT },
    body,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  x.httpStatus = response.status;
  const wantStatus = opts.httpStatus ?? 200;
  const text = Buffer.from(bytes).toString('utf8');
  x.replyText = text;
  if (response.status !== wantStatus) {
    x.failures.push(`HTTP ${response.status}, expected ${wantStatus}: ${text.slice(0, 200)}`);
    return x;
  }
  track.lastDeviceMsgID = Math.max(track.lastDeviceMsgID, msgID);
  if (response.status !== 200) return x;

  const replyType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (replyType !== ctx.wire.contentType) {
    x.failures.push(`the reply's content type is "${replyType}", not ${ctx.wire.contentType} (the request's)`);
    return x;
  }
  let reply: SyncML;
  try {
    reply = ctx.wire.decode(bytes);
  } catch (error) {
    x.failures.push(`the reply is not valid SyncML: ${error instanceof Error ? error.message : String(error)}`);
    return x;
  }
  if (ctx.wire.encoding === 'wbxml') x.replyText = renderReply(ctx.deps.codec, reply);

  const expectedMsgID = replayed ? undefined : String(track.lastReplyMsgID + 1);
  x.violations = checkReplyRules(rewrite.message, reply, {
    ...(expectedMsgID !== undefined ? { expectedMsgID } : {}),
    ...(ctx.nextDevice ? { nextDeviceMessage: ctx.nextDevice } : {}),
    skip: opts.skipRules ?? [],
  });
  const replyMsgID = Number(reply.header.msgID);
  if (Number.isFinite(replyMsgID)) track.lastReplyMsgID = Math.max(track.lastReplyMsgID, replyMsgID);

  const mode = opts.mode ?? t.mode;
  if (recorded && mode === 'strict') {
    x.differences = diffSyncML(recorded.syncml, reply).map((d) => formatDifference(recorded.index, d));
  } else if (recorded && t.header.matchCommands) {
    const matching = matchCommands(recorded.syncml.body.commands, reply.body.commands);
    for (const c of matching.missing) x.failures.push(`message ${recorded.index} (server) has ${describeCommand(c)}; the reply does not`);
    for (const c of matching.unexpected) x.failures.push(`the reply carries ${describeCommand(c)}; message ${recorded.index} (server) does not`);
    for (const p of matching.pairs.filter((q) => !q.exact)) {
      x.failures.push(`message ${recorded.index} (server) has ${describeCommand(p.recorded)}; the reply has ${describeCommand(p.actual)}`);
    }
  }
  x.failures.push(...checkCommandPatterns(reply, opts.contains, opts.lacks));
  refMap.learn(recorded?.syncml, reply);
  return x;
}
