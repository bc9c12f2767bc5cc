/**
 * The CSP tree a simulated Windows device starts with: DevInfo, DevDetail, DMClient (Provider/{ProviderID} with
 * Push and Poll), a few Policy settings, Reboot, DeviceStatus and DiagnosticLog (the large-object node).
 * Paths and access follow the Microsoft CSP pages (PROTOCOL.md d.1-d.4).
 */
import { CspTree } from './csp-tree.js';

export interface DeviceProfile {
  deviceId: string;
  providerId: string;
  manufacturer: string;
  model: string;
  dmVersion: string;
  language: string;
  swVersion: string;
  deviceName: string;
  /**
   * How Push/PFN exists before the server sets it (PROTOCOL.md d.1, UNCONFIRMED in Microsoft docs):
   * - 'replace-creates': PFN is a fixed leaf with no value, so Replace works the first time (default);
   * - 'add-required': PFN does not exist until Added, so the first Replace gets 404 and Add creates it.
   */
  pfnMode: 'replace-creates' | 'add-required';
  /** Size in bytes of DiagnosticLog/DiagnosticArchive/ArchiveResults (a Get on it returns a large object). */
  largeObjectBytes: number;
}

export function providerRoot(providerId: string): string {
  return `./Vendor/MSFT/DMClient/Provider/${encodeURIComponent(providerId)}`;
}

export const pushPaths = (providerId: string) => {
  const push = `${providerRoot(providerId)}/Push`;
  return { push, pfn: `${push}/PFN`, channelUri: `${push}/ChannelURI`, status: `${push}/Status` };
};

export const pollPath = (providerId: string, node: string): string => `${providerRoot(providerId)}/Poll/${node}`;

export const LARGE_OBJECT_PATH = './Vendor/MSFT/DiagnosticLog/DiagnosticArchive/ArchiveResults';
export const REBOOT_NOW_PATH = './Device/Vendor/MSFT/Reboot/RebootNow';

/** Poll defaults from the DMClient CSP (PROTOCOL.md d.2). */
export const POLL_DEFAULTS: Readonly<Record<string, string>> = {
  IntervalForFirstSetOfRetries: '15',
  NumberOfFirstRetries: '10',
  IntervalForSecondSetOfRetries: '0',
  NumberOfSecondRetries: '0',
  IntervalForRemainingScheduledRetries: '0',
  NumberOfRemainingScheduledRetries: '0',
};

export function buildDeviceTree(p: DeviceProfile): CspTree {
  const t = new CspTree();
  const get = ['Get'] as const;
  const rw = ['Add', 'Delete', 'Get', 'Replace'] as const;

  t.define('./DevInfo/DevId', { format: 'chr', access: get, value: p.deviceId });
  t.define('./DevInfo/Man', { format: 'chr', access: get, value: p.manufacturer });
  t.define('./DevInfo/Mod', { format: 'chr', access: get, value: p.model });
  t.define('./DevInfo/DmV', { format: 'chr', access: get, value: p.dmVersion });
  t.define('./DevInfo/Lang', { format: 'chr', access: get, value: p.language });

  t.define('./DevDetail/DevTyp', { format: 'chr', access: get, value: 'Desktop' });
  t.define('./DevDetail/OEM', { format: 'chr', access: get, value: p.manufacturer });
  t.define('./DevDetail/FwV', { format: 'chr', access: get, value: '1.0.0' });
  t.define('./DevDetail/SwV', { format: 'chr', access: get, value: p.swVersion });
  t.define('./DevDetail/HwV', { format: 'chr', access: get, value: '1.0' });
  t.define('./DevDetail/LrgObj', { format: 'bool', access: get, value: 'true' });
  t.define('./DevDetail/URI/MaxDepth', { format: 'int', access: get, value: '32' });
  t.define('./DevDetail/URI/MaxTotLen', { format: 'int', access: get, value: '2048' });
  t.define('./DevDetail/URI/MaxSegLen', { format: 'int', access: get, value: '255' });
  t.define('./DevDetail/Ext/Microsoft/DeviceName', { format: 'chr', access: ['Get', 'Replace'], value: p.deviceName });
  t.define('./DevDetail/Ext/Microsoft/OSPlatform', { format: 'chr', access: get, value: 'Windows 11 Enterprise' });

  t.define('./Vendor/MSFT/DMClient/Provider', { format: 'node', access: get, dynamic: true });
  const root = providerRoot(p.providerId);
  t.define(root, { format: 'node', access: ['Add', 'Delete', 'Get'], dynamic: true });
  t.define(`${root}/EntDMID`, { format: 'chr', access: rw, value: '' });
  t.define(`${root}/EntDeviceName`, { format: 'chr', access: rw, value: p.deviceName });
  t.define(`${root}/Unenroll`, { format: 'null', access: ['Exec', 'Get'], value: null });
  const push = pushPaths(p.providerId);
  t.define(push.push, { format: 'node', access: ['Add', 'Delete', 'Get'], dynamic: true });
  if (p.pfnMode === 'replace-creates') t.define(push.pfn, { format: 'chr', access: ['Add', 'Delete', 'Get', 'Replace'], value: '' });
  t.define(push.channelUri, { format: 'chr', access: get, value: null });
  t.define(push.status, { format: 'int', access: get, value: '4' });
  t.define(`${root}/Poll`, { format: 'node', access: ['Add', 'Delete', 'Get'], dynamic: true });
  for (const [name, value] of Object.entries(POLL_DEFAULTS)) {
    t.define(pollPath(p.providerId, name), { format: 'int', access: rw, value });
  }
  t.define(pollPath(p.providerId, 'PollOnLogin'), { format: 'bool', access: rw, value: 'false' });
  t.define(pollPath(p.providerId, 'AllUsersPollOnFirstLogin'), { format: 'bool', access: rw, value: 'false' });

  t.define('./Vendor/MSFT/Policy/Config', { format: 'node', access: get, dynamic: true });
  t.define('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', { format: 'int', access: rw, value: '1' });
  t.define('./Vendor/MSFT/Policy/Config/Update/ActiveHoursStart', { format: 'int', access: rw, value: '8' });
  t.define('./Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordEnabled', { format: 'int', access: rw, value: '1' });
  t.define('./User/Vendor/MSFT/Policy/Config', { format: 'node', access: get, dynamic: true });

  t.define(REBOOT_NOW_PATH, { format: 'null', access: ['Exec', 'Get'], value: null });
  t.define('./Vendor/MSFT/DeviceStatus/Battery/EstimatedChargeRemaining', { format: 'int', access: get, value: '87' });
  t.define('./Vendor/MSFT/DiagnosticLog/DiagnosticArchive/ArchiveDefinition', { format: 'chr', access: ['Get', 'Replace'], value: '' });
  t.define(LARGE_OBJECT_PATH, { format: 'chr', access: get, type: 'text/plain', value: largeText(p.deviceId, p.largeObjectBytes) });
  return t;
}

/** Deterministic ASCII filler of exactly `bytes` bytes (so characters = bytes in UTF-8). */
export function largeText(seed: string, bytes: number): string {
  const line = `<Collection device="${seed}">log line </Collection>\n`;
  let out = '';
  while (out.length < bytes) out += line;
  return out.slice(0, bytes);
}
