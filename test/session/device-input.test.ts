/**
 * What the device sends and how each thing is answered (PROTOCOL.md a.2–a.5, b): alerts, DevInfo, commands a client
 * must not send, malformed commands, device containers, a flood of commands.
 */
import { describe, expect, it } from 'vitest';
import type { Command, Container } from '../../src/syncml/model.js';
import {
  alert,
  alertItem,
  clientEvent,
  DEV_INFO,
  DEVICE_ID,
  deviceMessage,
  devInfoReplace,
  genericAlert,
  package1,
  serverCommands,
  status,
  statusesOf,
} from '../support/syncml-builders.js';
import { Conversation, PFN } from './conversation.js';

const codes = (out: { reply: Parameters<typeof statusesOf>[0] }) => statusesOf(out.reply).map((s) => [s.cmdRef, s.cmd, s.data]);

describe('client events (1224) and generic alerts (1226)', () => {
  it('stores every Item; the AADUserToken only as a marker', () => {
    const c = new Conversation();
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.payload.signature';
    c.send(package1({ extra: [clientEvent('4', 'com.microsoft/MDM/AADUserToken', token), clientEvent('5', 'com.microsoft/MDM/DevicePrepSync', 'ProvisioningComplete')] }));
    const stored = c.effectsOf('alert.received');
    expect(stored.map((a) => [a.alert, a.alertType, a.data])).toEqual([
      ['1224', 'com.microsoft/MDM/LoginStatus', 'user'],
      ['1224', 'com.microsoft/MDM/AADUserToken', `[redacted: ${token.length} characters]`],
      ['1224', 'com.microsoft/MDM/DevicePrepSync', 'ProvisioningComplete'],
    ]);
    expect(JSON.stringify(c.effects)).not.toContain('payload.signature');
  });

  it('stores each Item of a generic alert with Type, Format, Mark and Source; answers 200', () => {
    const c = new Conversation();
    const r = c.send(
      package1({
        extra: [
          genericAlert('4', [
            { type: 'Reversed-Domain-Name:com.microsoft.mdm.win32csp_install', format: 'int', mark: 'informational', source: './Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7B1%7D/DownloadInstall', data: '0' },
            { type: 'com.example.second', format: 'chr', data: 'two' },
          ]),
        ],
      }),
    );
    expect(codes(r).at(-1)).toEqual(['4', 'Alert', '200']);
    expect(c.effectsOf('alert.received').slice(1)).toEqual([
      {
        type: 'alert.received',
        deviceId: DEVICE_ID,
        sessionId: '1',
        alert: '1226',
        alertType: 'Reversed-Domain-Name:com.microsoft.mdm.win32csp_install',
        format: 'int',
        mark: 'informational',
        source: './Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7B1%7D/DownloadInstall',
        data: '0',
        at: c.now,
      },
      { type: 'alert.received', deviceId: DEVICE_ID, sessionId: '1', alert: '1226', alertType: 'com.example.second', format: 'chr', data: 'two', at: c.now },
    ]);
  });

  it('the user-unenrollment generic alert marks the device unenrolled and nothing more is sent', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    c.enqueue({ verb: 'Get', target: './DevDetail/SwV' });
    const r = c.send(package1({ extra: [genericAlert('4', [{ type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int', data: '1' }])] }));
    expect(r.effects).toContainEqual({ type: 'device.unenrolled', deviceId: DEVICE_ID, at: c.now });
    expect(serverCommands(r.reply)).toEqual([]);
    expect(r.session.ended).toBe(true);
    expect(c.device?.enrollmentState).toBe('unenrolled');
  });

  it('a generic alert without any Item is incomplete: 412 (OMA-DMPRO §8.7)', () => {
    const c = new Conversation();
    expect(codes(c.send(package1({ extra: [alert('4', '1226')] }))).at(-1)).toEqual(['4', 'Alert', '412']);
  });

  it('an alert code a device does not send is answered 406', () => {
    const c = new Conversation();
    const r = c.send(package1({ extra: [alert('4', '1101'), alert('5', '9999')] }));
    expect(codes(r).slice(-2)).toEqual([
      ['4', 'Alert', '406'],
      ['5', 'Alert', '406'],
    ]);
  });

  it('the trigger is the first alert when package 1 has no 1200/1201 (as in the MS-MDM §4 example)', () => {
    const c = new Conversation();
    const r = c.send(deviceMessage({ msgID: 1 }, [clientEvent('1', 'com.microsoft/MDM/LoginStatus', 'user'), devInfoReplace('2', DEV_INFO)]));
    expect(r.session.trigger).toBe('1224');
    expect(serverCommands(r.reply)).toHaveLength(3);
  });
});

describe('DevInfo', () => {
  it('reports DevInfo under canonical names whatever the case of DevID', () => {
    const c = new Conversation();
    const r = c.send(package1({ devInfo: { DevID: DEVICE_ID, Man: 'Fabrikam', Lang: 'de-DE' } }));
    expect(r.effects[0]).toEqual({ type: 'device.seen', deviceId: DEVICE_ID, at: c.now, devInfo: { DevId: DEVICE_ID, Man: 'Fabrikam', Lang: 'de-DE' } });
  });

  it('a changed DevInfo in a later session is reported again', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN, devInfo: DEV_INFO } });
    c.send(package1({ devInfo: { ...DEV_INFO, DmV: '1.4' } }));
    expect(c.device?.devInfo['DmV']).toBe('1.4');
  });

  it('a Replace of anything but DevInfo is refused with 405 (OMA-DMPRO §8)', () => {
    const c = new Conversation();
    const replace: Command = { kind: 'Replace', cmdID: '4', items: [{ target: { locURI: './Vendor/MSFT/Policy/X' }, data: { kind: 'text', text: '1' } }] };
    expect(codes(c.send(package1({ extra: [replace] }))).at(-1)).toEqual(['4', 'Replace', '405']);
  });
});

describe('malformed and unexpected commands', () => {
  it('CmdID missing or "0" → 400 with a blank CmdRef; a repeated CmdID → 400 (MS-MDM §2.2.3.2, OMA-SUP)', () => {
    // No CmdRef can match a missing/"0"/repeated CmdID the way the rule checker pairs them: that rule is skipped here.
    const c = new Conversation({ skipRules: ['status-per-command'] });
    const noId = { ...alert('x', '1224', [alertItem({ type: 't', format: 'chr', data: 'a' })]), cmdID: undefined } as unknown as Command;
    const r = c.send(deviceMessage({ msgID: 1 }, [alert('1', '1201'), noId, alert('0', '1224'), alert('1', '1224')]));
    expect(codes(r)).toEqual([
      ['0', 'SyncHdr', '200'],
      ['1', 'Alert', '200'],
      ['', 'Alert', '400'],
      ['', 'Alert', '400'],
      ['1', 'Alert', '400'],
    ]);
    expect(c.effectsOf('alert.received')).toEqual([]);
  });

  it('an element that is not a command → 400 (OMA-SUP)', () => {
    const c = new Conversation();
    const r = c.send(package1({ extra: [{ kind: 'Unknown', name: 'Sync', cmdID: '4' }] }));
    expect(codes(r).at(-1)).toEqual(['4', 'Sync', '400']);
  });

  it('Get, Add, Delete, Exec from a client → 405', () => {
    const c = new Conversation();
    const item = { target: { locURI: './Vendor/X' } };
    const r = c.send(
      package1({
        extra: (['Get', 'Add', 'Delete', 'Exec'] as const).map((kind, i): Command => ({ kind, cmdID: String(4 + i), items: [item] })),
      }),
    );
    expect(codes(r).slice(-4).map(([, cmd, code]) => [cmd, code])).toEqual([
      ['Get', '405'],
      ['Add', '405'],
      ['Delete', '405'],
      ['Exec', '405'],
    ]);
  });

  it('a command with NoResp gets no Status', () => {
    const c = new Conversation();
    const r = c.send(package1({ extra: [{ ...clientEvent('4', 't', 'x'), noResp: true }] }));
    expect(codes(r).map(([ref]) => ref)).toEqual(['0', '1', '2', '3']);
    expect(c.effectsOf('alert.received')).toHaveLength(2);
  });
});

describe('Atomic and Sequence from the device', () => {
  it('Status for the container first, then each child; a Sequence is 200', () => {
    const c = new Conversation();
    const seq: Container = { kind: 'Sequence', cmdID: '4', commands: [clientEvent('5', 't', 'a'), alert('6', '9999')] };
    expect(codes(c.send(package1({ extra: [seq] }))).slice(-3)).toEqual([
      ['4', 'Sequence', '200'],
      ['5', 'Alert', '200'],
      ['6', 'Alert', '406'],
    ]);
  });

  it('an Atomic whose child fails: 507, the others 216 rolled back, their effects dropped', () => {
    const c = new Conversation();
    const atomic: Container = { kind: 'Atomic', cmdID: '4', commands: [clientEvent('5', 'com.example.kept?', 'a'), alert('6', '9999')] };
    const r = c.send(package1({ extra: [atomic] }));
    expect(codes(r).slice(-3)).toEqual([
      ['4', 'Atomic', '507'],
      ['5', 'Alert', '216'],
      ['6', 'Alert', '406'],
    ]);
    expect(c.effectsOf('alert.received').map((a) => a.alertType)).toEqual(['com.microsoft/MDM/LoginStatus']);
  });

  it('an Atomic nested in an Atomic: inner 500 (nothing in it runs), outer 507 (OMA-SUP)', () => {
    const c = new Conversation();
    const inner: Container = { kind: 'Atomic', cmdID: '6', commands: [clientEvent('7', 'x', 'y')] };
    const outer: Container = { kind: 'Atomic', cmdID: '4', commands: [clientEvent('5', 'a', 'b'), inner] };
    const r = c.send(package1({ extra: [outer] }));
    expect(codes(r).slice(-4)).toEqual([
      ['4', 'Atomic', '507'],
      ['5', 'Alert', '216'],
      ['6', 'Atomic', '500'],
      ['7', 'Alert', '500'],
    ]);
    expect(c.effectsOf('alert.received')).toHaveLength(1);
  });

  it('an Atomic whose children all succeed is 200 and keeps their effects', () => {
    const c = new Conversation();
    const atomic: Container = { kind: 'Atomic', cmdID: '4', commands: [clientEvent('5', 'a', '1'), clientEvent('6', 'b', '2')] };
    expect(codes(c.send(package1({ extra: [atomic] }))).slice(-3).map(([, , code]) => code)).toEqual(['200', '200', '200']);
    expect(c.effectsOf('alert.received')).toHaveLength(3);
  });

  it('Status or Results inside a container are ignored and get no Status', () => {
    const c = new Conversation();
    const seq: Container = { kind: 'Sequence', cmdID: '4', commands: [status('5', '1', '1', 'Get', '200')] };
    const r = c.send(package1({ extra: [seq] }));
    expect(codes(r).at(-1)).toEqual(['4', 'Sequence', '200']);
    expect(r.notes.map((n) => n.code)).toContain('misplaced-command');
  });
});

describe('bounded work', () => {
  it('10,000 commands: the first maxDeviceCommands are processed, the rest answered 417 in order, unprocessed', () => {
    const c = new Conversation({ engine: { maxDeviceCommands: 1000 } });
    const flood = Array.from({ length: 10_000 }, (_, i) => clientEvent(String(i + 4), 'com.example.flood', String(i)));
    const r = c.send(package1({ extra: flood }));
    const statuses = statusesOf(r.reply);
    expect(statuses).toHaveLength(1 + 3 + 10_000);
    expect(statuses.slice(1).map((s) => s.cmdRef)).toEqual(Array.from({ length: 10_003 }, (_, i) => String(i + 1)));
    expect(statuses.filter((s) => s.data === '200')).toHaveLength(1 + 1000);
    expect(statuses.filter((s) => s.data === '417')).toHaveLength(10_003 - 1000);
    expect(c.effectsOf('alert.received')).toHaveLength(1 + 997);
    expect(r.notes.map((n) => n.code)).toContain('device-command-cap');
  });
});

describe('the device’s package continues', () => {
  it('a message without Final gets the "Next Message" response: Statuses, Alert 1222, no commands, no Final (a.5)', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    c.enqueue({ verb: 'Get', target: './DevDetail/SwV' });
    const r1 = c.send(package1({ final: false }));
    expect(serverCommands(r1.reply)).toEqual([{ kind: 'Alert', cmdID: '5', data: '1222', items: [] }]);
    expect(r1.reply.body.final).toBe(false);
    const r2 = c.send(deviceMessage({ msgID: 2 }, [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '5', 'Alert', '200'), genericAlert('3', [{ type: 't', format: 'chr', data: 'late' }])]));
    expect(serverCommands(r2.reply).map((x) => x.kind)).toEqual(['Get', 'Get', 'Get']);
    expect(r2.reply.body.final).toBe(true);
    expect(c.finish()).toEqual([]);
  });
});
