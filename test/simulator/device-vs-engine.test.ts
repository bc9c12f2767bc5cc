/**
 * The simulated device against the real session engine (src/session/engine.ts) at model level, through the session
 * helper's in-memory Conversation (effects applied as the store would). Both sides check the other: the device
 * reports server protocol violations, the Conversation runs the transcript rule checker on every reply.
 */
import { describe, expect, it } from 'vitest';
import { createSyncMLMeasure } from '../../src/session/measure.js';
import { serializeSyncML } from '../../src/syncml/index.js';
import { Conversation, PFN } from '../session/conversation.js';
import { DEVICE_ID, SERVER_URI } from '../support/syncml-builders.js';
import { LARGE_OBJECT_PATH, largeText } from '../support/simulator/device-tree.js';
import type { DmTransport } from '../support/simulator/dm-session.js';
import { SimClock } from '../support/simulator/sim-clock.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from '../support/simulator/simulated-device.js';
import { InMemoryWnsRegistrar } from '../support/simulator/wns-registrar.js';

function setup(opts: Partial<SimulatedDeviceOptions> = {}, pfn: string | null = PFN, skipRules: string[] = []) {
  const conv = new Conversation({ pfn, engine: createSyncMLMeasure(serializeSyncML), skipRules });
  const transport: DmTransport = {
    // The store loads the session by (device, SessionID); Conversation keeps one, so a new SessionID starts fresh.
    exchange: async (m) => {
      if (conv.session && conv.session.sessionId !== m.header.sessionID) conv.session = null;
      return conv.send(m).reply;
    },
  };
  const registrar = new InMemoryWnsRegistrar();
  const clock = new SimClock(conv.now);
  const device = new SimulatedDevice({ serverUrl: SERVER_URI, transport, clock, registrar, deviceId: DEVICE_ID, polling: false, ...opts });
  return { conv, device, registrar };
}

function clean(device: SimulatedDevice, conv: Conversation): void {
  expect(device.sessions.flatMap((s) => s.violations)).toEqual([]);
  expect(device.sessions.map((s) => s.endedBy).filter((e) => !['completed', 'unenroll', 'device-abort'].includes(e))).toEqual([]);
  expect(conv.finish()).toEqual([]);
}

describe('simulated device ↔ session engine', () => {
  it('first check-in: the engine provisions the PFN, the device registers and reports its ChannelURI and Status 0', async () => {
    const { conv, device } = setup();
    await device.checkIn();
    expect(conv.device?.provisionedPfn).toBe(PFN);
    expect(conv.channel).toBe(device.push.state().channelUri);
    expect(conv.channel).toMatch(/^https:\/\/sim\.notify\.windows\.com\//);
    expect(conv.pushStatus).toBe(0);
    expect(conv.device?.devInfo).toMatchObject({ DevId: DEVICE_ID, Man: 'Contoso' });
    clean(device, conv);
    // Second session: PFN known, no Replace; ChannelURI and Status asked again.
    await device.checkIn();
    expect(device.sessions[1]!.executed.map((e) => e.kind)).toEqual(['Get', 'Get']);
    clean(device, conv);
  });

  it('provider without PFN: ChannelURI reported as null, Status 4', async () => {
    const { conv, device } = setup({}, null);
    await device.checkIn();
    expect(conv.channel).toBeNull();
    expect(conv.pushStatus).toBe(4);
    clean(device, conv);
  });

  it("PFN node absent until Added: the engine's Replace → 404 → Add fallback provisions it", async () => {
    const { conv, device } = setup({ pfnMode: 'add-required' });
    await device.checkIn();
    const pfnCmds = device.sessions[0]!.executed.filter((e) => e.targets[0]?.endsWith('/PFN')).map((e) => `${e.kind}:${e.status}`);
    expect(pfnCmds).toEqual(['Replace:404', 'Add:200']);
    expect(conv.device?.provisionedPfn).toBe(PFN);
    clean(device, conv);
  });

  it('a queued Get of a large node comes back in MoreData chunks and is reassembled by the engine', async () => {
    const { conv, device } = setup({ largeObjectBytes: 20_000, largeObjectChunkBytes: 4_000 });
    const id = conv.enqueue({ verb: 'Get', target: LARGE_OBJECT_PATH });
    await device.checkIn();
    expect(device.sessions[0]!.largeObjectChunks).toBe(5);
    const c = conv.command(id);
    expect(c.state).toBe('done');
    expect(c.outcome?.results[0]?.data).toBe(largeText(DEVICE_ID, 20_000));
    clean(device, conv);
  });

  it('queued Atomic that fails: 507 with the children rolled back, and the tree unchanged', async () => {
    const { conv, device } = setup();
    const id = conv.enqueue({
      verb: 'Atomic',
      commands: [
        { verb: 'Replace', target: './Vendor/MSFT/Policy/Config/Camera/AllowCamera', data: '0', format: 'int' },
        { verb: 'Replace', target: './DevInfo/Man', data: 'x', format: 'chr' },
      ],
    });
    await device.checkIn();
    const c = conv.command(id);
    expect(c.outcome?.status).toBe('507');
    expect(c.outcome?.children?.map((ch) => ch.status)).toEqual(['216', '405']);
    expect(device.tree.read('./Vendor/MSFT/Policy/Config/Camera/AllowCamera')).toBe('1');
    clean(device, conv);
  });

  it('a small device MaxMsgSize makes the engine split its package; the device follows with 1222', async () => {
    const { conv, device } = setup({ maxMsgSize: 2_500 });
    const ids = Array.from({ length: 40 }, (_, i) => conv.enqueue({ verb: 'Get', target: i % 2 ? './DevDetail/SwV' : './DevInfo/Lang' }));
    await device.checkIn();
    expect(ids.map((id) => conv.command(id).state)).toEqual(Array(40).fill('done'));
    expect(device.sessions[0]!.messagesSent).toBeGreaterThan(2);
    clean(device, conv);
  });

  it('a wake opens a 1200 session: the engine records the server-initiated session', async () => {
    const { conv, device, registrar } = setup();
    await device.checkIn();
    registrar.deliver(device.push.state().channelUri!);
    await device.idle();
    expect(device.sessions.map((s) => s.trigger)).toEqual(['1201', '1200']);
    expect(conv.effectsOf('session.serverInitiated')).toHaveLength(1);
    clean(device, conv);
  });

  it('server unenroll: no answer to the Exec, then a new session with the 1226 alert the engine records as unenrollment', async () => {
    const { conv, device } = setup();
    conv.enqueue({ verb: 'Exec', target: './Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll', data: 'omadm-gateway', format: 'chr' });
    await device.checkIn();
    expect(device.sessions.map((s) => `${s.reason}:${s.endedBy}`)).toEqual(['check-in:unenroll', 'unenroll-alert:completed']);
    expect(conv.effectsOf('alert.received').some((a) => a.alert === '1226' && a.alertType === 'com.microsoft:mdm.unenrollment.userrequest')).toBe(true);
    expect(conv.effectsOf('device.unenrolled')).toHaveLength(1);
    expect(device.enrolled).toBe(false);
  });

  it('device abort (1223): the engine answers with Statuses and no new commands, and the queued work waits', async () => {
    const { conv, device } = setup();
    const id = conv.enqueue({ verb: 'Get', target: './DevDetail/SwV' });
    const record = await device.checkIn('manual', { abortAfterServerMessages: 1 });
    expect(record).toMatchObject({ endedBy: 'device-abort', messagesSent: 2 });
    expect(conv.command(id).state).not.toBe('done');
    await device.checkIn();
    expect(conv.command(id).state).toBe('done');
    clean(device, conv);
  });

  it('a user-initiated generic alert (1226) in package 1 is recorded by the engine', async () => {
    const { conv, device } = setup();
    await device.checkIn('manual', { alerts: [{ type: 'com.contoso.custom', format: 'chr', data: 'hello', mark: 'informational', source: './Vendor/MSFT/Sim' }] });
    const a = conv.effectsOf('alert.received').find((e) => e.alert === '1226');
    expect(a).toMatchObject({ alertType: 'com.contoso.custom', format: 'chr', data: 'hello', mark: 'informational', source: './Vendor/MSFT/Sim' });
    clean(device, conv);
  });
});
