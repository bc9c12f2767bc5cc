import { describe, expect, it } from 'vitest';
import { checkExpectations } from '../../src/transcript/check-expectations.js';
import type { StateSnapshot } from '../../src/transcript/gateway-under-test.js';

const state: StateSnapshot = {
  devices: [
    {
      deviceId: 'dev-1',
      providerId: 'contoso',
      enrollmentState: 'enrolled',
      provisionedPfn: 'Contoso.MDM_8wekyb3d8bbwe',
      devInfo: { DevId: 'dev-1', Man: 'Contoso', Mod: 'Laptop 7' },
      pushStatus: 0,
      channelUri: 'https://db5.notify.windows.com/?token=B',
    },
  ],
  commands: [
    { id: 'c-1', deviceId: 'dev-1', state: 'done', status: '200', results: [{ source: './DevDetail/FwV', data: '1.2.3', format: 'chr' }] },
    { id: 'c-2', deviceId: 'dev-1', state: 'failed', status: '507', results: [], children: ['216', '500'] },
  ],
  alerts: [
    { deviceId: 'dev-1', sessionId: '1', alert: '1224', alertType: 'com.microsoft/MDM/LoginStatus', format: 'chr', data: 'user' },
    { deviceId: 'dev-1', sessionId: '1', alert: '1226', alertType: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int', data: '1' },
  ],
  channels: [
    { deviceId: 'dev-1', channelUri: 'https://db5.notify.windows.com/?token=A', state: 'superseded' },
    { deviceId: 'dev-1', channelUri: 'https://db5.notify.windows.com/?token=B', state: 'active' },
  ],
};
const ctx = { defaultDeviceId: 'dev-1', commandIds: new Map([['fw', 'c-1'], ['atomic', 'c-2'], ['lost', 'c-9']]) };

describe('checkExpectations', () => {
  it('passes when every named field matches (others are not checked)', () => {
    expect(
      checkExpectations(
        {
          devices: [{ provisionedPfn: 'Contoso.MDM_8wekyb3d8bbwe', channelUri: '*', pushStatus: 0, devInfo: { Mod: 'Laptop 7' } }],
          commands: [
            { ref: 'fw', state: 'done', status: '200', results: [{ source: './DevDetail/FwV', data: '1.2.3' }] },
            { ref: 'atomic', status: '507', children: ['216', '500'] },
          ],
          alerts: [{ alert: '1224', data: 'user' }, { alert: '1226', alertType: 'com.microsoft:mdm.unenrollment.userrequest' }],
          channels: [
            { channelUri: 'https://db5.notify.windows.com/?token=A', state: 'superseded' },
            { channelUri: 'https://db5.notify.windows.com/?token=B', state: 'active' },
          ],
        },
        state,
        ctx,
      ),
    ).toEqual([]);
  });

  it('names each mismatch by its place in the header', () => {
    const failures = checkExpectations(
      {
        devices: [{ enrollmentState: 'unenrolled', channelUri: null, devInfo: { Man: 'Fabrikam' } }, { deviceId: 'dev-2' }],
        commands: [{ ref: 'fw', results: [] }, { ref: 'atomic', children: ['216'] }, { ref: 'lost', state: 'done' }],
        alerts: [{ alert: '1224', data: 'others' }],
        channels: [{ channelUri: 'https://db5.notify.windows.com/?token=A', state: 'active' }],
      },
      state,
      ctx,
    );
    expect(failures.map((f) => `${f.path}: ${f.message}`)).toEqual([
      'expect.devices[0].enrollmentState: expected "unenrolled", got "enrolled"',
      'expect.devices[0].channelUri: expected null, got "https://db5.notify.windows.com/?token=B"',
      'expect.devices[0].devInfo.Man: expected "Fabrikam", got "Contoso"',
      'expect.devices[1]: no stored device dev-2 (stored: dev-1)',
      'expect.commands[0] (fw).results: expected 0 item(s), got 1: [{"source":"./DevDetail/FwV","data":"1.2.3","format":"chr"}]',
      'expect.commands[1] (atomic).children: expected statuses [216], got [216, 500]',
      'expect.commands[2] (lost): command lost is not stored',
      'expect.alerts: expected 1 stored alert(s), got 2: [1224 com.microsoft/MDM/LoginStatus=user, 1226 com.microsoft:mdm.unenrollment.userrequest=1]',
      'expect.alerts[0].data: expected "others", got "user"',
      'expect.channels[0]: expected https://db5.notify.windows.com/?token=A to be active, it is superseded',
    ]);
  });

  it('lets * match any present value but not null', () => {
    const none: StateSnapshot = { ...state, devices: [{ ...state.devices[0]!, channelUri: null, pushStatus: null }] };
    expect(checkExpectations({ devices: [{ channelUri: '*' }] }, none, ctx).map((f) => f.message)).toEqual(['expected "*", got null']);
    expect(checkExpectations({ devices: [{ channelUri: null, pushStatus: null }] }, none, ctx)).toEqual([]);
  });

  it('checks pollProvisioned against what the gateway reports', () => {
    const provisioned: StateSnapshot = { ...state, devices: [{ ...state.devices[0]!, pollProvisioned: true }] };
    expect(checkExpectations({ devices: [{ pollProvisioned: true }] }, provisioned, ctx)).toEqual([]);
    expect(checkExpectations({ devices: [{ pollProvisioned: false }] }, provisioned, ctx)).toEqual([
      { path: 'expect.devices[0].pollProvisioned', message: 'expected false, got true' },
    ]);
  });
});
