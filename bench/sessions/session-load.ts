/**
 * Drives lean devices at a SyncML endpoint over loopback HTTP (undici, keep-alive, one connection per concurrent
 * device): every device id runs one session; `concurrency` sessions are in flight at any time. Bounded: it stops when
 * the list is done. Returns rates over the wall time and every message's latency except the ramp (see rampExcluded).
 */
import { Agent, request } from 'undici';
import { runLeanSession, type SessionRun } from './lean-device.js';

export interface WaveOptions {
  syncmlUrl: string;
  deviceIds: readonly string[];
  sessionId: string;
  concurrency: number;
  /** Keep the server's replies of the first session (to record the baseline's fixed replies). */
  recordFirst?: boolean;
  /** At most this many HTTP requests in flight (default: concurrency). */
  maxRequests?: number;
  /** Hold every session open after its first exchange until all sessions have had theirs (all in flight at once). */
  barrier?: boolean;
  /** Called once when every session passed its first exchange (with barrier). */
  onBarrier?: () => Promise<void> | void;
}

export interface WaveResult {
  sessions: number;
  messages: number;
  wallMs: number;
  sessionsPerSecond: number;
  messagesPerSecond: number;
  latencies: number[];
  /** [ms since the wave started, latency ms] of every device message (ramp included). */
  timeline: Array<[number, number]>;
  /** Messages left out of `latencies`: the first message of each of the first `concurrency` sessions (connection set-up,
   * all of them started in the same instant). */
  rampExcluded: number;
  failures: number;
  firstError: string | null;
  firstReplies: string[] | null;
}

const CONTENT_TYPE = 'application/vnd.syncml.dm+xml';

export async function runWave(options: WaveOptions): Promise<WaveResult> {
  const host = new URL(options.syncmlUrl).hostname;
  if (host !== '127.0.0.1' && host !== '[::1]' && host !== 'localhost') throw new Error(`refusing non-loopback target ${host}`);
  const maxRequests = Math.min(options.maxRequests ?? options.concurrency, options.concurrency);
  const agent = new Agent({ connections: maxRequests, pipelining: 1, keepAliveTimeout: 30_000 });
  const slots = createSlots(maxRequests);
  let waitingAtBarrier = 0;
  let releaseBarrier: () => void = () => undefined;
  const barrierOpen = new Promise<void>((resolve) => {
    releaseBarrier = resolve;
  });
  const sessionsAtOnce = Math.min(options.concurrency, options.deviceIds.length);
  const arrive = async () => {
    waitingAtBarrier += 1;
    if (waitingAtBarrier === sessionsAtOnce) {
      await options.onBarrier?.();
      releaseBarrier();
    }
  };
  const firstUrl = `${options.syncmlUrl}?mode=Machine&Platform=WoA`;
  const post = (url: string) => async (body: string): Promise<Uint8Array> => {
    await slots.take();
    try {
      return await postNow(url, body);
    } finally {
      slots.give();
    }
  };
  const postNow = async (url: string, body: string): Promise<Uint8Array> => {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE, 'user-agent': 'MSFT OMA DM Client/1.2.0.1' },
      body,
    });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${Buffer.from(bytes).toString('utf8').slice(0, 200)}`);
    return bytes;
  };
  const latencies: number[] = [];
  const timeline: Array<[number, number]> = [];
  let rampExcluded = 0;
  let messages = 0;
  let sessions = 0;
  let failures = 0;
  let firstError: string | null = null;
  let firstReplies: string[] | null = null;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.deviceIds.length) {
      const index = next++;
      const deviceId = options.deviceIds[index] as string;
      let first = true;
      const poster: (body: string) => Promise<Uint8Array> = (body) => {
        const url = first ? firstUrl : options.syncmlUrl;
        first = false;
        return post(url)(body);
      };
      let arrived = false;
      const beforeMessage = options.barrier
        ? async (msgId: number) => {
            if (msgId !== 2) return;
            arrived = true;
            await arrive();
            await barrierOpen;
          }
        : undefined;
      try {
        const run: SessionRun = await runLeanSession(deviceId, options.sessionId, options.syncmlUrl, poster, options.recordFirst === true && index === 0, beforeMessage);
        if (run.replies) firstReplies = run.replies;
        sessions += 1;
        messages += run.messages;
        run.latencies.forEach((l, i) => {
          if (i === 0 && index < options.concurrency) rampExcluded += 1;
          else latencies.push(l);
          timeline.push([(run.sentAt[i] ?? started) - started, l]);
        });
      } catch (error) {
        failures += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      } finally {
        // A session that failed or ended before the barrier must not keep the others waiting.
        if (options.barrier && !arrived) await arrive();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.deviceIds.length) }, worker));
  const wallMs = performance.now() - started;
  await agent.close();
  return {
    sessions,
    messages,
    wallMs,
    sessionsPerSecond: (sessions * 1000) / wallMs,
    messagesPerSecond: (messages * 1000) / wallMs,
    latencies,
    timeline,
    rampExcluded,
    failures,
    firstError,
    firstReplies,
  };
}

/** A FIFO counting semaphore. */
function createSlots(n: number): { take(): Promise<void>; give(): void } {
  let free = n;
  const waiting: Array<() => void> = [];
  return {
    take() {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    give() {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}
