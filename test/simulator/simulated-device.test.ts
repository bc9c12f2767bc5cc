import { describe, expect, it } from 'vitest';
import type { Results, SyncML } from '../../src/syncml/model.js';
import { exec, get, replace, SERVER_URL } from '../support/simulator/scripted-server.js';
import { DAY, HOUR, MINUTE, SimClock } from '../support/simulator/sim-clock.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from '../support/simulator/simulated-device.js';
import { InMemoryWnsRegistrar } from '../support/simulator/wns-registrar.js';
import { MiniGateway } from './mini-gateway.js';

const PFN = 'Contoso.MDM_8wekyb3d8bbwe';

function setup(opts: Partial<SimulatedDeviceOptions> = {}) {
  const clock = new SimClock(new Date('2025-03-01T00:00:00Z'));
  const registrar = new InMemoryWnsRegistrar();
  const gateway = new MiniGateway(PFN);
  const device = new SimulatedDevice({ serverUrl: SERVER_URL, transport: gateway, clock, registrar, deviceId: 'DEV-A', polling: false, ...opts });
  return { clock, registrar, gateway, device };
}

describe('simulated device: push', () => {
  it('registers with WNS when the PFN is set and reports the ChannelURI and Status 0 in the same session', async () => {
    const { device, gateway, registrar } = setup();
    const record = await device.checkIn();
    expect(record).toMatchObject({ endedBy: 'completed', trigger: '1201', reason: 'check-in', violations: [] });
    const s = gateway.sessions[0]!;
    expect(s.pfnStatus).toBe('200');
    expect(s.channelUri).toMatch(/^https:\/\/sim\.notify\.windows\.com\/\?token=DEV-A-1$/);
    expect(s.pushStatus).toBe(0);
    expect(registrar.channelsOf('DEV-A')).toEqual([s.channelUri]);
    expect(device.push.state()).toMatchObject({ pfn: PFN, status: 0 });
  });

  it('without a PFN: ChannelURI comes back with no Data (null) and Status 4', async () => {
    const { device, gateway } = setup();
    gateway.pfn = null;
    await device.checkIn();
    expect(gateway.sessions[0]).toMatchObject({ channelUri: null, pushStatus: 4 });
  });

  it("with channelUriWithoutPfn 'not-found': ChannelURI is 404 until a PFN is set", async () => {
    const { device, gateway } = setup({ channelUriWithoutPfn: 'not-found' });
    gateway.pfn = null;
    await device.checkIn();
    const s0 = gateway.sessions[0]!;
    expect(s0.statuses.find((st) => st.cmd === 'Get' && st.data === '404')).toBeDefined();
    expect(s0.pushStatus).toBe(4);
    gateway.pfn = PFN;
    await device.checkIn();
    expect(gateway.sessions[1]).toMatchObject({ pushStatus: 0 });
    expect(gateway.sessions[1]!.channelUri).toMatch(/^https:/);
  });

  it("with pfnMode 'add-required': Replace PFN gets 404, the Add creates it and the channel follows", async () => {
    const { device, gateway } = setup({ pfnMode: 'add-required' });
    await device.checkIn();
    const s = gateway.sessions[0]!;
    expect(s.statuses.filter((st) => st.cmd === 'Replace' || st.cmd === 'Add').map((st) => `${st.cmd}:${st.data}`)).toEqual(['Replace:404', 'Add:200']);
    expect(s.pushStatus).toBe(0);
    expect(s.channelUri).toMatch(/^https:/);
  });

  it('a PFN WNS refuses gives Status 1 and no channel', async () => {
    const { device, gateway, registrar } = setup();
    registrar.refuse(PFN, 'invalid-pfn');
    await device.checkIn();
    expect(gateway.sessions[0]).toMatchObject({ pfnStatus: '200', channelUri: null, pushStatus: 1 });
  });

  it('opens a session with Alert 1200 when woken, and measures the wake-to-session time', async () => {
    const { device, gateway, registrar } = setup();
    await device.checkIn();
    const uri = gateway.sessions[0]!.channelUri!;
    expect(registrar.deliver(uri)).toBe(true);
    await device.idle();
    expect(gateway.sessions.map((s) => s.trigger)).toEqual(['1201', '1200']);
    const woke = device.sessions[1]!;
    expect(woke).toMatchObject({ reason: 'wake', trigger: '1200', endedBy: 'completed' });
    expect(woke.wakeToSessionMs).toBeGreaterThanOrEqual(0);
    expect(gateway.sessions[1]!.sessionId).not.toBe(gateway.sessions[0]!.sessionId);
  });

  it('coalesces wakes that arrive while a session is pending into one 1200 session', async () => {
    const { device, gateway, registrar } = setup();
    await device.checkIn();
    const uri = gateway.sessions[0]!.channelUri!;
    registrar.deliver(uri);
    registrar.deliver(uri);
    registrar.deliver(uri);
    await device.idle();
    expect(gateway.sessions.map((s) => s.trigger)).toEqual(['1201', '1200']);
    expect(device.push.wakesReceived).toBe(3);
  });

  it('battery saver: Status 7, wakes are not acted upon; off again: Status 0 and wakes work', async () => {
    const { device, gateway, registrar } = setup();
    await device.checkIn();
    const uri = gateway.sessions[0]!.channelUri!;
    device.setBatterySaver(true);
    registrar.deliver(uri);
    await device.idle();
    expect(device.push.wakesIgnored).toBe(1);
    expect(gateway.sessions).toHaveLength(1);
    await device.checkIn();
    expect(gateway.sessions[1]).toMatchObject({ pushStatus: 7, channelUri: uri });
    device.setBatterySaver(false);
    registrar.deliver(uri);
    await device.idle();
    expect(gateway.sessions[2]).toMatchObject({ trigger: '1200', pushStatus: 0 });
  });

  it('renews the channel 15 days after issue: new ChannelURI, and a session that reports it', async () => {
    const { device, gateway, clock, registrar } = setup();
    await device.checkIn();
    const first = gateway.sessions[0]!.channelUri!;
    await clock.advance(15 * DAY - MINUTE);
    expect(gateway.sessions).toHaveLength(1);
    await clock.advance(MINUTE);
    expect(gateway.sessions).toHaveLength(2);
    const renewed = gateway.sessions[1]!;
    expect(renewed.trigger).toBe('1201');
    expect(device.sessions[1]!.reason).toBe('channel-renewal');
    expect(renewed.channelUri).not.toBe(first);
    expect(renewed.pushStatus).toBe(0);
    expect(device.push.renewals).toBe(1);
    // The old channel still reaches the device until its own 30 days are up.
    expect(registrar.deliver(first)).toBe(true);
    await device.idle();
    await clock.advance(15 * DAY);
    expect(registrar.deliver(first)).toBe(false);
  });

  it('a channel not renewed for 30 days expires (Status 5); the server sets the PFN again and gets a new channel', async () => {
    const { device, gateway, clock } = setup();
    await device.checkIn();
    const first = gateway.sessions[0]!.channelUri!;
    await clock.advance(14 * DAY);
    device.setOnline(false); // renewal attempts are skipped and retried 4 h later
    await clock.advance(16 * DAY);
    expect(device.push.state()).toMatchObject({ status: 5, channelUri: first });
    device.setOnline(true);
    await device.checkIn();
    expect(gateway.sessions[1]).toMatchObject({ pushStatus: 5, channelUri: first });
    expect(gateway.state('DEV-A').provisioned).toBe(false);
    await device.checkIn();
    const s = gateway.sessions[2]!;
    expect(s.pfnStatus).toBe('200');
    expect(s.pushStatus).toBe(0);
    expect(s.channelUri).not.toBe(first);
  });

  it('retries a renewal WNS cannot serve 4 hours later', async () => {
    const { device, clock, registrar } = setup();
    await device.checkIn();
    registrar.refuse(PFN, 'unavailable');
    await clock.advance(15 * DAY);
    expect(device.push.renewals).toBe(0);
    registrar.accept(PFN);
    await clock.advance(4 * HOUR);
    expect(device.push.renewals).toBe(1);
    expect(device.sessions.at(-1)!.reason).toBe('channel-renewal');
  });
});

describe('simulated device: polling, Exec and unenrollment', () => {
  it('polls on the DMClient schedule: 15 min ×10, then every 24 hours', async () => {
    const { device, clock } = setup({ polling: true });
    await clock.advance(150 * MINUTE);
    expect(device.sessions.map((s) => s.reason)).toEqual(Array(10).fill('poll'));
    await clock.advance(DAY - MINUTE);
    expect(device.sessions).toHaveLength(10);
    await clock.advance(MINUTE);
    expect(device.sessions).toHaveLength(11);
  });

  it('re-anchors the schedule when the server changes the Poll nodes', async () => {
    const { device, clock, gateway } = setup({ polling: true });
    const poll = './Vendor/MSFT/DMClient/Provider/omadm-gateway/Poll';
    gateway.queue('DEV-A', replace(`${poll}/IntervalForFirstSetOfRetries`, '60', 'int'), replace(`${poll}/NumberOfFirstRetries`, '0', 'int'));
    await clock.advance(10 * MINUTE);
    await device.checkIn();
    await clock.advance(59 * MINUTE);
    expect(device.sessions).toHaveLength(1);
    await clock.advance(MINUTE);
    expect(device.sessions.map((s) => s.reason)).toEqual(['check-in', 'poll']);
  });

  it('skips sessions while offline', async () => {
    const { device } = setup();
    device.setOnline(false);
    expect(await device.checkIn()).toBeNull();
    expect(device.sessions).toHaveLength(0);
  });

  it('RebootNow: 200, and the device reboots after the session', async () => {
    const { device, gateway } = setup();
    gateway.queue('DEV-A', exec('./Device/Vendor/MSFT/Reboot/RebootNow'));
    await device.checkIn();
    expect(gateway.sessions[0]!.statuses.find((s) => s.cmd === 'Exec')!.data).toBe('200');
    expect(device.reboots).toBe(1);
  });

  it('server unenroll: the session is aborted with no answer, a new session carries the 1226 alert, then the device is gone', async () => {
    const { device, gateway, registrar, clock } = setup({ polling: true });
    await device.checkIn();
    const uri = gateway.sessions[0]!.channelUri!;
    gateway.queue('DEV-A', exec('./Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll', 'omadm-gateway'));
    await device.checkIn();
    expect(device.sessions[1]).toMatchObject({ endedBy: 'unenroll', messagesSent: 1 });
    const alertSession = gateway.sessions[2]!;
    expect(alertSession.alerts.map((a) => a.data)).toEqual(['1201', '1224', '1226']);
    expect(alertSession.alerts[2]!.items[0]).toMatchObject({ meta: { type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' }, data: { text: '1' } });
    expect(device.enrolled).toBe(false);
    expect(device.tree.exists('./Vendor/MSFT/DMClient/Provider/omadm-gateway')).toBe(false);
    expect(registrar.deliver(uri)).toBe(false);
    await clock.advance(2 * DAY);
    expect(device.sessions).toHaveLength(3);
    expect(await device.checkIn()).toBeNull();
  });

  it('user unenroll: a session with the 1226 userrequest alert, then the enrollment is removed', async () => {
    const { device, gateway } = setup();
    await device.unenrollByUser();
    expect(gateway.sessions[0]!.alerts.map((a) => a.data)).toEqual(['1201', '1224', '1226']);
    expect(device.enrolled).toBe(false);
  });

  it('answers Gets of DevDetail from its profile', async () => {
    const { device, gateway } = setup({ deviceName: 'KIOSK-7', swVersion: '10.0.26100.1' });
    gateway.queue('DEV-A', get('./DevDetail/Ext/Microsoft/DeviceName', './DevDetail/SwV'));
    const records: Results[] = [];
    const transport = gateway.exchange.bind(gateway);
    gateway.exchange = async (m: SyncML) => {
      records.push(...m.body.commands.filter((c): c is Results => c.kind === 'Results'));
      return transport(m);
    };
    await device.checkIn();
    const values = records.flatMap((r) => r.items).map((i) => [i.source?.locURI, i.data?.kind === 'text' ? i.data.text : null]);
    expect(values).toContainEqual(['./DevDetail/Ext/Microsoft/DeviceName', 'KIOSK-7']);
    expect(values).toContainEqual(['./DevDetail/SwV', '10.0.26100.1']);
    expect(device.sessions[0]!.executed.filter((e) => e.kind === 'Get').every((e) => e.status === '200')).toBe(true);
  });
});
