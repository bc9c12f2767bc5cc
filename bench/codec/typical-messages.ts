/**
 * The typical messages the codec benchmark runs, as model objects: a Windows package 1 (check-in), a package 3
 * answering ten Gets with ten Results, and a 200-command server message (a policy push). Values are shaped like
 * real Windows traffic (MS-MDM §4 samples, DMClient and Policy CSP paths).
 */
import type { Command, SyncHdr, SyncML } from '../../src/syncml/model.js';

const SERVER = 'https://mdm.contoso.com/ManagementServer/MDM.svc';
const DEVICE = '7B0F4A1C92E34D5F8A6B1C2D3E4F5A6B';
const PROVIDER = './Vendor/MSFT/DMClient/Provider/omadm-gateway';

function deviceHeader(msgID: string): SyncHdr {
  return { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1A', msgID, target: { locURI: SERVER }, source: { locURI: DEVICE } };
}

export const package1: SyncML = {
  header: deviceHeader('1'),
  body: {
    commands: [
      { kind: 'Alert', cmdID: '1', data: '1201', items: [] },
      { kind: 'Alert', cmdID: '2', data: '1224', items: [{ meta: { type: 'com.microsoft/MDM/LoginStatus', format: 'chr' }, data: { kind: 'text', text: 'user' } }] },
      {
        kind: 'Replace',
        cmdID: '3',
        items: [
          ['DevId', DEVICE],
          ['Man', 'Microsoft Corporation'],
          ['Mod', 'Surface Laptop 5'],
          ['DmV', '1.3'],
          ['Lang', 'en-US'],
        ].map(([node, value]) => ({ source: { locURI: `./DevInfo/${node}` }, data: { kind: 'text' as const, text: value as string } })),
      },
    ],
    final: true,
  },
};

const GETS = [
  `${PROVIDER}/Push/ChannelURI`,
  `${PROVIDER}/Push/Status`,
  './DevDetail/SwV',
  './DevDetail/Ext/Microsoft/OSPlatform',
  './DevDetail/Ext/Microsoft/DeviceName',
  './DevDetail/Ext/Microsoft/TotalRAM',
  './Vendor/MSFT/DeviceStatus/OS/Edition',
  './Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance',
  './Vendor/MSFT/Policy/Result/Update/AllowAutoUpdate',
  './Vendor/MSFT/DeviceStatus/Battery/EstimatedChargeRemaining',
];
const VALUES = [
  'https://db5p.notify.windows.com/?token=AwYAAAD8sQ2rqkqMNmQxs4x9Q%2bX1ePb1Kx0CvJ7sB8T%2fV2p7bGm1t3s8yqZr2W6o1u0Hk',
  '0',
  '10.0.22631.3447',
  'Windows 11 Enterprise',
  'DESKTOP-7B0F4A1',
  '16384',
  '4',
  '1',
  '1',
  '87',
];

export const package3With10Results: SyncML = {
  header: deviceHeader('2'),
  body: {
    commands: [
      { kind: 'Status', cmdID: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] },
      ...GETS.flatMap((path, i): Command[] => [
        { kind: 'Status', cmdID: String(2 + 2 * i), msgRef: '1', cmdRef: String(2 + i), cmd: 'Get', data: '200', items: [] },
        {
          kind: 'Results',
          cmdID: String(3 + 2 * i),
          msgRef: '1',
          cmdRef: String(2 + i),
          cmd: 'Get',
          items: [{ source: { locURI: path }, meta: { format: 'chr', type: 'text/plain' }, data: { kind: 'text', text: VALUES[i] ?? '' } }],
        },
      ]),
    ],
    final: true,
  },
};

/** A server message of 200 commands: Policy CSP Replaces, Gets, Adds, Execs and Deletes in a realistic mix. */
export const message200Commands: SyncML = {
  header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1A', msgID: '2', target: { locURI: DEVICE }, source: { locURI: SERVER } },
  body: {
    commands: [
      { kind: 'Status', cmdID: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] },
      ...Array.from({ length: 199 }, (_, i): Command => {
        const cmdID = String(i + 2);
        const area = ['Browser', 'Defender', 'DeviceLock', 'Update', 'Connectivity', 'Experience', 'Privacy'][i % 7] ?? 'Browser';
        const node = `./Device/Vendor/MSFT/Policy/Config/${area}/Setting${i}`;
        switch (i % 10) {
          case 0:
          case 1:
          case 2:
          case 3:
          case 4:
            return { kind: 'Replace', cmdID, items: [{ target: { locURI: node }, meta: { format: 'int', type: 'text/plain' }, data: { kind: 'text', text: String(i % 3) } }] };
          case 5:
          case 6:
            return { kind: 'Get', cmdID, items: [{ target: { locURI: node } }] };
          case 7:
            return {
              kind: 'Add',
              cmdID,
              items: [{ target: { locURI: `./Vendor/MSFT/VPNv2/Profile${i}/TrafficFilterList/1/App/Id` }, meta: { format: 'chr' }, data: { kind: 'text', text: `Microsoft.App${i}_8wekyb3d8bbwe` } }],
            };
          case 8:
            return { kind: 'Exec', cmdID, items: [{ target: { locURI: `./Vendor/MSFT/Defender/Scan${i}/QuickScan` } }] };
          default:
            return { kind: 'Delete', cmdID, items: [{ target: { locURI: `./Vendor/MSFT/VPNv2/OldProfile${i}` } }] };
        }
      }),
    ],
    final: true,
  },
};

export const TYPICAL_MESSAGES: ReadonlyArray<{ name: string; message: SyncML }> = [
  { name: 'pkg1', message: package1 },
  { name: 'pkg3-10results', message: package3With10Results },
  { name: 'msg-200cmds', message: message200Commands },
];
