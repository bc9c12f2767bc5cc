/**
 * Runs N simulated devices against a gateway: every device checks in (bounded concurrency), an optional hook lets
 * the caller act between check-in and wakes (queue commands, request pushes through the operator API), the run
 * then waits for the wakes the fake WNS delivers and the 1200 sessions they open, and returns a summary.
 * The CLI (`omadm-gateway simulate`) and the end-to-end tests call this.
 */
import { Agent } from 'undici';
import type { FakeWns } from '../fake-wns.js';
import type { DmTransport } from './dm-session.js';
import { fakeWnsRegistrar } from './fake-wns-registrar.js';
import { createHttpTransport, type HttpTransportOptions, type SyncMLEncoding } from './http-transport.js';
import { createLimiter } from './limiter.js';
import { SimClock } from './sim-clock.js';
import { SimulatedDevice, type DeviceSessionRecord, type SimulatedDeviceOptions } from './simulated-device.js';
import { summarize, type SimulationSummary } from './simulation-summary.js';
import { InMemoryWnsRegistrar, type WnsRegistrar } from './wns-registrar.js';

export interface RunSimulationOptions {
  /** The gateway's SyncML endpoint, e.g. http://127.0.0.1:8080/ManagementServer/MDM.svc. */
  serverUrl: string;
  /** Number of devices. */
  devices: number;
  /** Sessions running at once across all devices (default 16). */
  concurrency?: number;
  /** The fake WNS the gateway pushes to: devices register channels on it and wake when it delivers. */
  wnsFake?: FakeWns;
  /** Any other registrar (default: the fake's, else an in-memory one whose channels nobody can reach). */
  registrar?: WnsRegistrar;
  /** Simulated clock for polls and channel renewals (default: one starting now; polls are off unless `polling`). */
  clock?: SimClock;
  polling?: boolean;
  /** Prefix of device ids (default a random one, so runs against the same database do not collide). */
  idPrefix?: string;
  /** Per-device options (PFN mode, battery saver, MaxMsgSize, …). */
  deviceOptions?: (index: number) => Partial<SimulatedDeviceOptions>;
  /** Called after every session of every device (progress reporting, latency bookkeeping). */
  onSession?: (record: DeviceSessionRecord, device: SimulatedDevice) => void;
  /** Runs after every device checked in: queue commands, request wakes. */
  afterCheckIn?: (ctx: { devices: SimulatedDevice[] }) => Promise<void>;
  /** Wait for wake sessions: how many (default: every device whose Push/Status is 0) and for how long. */
  waitForWakes?: { timeoutMs: number; expected?: number };
  /** Replaces the HTTP transport (tests at model level). */
  transport?: DmTransport;
  /** Wire encoding of every device: 'xml' (default) or 'wbxml' (shorthand for `http.encoding`). */
  encoding?: SyncMLEncoding;
  http?: Omit<HttpTransportOptions, 'dispatcher'>;
}

export interface SimulationResult {
  summary: SimulationSummary;
  devices: SimulatedDevice[];
}

export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const agent = options.transport ? null : new Agent({ connections: concurrency, pipelining: 1 });
  const transport = options.transport ?? createHttpTransport({ ...options.http, ...(options.encoding ? { encoding: options.encoding } : {}), dispatcher: agent! });
  const fakeRegistrar = options.wnsFake && !options.registrar ? fakeWnsRegistrar(options.wnsFake) : null;
  const registrar = options.registrar ?? fakeRegistrar ?? new InMemoryWnsRegistrar();
  const clock = options.clock ?? new SimClock(new Date());
  const gate = createLimiter(concurrency);
  const prefix = options.idPrefix ?? Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0').toUpperCase();
  const started = performance.now();

  let wakeSessions = 0;
  const wakeWaiters: Array<() => void> = [];
  const onSession = (record: DeviceSessionRecord, device: SimulatedDevice): void => {
    options.onSession?.(record, device);
    if (record.reason !== 'wake') return;
    wakeSessions++;
    for (const w of wakeWaiters.splice(0)) w();
  };

  const devices = Array.from({ length: options.devices }, (_, i) => {
    return new SimulatedDevice({
      serverUrl: options.serverUrl,
      transport,
      clock,
      registrar,
      deviceId: deviceIdFor(prefix, i),
      deviceName: `SIM-${i + 1}`,
      polling: options.polling ?? false,
      sessionGate: gate,
      ...options.deviceOptions?.(i),
      onSession,
    });
  });

  try {
    await Promise.all(devices.map((d) => d.checkIn('check-in')));
    const checkInDone = performance.now();
    await options.afterCheckIn?.({ devices });
    let wakesTimedOut = false;
    if (options.waitForWakes) {
      const expected = options.waitForWakes.expected ?? devices.filter((d) => d.push.state().status === 0).length;
      const deadline = Date.now() + options.waitForWakes.timeoutMs;
      while (wakeSessions < expected) {
        const left = deadline - Date.now();
        if (left <= 0) {
          wakesTimedOut = true;
          break;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wakeWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
    await Promise.all(devices.map((d) => d.idle()));
    return {
      devices,
      summary: summarize(devices, {
        checkInWallMs: checkInDone - started,
        totalWallMs: performance.now() - started,
        wakesTimedOut,
        wakesDelivered: fakeRegistrar ? fakeRegistrar.delivered.length : null,
      }),
    };
  } finally {
    for (const d of devices) d.stop();
    fakeRegistrar?.detach();
    await agent?.close();
  }
}

/** GUID-shaped, stable per prefix and index: 8 hex of run prefix, then the index. */
export function deviceIdFor(prefix: string, index: number): string {
  const n = index.toString(16).padStart(12, '0').toUpperCase();
  return `${prefix.slice(0, 8).padStart(8, '0')}-5349-4D00-8000-${n}`;
}
