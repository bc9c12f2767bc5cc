import { describe, expect, it } from 'vitest';
import { buildDeviceTree, pushPaths, type DeviceProfile } from '../support/simulator/device-tree.js';
import { resolveNodePath } from '../support/simulator/node-path.js';

const profile: DeviceProfile = {
  deviceId: '9F1C2D3E-0000-4000-8000-000000000001',
  providerId: 'omadm-gateway',
  manufacturer: 'Contoso',
  model: 'Sim',
  dmVersion: '1.3',
  language: 'en-US',
  swVersion: '10.0.22631.4317',
  deviceName: 'SIM-1',
  pfnMode: 'replace-creates',
  largeObjectBytes: 100,
};
const push = pushPaths('omadm-gateway');

describe('node paths', () => {
  it('treats no prefix and ./Device as the same device-scope node, case-insensitively', () => {
    const a = resolveNodePath('./Vendor/MSFT/DMClient/Provider/x/Push/PFN');
    const b = resolveNodePath('./Device/Vendor/MSFT/DMClient/Provider/x/Push/PFN');
    const c = resolveNodePath('./device/vendor/msft/dmclient/provider/X/push/pfn');
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(b.key).toBe(a.key);
      expect(c.key).toBe(a.key);
    }
  });
  it('keeps ./User separate and normalises escapes', () => {
    const u = resolveNodePath('./User/Vendor/MSFT/Policy');
    const d = resolveNodePath('./Vendor/MSFT/Policy');
    expect(u.ok && d.ok && u.key !== d.key).toBe(true);
    const e1 = resolveNodePath('./Vendor/MSFT/A%20B');
    const e2 = resolveNodePath('./Vendor/MSFT/A%20B/');
    expect(e1.ok && e2.ok && e1.key === e2.key).toBe(true);
  });
  it('rejects a leading slash, inner "." segments, empty names, "*" and bad escapes', () => {
    for (const bad of ['/Vendor/MSFT', './Vendor/./MSFT', './Vendor//MSFT', './Vendor/*', './Vendor/%zz', './Vendor/MSFT?list=Struct']) {
      expect(resolveNodePath(bad).ok, bad).toBe(false);
    }
  });
});

describe('device CSP tree', () => {
  it('answers Get on leaves with value, Format and Type', () => {
    const t = buildDeviceTree(profile);
    expect(t.get('./DevInfo/DevId')).toEqual({ status: '200', result: { format: 'chr', type: 'text/plain', data: profile.deviceId } });
    expect(t.get('./DevInfo/DevID').result?.data).toBe(profile.deviceId);
    expect(t.get('./DevDetail/LrgObj').result).toMatchObject({ format: 'bool', data: 'true' });
    expect(t.get('./DevDetail/Ext/Microsoft/DeviceName').result?.data).toBe('SIM-1');
  });

  it('answers Get on an interior node with its child names, URI-encoded, separated by "/"', () => {
    const t = buildDeviceTree(profile);
    expect(t.get('./DevInfo').result).toEqual({ format: 'node', type: 'text/plain', data: 'DevId/Man/Mod/DmV/Lang' });
    expect(t.add('./Vendor/MSFT/Policy/Config/My%20Area', { format: 'node' }).status).toBe('200');
    expect(t.get('./Vendor/MSFT/Policy/Config').result?.data?.split('/')).toContain('My%20Area');
  });

  it('404 for a missing node on Get, Replace, Delete and Exec', () => {
    const t = buildDeviceTree(profile);
    expect(t.get('./Vendor/MSFT/Nope').status).toBe('404');
    expect(t.replace('./Vendor/MSFT/Nope', { data: '1' }).status).toBe('404');
    expect(t.delete('./Vendor/MSFT/Nope').status).toBe('404');
    expect(t.checkExec('./Vendor/MSFT/Nope').status).toBe('404');
  });

  it('405 for Replace or Delete of a Get-only node, and Exec of a non-Exec node', () => {
    const t = buildDeviceTree(profile);
    expect(t.replace('./DevInfo/Man', { data: 'x' }).status).toBe('405');
    expect(t.replace(push.channelUri, { data: 'https://x' }).status).toBe('405');
    expect(t.replace(push.status, { data: '0', format: 'int' }).status).toBe('405');
    expect(t.delete('./DevInfo/Man').status).toBe('405');
    expect(t.checkExec('./DevInfo/Man').status).toBe('405');
    expect(t.checkExec('./Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll').status).toBe('200');
    expect(t.get('./DevInfo/Man').result?.data).toBe('Contoso');
  });

  it('418 for Add of an existing node; 405 under a parent that takes no children', () => {
    const t = buildDeviceTree(profile);
    expect(t.add('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { data: '0', format: 'int' }).status).toBe('418');
    expect(t.add(push.pfn, { data: 'x' }).status).toBe('418');
    expect(t.add('./DevInfo/Extra', { data: 'x' }).status).toBe('405');
  });

  it('Add creates missing interior nodes below a dynamic ancestor (implicit Add)', () => {
    const t = buildDeviceTree(profile);
    expect(t.add('./Device/Vendor/MSFT/Policy/Config/Browser/AllowCookies', { data: '2', format: 'int' }).status).toBe('200');
    expect(t.get('./Vendor/MSFT/Policy/Config/Browser').result).toMatchObject({ format: 'node', data: 'AllowCookies' });
    expect(t.get('./Vendor/MSFT/Policy/Config/Browser/AllowCookies').result).toMatchObject({ format: 'int', data: '2' });
    expect(t.replace('./Vendor/MSFT/Policy/Config/Browser/AllowCookies', { data: '0', format: 'int' }).status).toBe('200');
    expect(t.delete('./Vendor/MSFT/Policy/Config/Browser').status).toBe('200');
    expect(t.get('./Vendor/MSFT/Policy/Config/Browser/AllowCookies').status).toBe('404');
  });

  it('415 for a Format that is not the node format or a value that does not parse', () => {
    const t = buildDeviceTree(profile);
    expect(t.replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { data: '0', format: 'chr' }).status).toBe('415');
    expect(t.replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { data: 'yes', format: 'int' }).status).toBe('415');
    expect(t.replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { data: '0' }).status).toBe('200');
    expect(t.add('./Vendor/MSFT/Policy/Config/X/Y', { data: 'x', format: 'weird' }).status).toBe('415');
  });

  it('PFN modes: replace-creates lets the first Replace work; add-required answers 404 until Added', () => {
    const easy = buildDeviceTree(profile);
    expect(easy.replace(push.pfn, { data: 'PFN!App', format: 'chr' }).status).toBe('200');
    const strict = buildDeviceTree({ ...profile, pfnMode: 'add-required' });
    expect(strict.replace(push.pfn, { data: 'PFN!App', format: 'chr' }).status).toBe('404');
    expect(strict.add(push.pfn, { data: 'PFN!App', format: 'chr' }).status).toBe('200');
    expect(strict.add(push.pfn, { data: 'PFN!App', format: 'chr' }).status).toBe('418');
    expect(strict.replace(push.pfn, { data: 'PFN2!App', format: 'chr' }).status).toBe('200');
  });

  it('snapshot and restore roll back every change', () => {
    const t = buildDeviceTree(profile);
    const snap = t.snapshot();
    t.replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { data: '0' });
    t.add('./Vendor/MSFT/Policy/Config/New/Setting', { data: '1' });
    t.delete('./Vendor/MSFT/Policy/Config/Update');
    t.restore(snap);
    expect(t.read('./Vendor/MSFT/Policy/Config/Camera/AllowCamera')).toBe('1');
    expect(t.exists('./Vendor/MSFT/Policy/Config/New')).toBe(false);
    expect(t.exists('./Vendor/MSFT/Policy/Config/Update/ActiveHoursStart')).toBe(true);
  });
});
